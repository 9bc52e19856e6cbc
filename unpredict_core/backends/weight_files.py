"""Model files checked before anything reads them in earnest, and fingerprinted by content.

A bad file must get a message naming it, never a traceback or a hang: a path component too long
for the file system, a FIFO or a device where a file should be (reading it would block or never
end), a truncated safetensors file, a safetensors header length of 2^63, a GGUF claiming 2^62
tensors. `check_model_file` reads at most the headers; transformers and gguf see only files that
passed.

`content_digest` is what a local folder's identity (its cache key) reads of a weight file: the
whole file up to FULL_HASH_BYTES, else the safetensors header plus SAMPLES blocks spread evenly over
the file. An in-place edit that keeps a large file's size and mtime is seen when it touches the
header or a sampled block; README says so. Digests are remembered per process by (path, size,
mtime, ctime, inode): ctime changes on every write and cannot be set back.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import struct
from pathlib import Path

from unpredict_core.errors import ModelNotFound

MAX_SAFETENSORS_HEADER = 100 << 20  # safetensors' own limit
MAX_GGUF_COUNT = 1 << 20  # tensors or metadata keys in a GGUF: real files hold hundreds
FULL_HASH_BYTES = 64 << 20
SAMPLES, BLOCK = 64, 64 << 10  # 4 MiB read from a large file
_DIGESTS: dict[tuple, str] = {}


def file_problem(path: Path, exc: OSError) -> ModelNotFound:
    """An OSError on a model path as a message naming the path."""
    if exc.errno == errno.ENAMETOOLONG:
        longest = max((len(part.encode()) for part in Path(path).parts), default=0)
        why = f"a part of it is {longest} bytes long, more than the file system allows (255)"
    else:
        why = exc.strerror or str(exc)
    text = str(path)
    shown = text if len(text) <= 80 else text[:60] + "…" + text[-12:]
    return ModelNotFound(f"Cannot use the model path: {why} ({shown!r}).")


def regular_file(path: Path, what: str = "model file") -> os.stat_result:
    """The file's stat, or ModelNotFound unless it is a regular file (after symlinks)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelNotFound(f"The {what} {path} does not exist.") from None
    except OSError as exc:
        raise file_problem(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, socket or device"
        raise ModelNotFound(f"The {what} {path} is {kind}, not a regular file; nothing was read from it.")
    return info


def check_safetensors(path: Path) -> None:
    """A safetensors file whose header is sound and whose tensors all lie inside the file."""
    size = regular_file(path, "weights file").st_size
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise ModelNotFound(f"{path} is not a safetensors file: it holds only {size} bytes.")
        (length,) = struct.unpack("<Q", head)
        if length > MAX_SAFETENSORS_HEADER or length > size - 8:
            raise ModelNotFound(
                f"{path} is not a complete safetensors file: its header claims {length:,} bytes, "
                f"but the file holds {size:,} (truncated, or not safetensors)."
            )
        try:
            header = json.loads(handle.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ModelNotFound(f"{path} is not a safetensors file: its header is not JSON.") from None
    if not isinstance(header, dict):
        raise ModelNotFound(f"{path} is not a safetensors file: its header is not a JSON object.")
    data = size - 8 - length
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
            raise ModelNotFound(f"{path} is not a safetensors file: tensor {name[:60]!r} has no data offsets.")
        if not 0 <= offsets[0] <= offsets[1] <= data:
            raise ModelNotFound(
                f"{path} is truncated: tensor {name[:60]!r} ends at byte {offsets[1]:,} of the data, "
                f"but the file holds only {data:,} bytes of data."
            )


def check_gguf(path: Path) -> None:
    """A GGUF file whose magic, version and counts are plausible (before the gguf reader, which
    would try to allocate what a hostile header claims)."""
    size = regular_file(path, "GGUF file").st_size
    with open(path, "rb") as handle:
        head = handle.read(24)
    if head[:4] != b"GGUF":
        raise ModelNotFound(f"{path} does not start with the GGUF magic bytes, so it is not a GGUF file.")
    if len(head) < 24:
        raise ModelNotFound(f"{path} is a truncated GGUF file ({size} bytes).")
    version, tensors, keys = struct.unpack("<IQQ", head[4:24])
    if version not in (2, 3):
        raise ModelNotFound(f"{path} is GGUF version {version}; only versions 2 and 3 are read.")
    for count, what in ((tensors, "tensors"), (keys, "metadata keys")):
        if count > MAX_GGUF_COUNT or count * 8 > size:
            raise ModelNotFound(
                f"{path} claims {count:,} {what}, which a file of {size:,} bytes cannot hold: "
                "it is corrupt or not a real GGUF file."
            )


def check_model_folder(folder: Path) -> None:
    """Every file transformers would read in a model folder: regular, and sound if safetensors."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise file_problem(folder, exc) from None
    for path in entries:
        if path.suffix in (".json", ".jinja", ".model", ".txt", ".safetensors", ".bin", ".pt", ".pth"):
            regular_file(path)
            if path.suffix == ".safetensors":
                check_safetensors(path)


def content_digest(path: Path) -> str:
    """sha256 of what identifies a weight file's content (see the module docstring)."""
    info = regular_file(path, "weights file")
    memo = (str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    if memo in _DIGESTS:
        return _DIGESTS[memo]
    digest = hashlib.sha256(f"{path.name}|{info.st_size}".encode())
    with open(path, "rb") as handle:
        if info.st_size <= FULL_HASH_BYTES:
            while block := handle.read(1 << 20):
                digest.update(block)
        else:
            if path.suffix == ".safetensors":
                (length,) = struct.unpack("<Q", handle.read(8).ljust(8, b"\0"))
                digest.update(handle.read(min(length, MAX_SAFETENSORS_HEADER)))
            step = (info.st_size - BLOCK) // (SAMPLES - 1)
            for index in range(SAMPLES):
                handle.seek(index * step)
                digest.update(handle.read(BLOCK))
    _DIGESTS[memo] = digest.hexdigest()
    return _DIGESTS[memo]
