"""CPU rehearsal of bench/gpu_check.sh: make this Python look like the GPU machine's, package-wise.

With this folder on PYTHONPATH, site-packages is replaced on sys.path by a mirror (a folder of
symbolic links, built once in the temp folder) holding only the distributions that the GPU
machine's image has (bench/gpu_image_packages.txt) or that travel there as wheels (the names in
GPU_SIM_CARRIED), plus what those need here (our versions can need more than the image's:
huggingface_hub 2 needs httpx2). Everything else (duckdb unless carried, gguf, streamlit, the
default model packages, ...) is then absent as it is there: `import` fails and
`importlib.util.find_spec` returns None. Other sys.path entries (the repository, the standard
library) are left alone. Only absence is imitated, not versions (the GPU machine has older
torch and transformers).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import site
import sys
import tempfile
from pathlib import Path

LIST = Path(__file__).resolve().parent.parent / "gpu_image_packages.txt"
CARRIED = sorted(os.environ.get("GPU_SIM_CARRIED", "").split())


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _visible(dists: list) -> set[str]:
    """The image's distributions and, transitively, what their installed versions here require."""
    from packaging.requirements import Requirement

    by_name = {_norm(d.metadata["Name"]): d for d in dists if d.metadata["Name"]}
    todo = [_norm(line.strip()) for line in LIST.read_text().splitlines() if line.strip() and line[0] != "#"]
    todo += [_norm(name) for name in CARRIED]  # what bench/gpu_wheels.sh carries there
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        for text in by_name[name].requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_norm(req.name))
    return seen


def _mirror(folder: str) -> str:
    names = sorted(os.listdir(folder))
    key = hashlib.sha256("\n".join([LIST.read_text(), folder, *CARRIED, *names]).encode()).hexdigest()[:16]
    out = Path(tempfile.gettempdir()) / f"unpredict-gpusim-{key}"
    if out.is_dir():
        return str(out)
    dists = list(importlib.metadata.distributions(path=[folder]))
    keep = _visible(dists)
    entries: set[str] = set()
    for dist in dists:
        if _norm(dist.metadata["Name"] or "") not in keep:
            continue
        entries.add(Path(dist._path).name)  # its .dist-info folder
        if dist.files is None:  # no RECORD (not installed by pip): its top-level names at least
            for top in (dist.read_text("top_level.txt") or "").split():
                entries.update(name for name in os.listdir(folder) if name == top or name.startswith(top + "."))
        for file in dist.files or []:
            if file.parts and file.parts[0] not in ("..", "__pycache__"):
                entries.add(file.parts[0])
    work = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    for entry in entries:
        if os.path.lexists(os.path.join(folder, entry)):
            os.symlink(os.path.join(folder, entry), work / entry)
    try:
        work.rename(out)  # atomic: a concurrent interpreter either sees all of it or builds its own
    except OSError:  # another one finished first: use its mirror, drop ours (links only)
        if out.is_dir():
            for link in work.iterdir():
                link.unlink()
            work.rmdir()
            return str(out)
        return str(work)
    return str(out)


_sites = set(site.getsitepackages() + [site.getusersitepackages()])
sys.path[:] = [_mirror(p) if p in _sites and os.path.isdir(p) else p for p in sys.path]
