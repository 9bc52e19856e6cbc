"""What IFBench and IFEval share: prompts with instructions a program can check, their verifiers
loaded offline, the four accuracies, and one side's run (greedy, batched, every instruction
checked). Each benchmark is a `Suite` declared in its own experiment package (`ifbench`, `ifeval`);
this package declares no experiment of its own."""
