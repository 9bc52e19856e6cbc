"""IFBench generation: batched greedy decoding against one prompt at a time, in tokens per second.

On each side of the default pair (or a model on CUDA), the same IFBench prompts in the side's own
format are decoded greedily twice: in batches (the backend's default, left-padded) and one prompt
at a time (`generate_batch = 1`). Prints tokens/s for each and the ratio, checks that both produced
the same text, and times a whole `ifbench` run at the CPU default subset (what the dashboard's
CPU default costs). Numbers come from this run only.

    python bench/bench_ifbench.py [--limit 8] [--max-new-tokens 96] [--device cpu|cuda] [--json OUT]
    python bench/bench_ifbench.py --device cuda --model llama-8b-shaped   # a GPU without the default pair
    python bench/bench_ifbench.py --model llama-8b-shaped --smoke        # the same code path, tiny, on CPU

`llama-8b-shaped` is the random-weight Llama-3.1-8B of bench_gpu.py with the tests' character
tokenizer (random weights rarely stop early, so every row decodes to the cap: a throughput figure,
not an accuracy).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNPREDICT_DB", str(Path(tempfile.mkdtemp()) / "bench.duckdb"))

from unpredict_core.backends.loading import BackendCache  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR  # noqa: E402
from unpredict_core.errors import UnpredictError  # noqa: E402
from unpredict_core.experiments import ifbench  # noqa: E402
from unpredict_core.experiments.ifbench.data import load_prompts  # noqa: E402
from unpredict_core.experiments.instructions.suite import DEFAULT_MAX_NEW_TOKENS, fill  # noqa: E402


def timed_generate(backend, prompts, max_new_tokens: int, batch: int | None) -> tuple[float, int, list[str]]:
    backend.generate_batch = batch
    before = backend.generated_tokens
    start = time.perf_counter()
    texts = backend.generate(prompts, max_new_tokens=max_new_tokens)
    return time.perf_counter() - start, backend.generated_tokens - before, texts


def chosen_prompts(params: ifbench.Params) -> list:
    """The run's seeded subset when IFBench's checkers load here; else (a bare GPU machine carries
    only the data) the first `limit` prompts, which time generation just as well."""
    try:
        return ifbench.select(params.validate())
    except UnpredictError as exc:
        print(f"  (checkers unavailable, timing generation only: {exc})", file=sys.stderr)
        return list(load_prompts()[: params.limit])


def measure_side(backend, fmt: str, params: ifbench.Params) -> dict:
    request = ifbench.default_request(params, fmt)
    prompts = [backend.render(fill(request, p.prompt), fmt) for p in chosen_prompts(params)]
    timed_generate(backend, prompts[:1], 4, None)  # warm-up: one-time costs off the clock
    batched_s, batched_tokens, batched = timed_generate(backend, prompts, params.max_new_tokens, None)
    print(f"  {backend.label}: batched {batched_tokens} tokens in {batched_s:.1f} s", file=sys.stderr, flush=True)
    single_s, single_tokens, single = timed_generate(backend, prompts, params.max_new_tokens, 1)
    print(f"  {backend.label}: one at a time {single_tokens} tokens in {single_s:.1f} s", file=sys.stderr, flush=True)
    backend.generate_batch = None
    run_s = None
    if params.excluded_types is not None:  # the checkers loaded: time a whole side as a run does it
        start = time.perf_counter()
        ifbench.run_side(backend, fmt, request, params)
        run_s = time.perf_counter() - start
    return {
        "model": backend.label,
        "format": fmt,
        "prompts": len(prompts),
        "batched_s": batched_s,
        "batched_tokens_per_s": batched_tokens / batched_s,
        "single_s": single_s,
        "single_tokens_per_s": single_tokens / single_s,
        "speedup": single_s / batched_s,
        "same_text": batched == single,
        "run_side_s": run_s,
    }


def random_llama_pair(device: str, smoke: bool) -> dict:
    """One "side": the random-weight Llama-3.1-8B-shaped backend (bf16), in the chat format."""
    from bench.bench_gpu import random_llama_backend

    return {"aligned": (random_llama_backend(device, smoke), "chat")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="prompts (default: 8 on CPU, 32 on CUDA)")
    parser.add_argument("--max-new-tokens", type=int, help="new tokens per prompt (default: 96 on CPU, 64 on CUDA)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument(
        "--model", default="auto", choices=["auto", "default", "llama-8b-shaped"],
        help="auto: the default pair on CPU, the 8B-shaped model on CUDA or with --smoke",
    )  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="with llama-8b-shaped: a 2-layer model, 2 prompts")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    args = parser.parse_args()
    cuda = args.device == "cuda"
    args.limit = args.limit or (32 if cuda else ifbench.CPU_DEFAULT_LIMIT)
    args.max_new_tokens = args.max_new_tokens or (64 if cuda else DEFAULT_MAX_NEW_TOKENS)
    if args.model == "auto":
        args.model = "llama-8b-shaped" if cuda or args.smoke else "default"
    if args.smoke:
        args.limit, args.max_new_tokens = min(args.limit, 2), 16
    params = ifbench.Params(limit=args.limit, max_new_tokens=args.max_new_tokens)
    try:
        params = params.validate()
    except UnpredictError:
        pass  # no checkers here: generation is timed alone
    if args.model == "default":
        load = BackendCache(args.device)
        sides = {
            role: (load(DEFAULT_PAIR.side(role)), DEFAULT_PAIR.side(role).default_format)
            for role in ("base", "aligned")
        }
    else:
        sides = random_llama_pair(args.device, args.smoke)
    out = {"device": args.device, "model": args.model, "limit": args.limit, "max_new_tokens": args.max_new_tokens}
    out["sides"] = {}
    for role, (backend, fmt) in sides.items():
        side = measure_side(backend, fmt, params)
        out["sides"][role] = side
        whole = (
            f"; a whole ifbench side ({side['prompts']} prompts) {side['run_side_s']:.1f} s"
            if side["run_side_s"]
            else ""
        )
        print(
            f"{role:8s} {side['model']}: batched {side['batched_tokens_per_s']:.1f} tok/s, one at a time "
            f"{side['single_tokens_per_s']:.1f} tok/s, speedup {side['speedup']:.2f}x, same text {side['same_text']}"
            + whole
        )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0 if all(s["same_text"] for s in out["sides"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
