"""GPU benchmark: scoring throughput as a fraction of the GPU's bf16 roofline, and the
latency of an RPS round, on a Llama-3.1-8B-shaped model with random weights in bf16.

The real Llama weights cannot be downloaded here, so the model is built from Llama-3.1-8B's
published config; speed does not depend on the weights' values. Prompts are tokenised with the
tests' character-level tokenizer (about 4x more tokens than Llama's BPE for the same text, so the
round latency is pessimistic).

    python bench/bench_gpu.py [--tokens 4096] [--batch 8] [--rounds 100] [--peak-tflops X] [--json OUT]
    python bench/bench_gpu.py --smoke   # on CPU: a 2-layer model of the same family, to check the code runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# dense bf16 tensor-core peaks from NVIDIA's data sheets, in TFLOP/s (no sparsity)
PEAK_TFLOPS = {"H100 PCIe": 756.0, "H100": 989.4, "H200": 989.4, "A100": 312.0, "L40S": 362.0}

LLAMA_31_8B = dict(
    vocab_size=128256,
    hidden_size=4096,
    intermediate_size=14336,
    num_hidden_layers=32,
    num_attention_heads=32,
    num_key_value_heads=8,
    max_position_embeddings=131072,
    rope_theta=500000.0,
    bos_token_id=1,
    eos_token_id=2,
)


# --smoke: the same architecture, tiny, so the whole script can be checked on a CPU (tests/backends/test_gpu.py)
SMOKE = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)


def build_model(vocab_size: int, device: str, smoke: bool = False):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)
    shape = LLAMA_31_8B | (SMOKE if smoke else {}) | {"vocab_size": max(vocab_size, 128256)}
    with torch.device(device):
        model = LlamaForCausalLM(LlamaConfig(**shape))
    torch.set_default_dtype(torch.float32)
    return model.eval()


def random_llama_backend(device: str, smoke: bool, chat_template: bool = True):
    """The 8B-shaped random model behind the transformers backend, with the tests' character
    tokenizer: what the GPU benches run where the default pair's packages are not installed."""
    from tests.support.tiny_model import build_tokenizer
    from unpredict_core.backends.hf.backend import TransformersBackend

    tokenizer = build_tokenizer(chat_template=chat_template)
    model = build_model(len(tokenizer), device, smoke=smoke)
    return TransformersBackend(model, tokenizer, label="llama-8b-shaped (random)", identity="random")


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def peak_tflops(override: float | None, device: str) -> float:
    if override:
        return override
    if device != "cuda":
        return 1.0  # --smoke: no meaningful roofline on a CPU
    name = torch.cuda.get_device_name()
    for key, value in PEAK_TFLOPS.items():  # "H100 PCIe" is checked before "H100"
        if key in name:
            return value
    raise SystemExit(f"unknown GPU {name!r}: pass --peak-tflops")


def flops_per_token(model, context: int) -> float:
    """Forward FLOPs per token: 2 per weight of the decoder (the head runs on selected positions
    only when scoring), plus attention's QK^T and AV over `context` keys on average."""
    config = model.config
    decoder = sum(p.numel() for p in model.model.layers.parameters())
    attention = 2 * 2 * config.num_hidden_layers * context * config.hidden_size
    return 2 * decoder + attention


@torch.inference_mode()
def scoring_throughput(model, tokens: int, batch: int) -> dict:
    device = model.device.type
    ids = torch.randint(3, 30000, (batch, tokens), device=model.device)
    decoder = model.get_decoder()
    decoder(input_ids=ids[:, :256])  # warm up kernels
    sync(device)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        decoder(input_ids=ids)
        sync(device)
        times.append(time.perf_counter() - start)
    rate = batch * tokens / min(times)
    return {"tokens_per_s": rate, "flops_per_token": flops_per_token(model, tokens // 2)}


def rps_round_latency(model, rounds: int) -> dict:
    from tests.support.tiny_model import build_tokenizer
    from unpredict_core.backends.hf.backend import TransformersBackend
    from unpredict_core.experiments.games import rps
    from unpredict_core.experiments.games.engine import Match
    from unpredict_core.experiments.games.opponents import make_opponent

    tokenizer = build_tokenizer(chat_template=False)
    backend = TransformersBackend(model, tokenizer, label="llama-8b-shaped", identity="random")
    match = Match(rps.RULES, backend, "plain", rps.INTRO["plain"], make_opponent("greedy"), seed=0)
    device, latencies = model.device.type, []
    for _ in range(rounds):
        sync(device)
        start = time.perf_counter()
        match.play_round()
        sync(device)
        latencies.append(time.perf_counter() - start)
    return {
        "round_1_ms": latencies[0] * 1000,
        "median_rounds_2_6_ms": statistics.median(latencies[1:6]) * 1000,
        "median_last5_ms": statistics.median(latencies[-5:]) * 1000,
        "tree_scoring": bool(backend._tree_ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--peak-tflops", type=float)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--smoke", action="store_true", help="tiny model on CPU: checks the script, measures nothing")
    args = parser.parse_args()
    if args.smoke:
        args.tokens, args.batch, args.rounds = min(args.tokens, 64), 1, min(args.rounds, 3)
    elif not torch.cuda.is_available():
        raise SystemExit("bench_gpu needs a CUDA GPU (or --smoke to check the script on CPU)")
    from tests.support.tiny_model import build_tokenizer

    device = "cpu" if args.smoke else "cuda"
    model = build_model(len(build_tokenizer()), device, smoke=args.smoke)
    peak = peak_tflops(args.peak_tflops, device)
    scoring = scoring_throughput(model, args.tokens, args.batch)
    roofline = peak * 1e12 / scoring["flops_per_token"]
    fraction = scoring["tokens_per_s"] / roofline
    game = rps_round_latency(model, args.rounds)
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU smoke run (numbers meaningless)"
    print(f"{name} (bf16 peak {peak} TFLOP/s), Llama-3.1-8B-shaped, random weights")
    print(
        f"  scoring {scoring['tokens_per_s']:,.0f} tokens/s ({args.batch} x {args.tokens} tokens); roofline "
        f"{roofline:,.0f} tokens/s; fraction {fraction:.0%} (goal ≥ 50%: {'PASS' if fraction >= 0.5 else 'MISS'})"
    )
    last = game["median_last5_ms"]
    print(
        f"  RPS round latency: round 1 {game['round_1_ms']:.1f} ms, rounds 2-6 median "
        f"{game['median_rounds_2_6_ms']:.1f} ms, last 5 median {last:.1f} ms over {args.rounds} rounds "
        f"(goal ≤ 10 ms: {'PASS' if last <= 10 else 'MISS'}); tree scoring {game['tree_scoring']}"
    )
    if args.json_out:
        results = {"gpu": name, "peak_tflops": peak, "roofline_tokens_per_s": roofline}
        Path(args.json_out).write_text(json.dumps(results | scoring | game | {"fraction": fraction}, indent=1))


if __name__ == "__main__":
    main()
