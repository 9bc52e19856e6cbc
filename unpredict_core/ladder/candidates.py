"""Replies to the training prompts, sampled from a model on this machine and sorted by the checkers.

Rejection-sampling fine-tuning, as post-training recipes do it: `k` replies per prompt are sampled
from the responder (by default the default pair's aligned side, SmolLM2-135M-Instruct, Apache-2.0,
in its own chat template), each graded strictly by if-verifiable's IFEval checkers. The SFT rows are
one passing reply per prompt; the DPO rows are (passing, failing) pairs of replies to one prompt.
Only replies that ended on their own (an end of sequence before the token cap) can be chosen, so
the stages learn to finish. Batches are seeded one by one, so the same recipe samples the same
replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from unpredict_core.experiments.instructions.prompts import InstructionPrompt
from unpredict_core.ladder.heldout import follows
from unpredict_core.progress import ProgressFn, no_progress


@dataclass(frozen=True)
class Candidate:
    text: str
    ended: bool  # stopped on its own before the token cap
    passed: bool  # every instruction strictly followed


def sample_replies(
    backend: Any,
    prompts: Sequence[InstructionPrompt],
    *,
    k: int,
    max_new_tokens: int,
    temperature: float,
    seed: int,
    batch_prompts: int = 8,
    progress: ProgressFn = no_progress,
) -> list[list[tuple[str, bool]]]:
    """`k` sampled (reply, ended) per prompt, from a local transformers backend."""
    import torch
    from transformers import GenerationConfig

    from unpredict_core.backends.hf import sampling
    from unpredict_core.backends.hf.generate import left_padded

    model, tokenizer = backend.model, backend.tokenizer
    eos = sampling.eos_ids(model, tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0]
    config = GenerationConfig(
        do_sample=True, temperature=temperature, top_p=1.0, top_k=0, max_new_tokens=max_new_tokens,
        num_return_sequences=k, eos_token_id=eos, pad_token_id=pad,
    )  # fmt: skip
    out: list[list[tuple[str, bool]]] = []
    for start in range(0, len(prompts), batch_prompts):
        chunk = prompts[start : start + batch_prompts]
        ids, mask = left_padded([backend.encode(backend.render(p.prompt, "chat")) for p in chunk], pad)
        width = ids.shape[1]
        torch.manual_seed(seed * 100_003 + start)
        with torch.inference_mode():
            made = model.generate(
                input_ids=ids.to(backend.device), attention_mask=mask.to(backend.device), generation_config=config
            )[:, width:].tolist()
        for row in range(len(chunk)):
            replies = []
            for tokens in made[row * k : (row + 1) * k]:
                end = next((i for i, token in enumerate(tokens) if token in eos), None)
                replies.append((tokenizer.decode(tokens[:end], skip_special_tokens=True).strip(), end is not None))
            out.append(replies)
        progress(
            min(1.0, (start + len(chunk)) / len(prompts)),
            f"sampled replies to {start + len(chunk)}/{len(prompts)} prompts",
        )
    return out


def grade(prompt: InstructionPrompt, replies: Sequence[tuple[str, bool]], known: dict[str, type]) -> list[Candidate]:
    return [Candidate(text, ended, follows(prompt, text, known)) for text, ended in replies]


def chat(prompt: str, reply: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A prompt and a reply as TRL's conversational prompt-completion rows."""
    return [{"role": "user", "content": prompt}], [{"role": "assistant", "content": reply}]


def sft_rows(prompts: Sequence[InstructionPrompt], graded: Sequence[Sequence[Candidate]]) -> list[dict[str, Any]]:
    """One passing, self-ended reply per prompt (the first sampled), as prompt-completion rows."""
    rows = []
    for prompt, candidates in zip(prompts, graded):
        chosen = next((c for c in candidates if c.passed and c.ended), None)
        if chosen is not None:
            user, assistant = chat(prompt.prompt, chosen.text)
            rows.append({"key": prompt.key, "prompt": user, "completion": assistant})
    return rows


def preference_rows(
    prompts: Sequence[InstructionPrompt], graded: Sequence[Sequence[Candidate]]
) -> list[dict[str, Any]]:
    """(chosen, rejected) per prompt that has a passing, self-ended reply and a failing one."""
    rows = []
    for prompt, candidates in zip(prompts, graded):
        chosen = next((c for c in candidates if c.passed and c.ended), None)
        rejected = next((c for c in candidates if not c.passed and c.text), None)
        if chosen is not None and rejected is not None:
            user, good = chat(prompt.prompt, chosen.text)
            rows.append(
                {"key": prompt.key, "prompt": user, "chosen": good, "rejected": chat(prompt.prompt, rejected.text)[1]}
            )
    return rows
