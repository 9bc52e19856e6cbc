"""Exact scoring vs lm-evaluation-harness's HF `loglikelihood`, same weights, same requests.

Both sides run in this one process on the same loaded model objects (our float32 safetensors
conversion of the default pair's GGUFs, so the weights are identical by construction). The
requests are the random-integers ones: each side's own prompt (base: plain; aligned: its chat
template), for the single-draw and the sequence request, with the 33 continuations that exact
scoring sums over (prefix "", " ", "\\n" × answers 0..10).

Printed, all measured in this run:
- token agreement: lm-eval's own context/continuation split (`_encode_pair`) against ours;
- value agreement (goal ≤ 1e-4): log P(continuation | prompt) from our backend's scoring pass vs
  lm-eval's `_loglikelihood_tokens` fed *our* token split, so a difference can only come from the
  computation, never from tokenisation (where lm-eval's split differs it is reported above);
- speed (goal ≥ 1.0×): `score_choices` on a prompt (the full answer distribution, KV cache reset
  first so the prompt is really encoded) vs lm-eval's public `loglikelihood` on the same 33
  (context, continuation) requests; medians of interleaved repeats.

Run it in the bench environment only (bench/README.md):
    bench/.venv-lmeval/bin/python bench/bench_vs_lm_eval.py [--repeats 5] [--lm-eval-batch 64]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from unpredict_core.backends.base import ANSWER_PREFIXES, RenderedPrompt  # noqa: E402
from unpredict_core.backends.loading import load_backend  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR  # noqa: E402
from unpredict_core.experiments import random_integers as ri  # noqa: E402

ANSWERS = list(ri.ANSWERS)
CONTINUATIONS = [prefix + answer for answer in ANSWERS for prefix in ANSWER_PREFIXES]


def our_loglikelihoods(backend, prompt: RenderedPrompt) -> tuple[list[int], list[list[int]], list[float]]:
    """log P(continuation | prompt) from the backend's own scoring pass (prefill + continuation
    trie): the numbers `score_choices` multiplies, before the stop term."""
    import torch

    ids = backend.encode(prompt)
    conts = [tuple(backend._continuation_ids(ids, prompt, text)) for text in CONTINUATIONS]
    with torch.inference_mode():
        prefix = backend._prefill(ids)
        nodes = backend._node_logprobs(prefix, conts)
        first = torch.log_softmax(prefix.last_logits, dim=-1)
    values = []
    for cont in conts:
        total = float(first[cont[0]])
        for k in range(1, len(cont)):
            total += float(nodes[cont[:k]][cont[k]])
        values.append(total)
    return ids, [list(c) for c in conts], values


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_side(role: str, backend, args) -> dict:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    fmt = DEFAULT_PAIR.side(role).default_format
    lm = HFLM(
        pretrained=backend.model,
        tokenizer=backend.tokenizer,
        backend="causal",
        batch_size=args.lm_eval_batch,
        add_bos_token=fmt == "plain",  # as our encode: special tokens for plain text only
    )
    out = {"model": backend.label, "format": fmt, "prompts": []}
    for mode in ("exact", "sequences"):
        prompt = backend.render(ri.default_request(ri.Params(mode=mode), fmt), fmt)
        ids, conts, ours = our_loglikelihoods(backend, prompt)
        splits = [lm._encode_pair(prompt.text, text) for text in CONTINUATIONS]
        same_split = sum(ctx == ids and cont == mine for (ctx, cont), mine in zip(splits, conts))
        same_tokens = sum(ctx + cont == ids + mine for (ctx, cont), mine in zip(splits, conts))
        token_requests = [((prompt.text, t), ids, mine) for t, mine in zip(CONTINUATIONS, conts)]
        theirs = [ll for ll, _ in lm._loglikelihood_tokens(token_requests, disable_tqdm=True)]
        diff = max(abs(a - b) for a, b in zip(ours, theirs))
        instances = [
            Instance(request_type="loglikelihood", doc={}, arguments=(prompt.text, t), idx=i)
            for i, t in enumerate(CONTINUATIONS)
        ]

        def ours_once(prompt=prompt):
            backend._prefix = None  # private: forget the KV cache so the prompt is encoded again
            backend.score_choices(prompt, ANSWERS)

        def theirs_once(instances=instances):
            lm.loglikelihood(instances, disable_tqdm=True)

        ours_once(), theirs_once()  # warm-up (first-call checks, allocator)
        ours_t, theirs_t = [], []
        for _ in range(args.repeats):
            ours_t.append(timed(ours_once))
            theirs_t.append(timed(theirs_once))
        row = {
            "request": mode,
            "prompt_tokens": len(ids),
            "requests": len(CONTINUATIONS),
            "lm_eval_same_split": same_split,
            "same_token_sequence": same_tokens,
            "max_abs_diff_loglik": diff,
            "ours_s": statistics.median(ours_t),
            "lm_eval_s": statistics.median(theirs_t),
        }
        row["speed_ratio"] = row["lm_eval_s"] / row["ours_s"]
        out["prompts"].append(row)
        print(
            f"{role:8s} {mode:9s} prompt {len(ids):3d} tok | split same {same_split}/{len(splits)}, "
            f"sequence same {same_tokens}/{len(splits)} | max |Δ loglik| {diff:.2e} | "
            f"ours {row['ours_s'] * 1000:7.1f} ms  lm-eval {row['lm_eval_s'] * 1000:7.1f} ms  "
            f"→ {row['speed_ratio']:.2f}×",
            flush=True,
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lm-eval-batch", type=int, default=64, help="lm-eval batch size (64 = one batch)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    try:
        import lm_eval
    except ImportError:
        print("lm-eval is not installed here: use the bench environment (see bench/README.md).", file=sys.stderr)
        return 2
    import torch

    results = {"lm_eval_version": lm_eval.__version__, "torch_threads": torch.get_num_threads(), "sides": {}}
    for role in ("base", "aligned"):
        backend = load_backend(DEFAULT_PAIR.side(role), device="cpu")
        results["sides"][role] = bench_side(role, backend, args)
    rows = [row for side in results["sides"].values() for row in side["prompts"]]
    worst_diff = max(row["max_abs_diff_loglik"] for row in rows)
    slowest = min(row["speed_ratio"] for row in rows)
    total = sum(r["lm_eval_s"] for r in rows) / sum(r["ours_s"] for r in rows)
    print(f"\nvalues: max |Δ loglik| over all requests = {worst_diff:.2e} (goal ≤ 1e-4: {worst_diff <= 1e-4})")
    print(f"speed: lm-eval time / our time = {total:.2f}× overall, {slowest:.2f}× at worst (goal ≥ 1.0×)")
    results |= {"max_abs_diff": worst_diff, "speed_ratio_overall": total, "speed_ratio_worst": slowest}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
