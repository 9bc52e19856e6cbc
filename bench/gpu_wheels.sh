#!/usr/bin/env bash
# Download, here, the wheels bench/gpu_check.sh installs on the offline GPU machine (Python 3.12,
# x86-64), into .whl/ (ignored by git; the device call carries it). Idempotent: a wheel already
# there is kept, one that is no longer listed is removed (two versions of one package would stop
# the install there). Also stamps .whl/tree.json with this checkout's commit, since the GPU
# machine receives the files without .git: run it right before the device call.
#
#   bench/gpu_wheels.sh
#
# The list, with why each one travels, is bench/gpu_wheels.txt.
set -euo pipefail
LIMIT_MIB=40 # the whole working tree that travels must stay under 64 MiB

cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
mapfile -t WHEELS < <(grep -E '^[A-Za-z0-9]' bench/gpu_wheels.txt)
mkdir -p .whl
wanted=()
for spec in "${WHEELS[@]}"; do
  name="${spec%%==*}"
  version="${spec#*==}"
  file_name="$(echo "$name" | tr '-' '_')"
  wanted+=("$file_name-$version-")
  if compgen -G ".whl/$file_name-$version-*.whl" >/dev/null; then
    echo "have $spec"
    continue
  fi
  "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl "$spec"
  echo "downloaded $spec"
done
for wheel in .whl/*.whl; do
  keep=0
  for prefix in "${wanted[@]}"; do [[ "$(basename "$wheel")" == "$prefix"* ]] && keep=1; done
  if ((keep == 0)); then
    echo "removing $wheel (not listed)"
    rm -f "$wheel"
  fi
done

# what the wheels need that neither the image nor the wheels provide (install uses --no-deps)
"$PY" - <<'EOF'
import glob, re, zipfile
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
image = {norm(line.strip()) for line in open("bench/gpu_image_packages.txt") if line.strip() and line[0] != "#"}
carried = {norm(w.split("/")[-1].split("-")[0]) for w in glob.glob(".whl/*.whl")}
for wheel in sorted(glob.glob(".whl/*.whl")):
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    needs = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    needs = [n for n in needs if "extra ==" not in n]
    missing = [n for n in needs if norm(re.split(r"[ ;<>=!~\[(]", n, maxsplit=1)[0]) not in image | carried]
    print(f"{wheel.split('/')[-1]}: needs {len(needs)} packages" + (f"; NOT on the GPU machine: {missing}" if missing else ", all there"))
EOF

# stamp: which commit these files are (gpu_check.sh compares the tree hash there)
tree_hash="$(git ls-files --cached --others --exclude-standard -- unpredict_core bench tests |
  grep -E '\.(py|sh)$' | while read -r f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
dirty=false
[[ -n "$(git status --porcelain -- unpredict_core bench tests 2>/dev/null)" ]] && dirty=true
printf '{"commit": "%s", "dirty": %s, "tree_sha256_16": "%s", "stamped_utc": "%s"}\n' \
  "$(git rev-parse HEAD)" "$dirty" "$tree_hash" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >.whl/tree.json
cat .whl/tree.json

wheels_bytes=$(du -cb .whl/*.whl | tail -1 | cut -f1)
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | du --files0-from=- -cb 2>/dev/null | tail -1 | cut -f1)
echo "wheels $((wheels_bytes / 1048576)) MiB (limit ${LIMIT_MIB}); tree that travels with them $(((wheels_bytes + tree_bytes) / 1048576)) MiB (limit 64)"
if ((wheels_bytes > LIMIT_MIB * 1048576 || wheels_bytes + tree_bytes > 64 * 1048576)); then
  echo "too large to travel" >&2
  exit 1
fi
