"""The alignment ladder: the default base model post-trained here into an SFT stage and a DPO stage
trained from it, so the paper's claim can be tested within one family, offline.

- `instructions` and `prompts`: verifiable instructions written here (IFEval's instruction types,
  checked by if-verifiable's own checkers, phrased in our words) attached to tasks written here;
- `candidates`: replies sampled from a model on this machine and sorted by those checkers;
- `training`: TRL's SFT and DPO trainers with peft LoRA, merged back into plain weights;
- `heldout`: each stage's strict accuracy on held-out prompts, against the base's;
- `build`: the recipe, the cache, resume after a kill, the manifest; `cli`: `ladder build/list`.
"""
