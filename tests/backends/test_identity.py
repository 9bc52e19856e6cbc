"""Everything that changes a score is in the cache key: a local folder's weights by content (an
in-place edit that keeps size and mtime changes the identity), the device and dtype a model runs
in, and how many candidates a server scored from."""

from __future__ import annotations

import os
from dataclasses import replace

from tests.support.scripted_pair import PAIR
from tests.support.tiny_model import save_tiny
from unpredict_core.backends.loading import BackendCache, placement
from unpredict_core.backends.models import identity, spec_from_path
from unpredict_core.backends.server.client import ServerInfo
from unpredict_core.experiments import random_integers as ri
from unpredict_core.runs import cache_key, side_requests


def test_an_in_place_edit_that_keeps_size_and_mtime_changes_a_folders_identity(tmp_path):
    folder = save_tiny(tmp_path / "tiny")
    spec = spec_from_path(str(folder), role="base")
    before = identity(spec)
    weights = folder / "model.safetensors"
    stat = weights.stat()
    data = bytearray(weights.read_bytes())
    data[-5] ^= 0xFF  # one byte of the last tensor, same size
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old mtime
    assert weights.stat().st_size == stat.st_size and weights.stat().st_mtime_ns == stat.st_mtime_ns
    assert identity(spec) != before
    assert identity(spec) == identity(spec)  # stable while nothing changes


class _Placed:
    def __init__(self, where: str):
        self.where = where

    def placement(self, spec):
        return self.where


def test_device_and_dtype_are_part_of_the_key():
    sides = side_requests(ri.NAME, PAIR, ri.Params())
    cpu = cache_key(ri.NAME, ri.Params(), sides, _Placed("cpu/float32"))
    cuda = cache_key(ri.NAME, ri.Params(), sides, _Placed("cuda/bfloat16"))
    assert len({cpu, cuda, cache_key(ri.NAME, ri.Params(), sides)}) == 3
    spec = spec_from_path("/models/x", role="base")
    assert placement(spec, "cpu") == "cpu/float32" == BackendCache("cpu").placement(spec)
    assert placement(PAIR.base, "cpu") is None  # a scripted side has no device


def test_the_number_of_server_candidates_is_part_of_the_identity():
    info = ServerInfo("http://h:1", "m", "vllm", "f", logprobs=True, top_logprobs=1000, chat_template=None)
    assert info.identity != replace(info, top_logprobs=20).identity
    assert replace(info, logprobs=False, top_logprobs=0).identity.endswith("|sampled")
