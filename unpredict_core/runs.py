"""Run an experiment on both sides of a pair, answering from the store when it can.

A run's cache key is the sha256 of everything that determines its result: experiment and its code
version, each side's model identity, where and in which precision it runs (`placement`: device and
dtype change logits), prompt format and request text, and the parameters (seed included). The
rendered prompt is a function of these, so models need not be loaded to know whether a run is
cached: a repeated run is answered in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unpredict_core import __version__
from unpredict_core.backends.base import (
    ChoiceScores,
    ModelBackend,
    PromptFormat,
    RenderedPrompt,
    ScoresOutOfRange,
    check_scores,
)
from unpredict_core.backends.models import ModelPair, ModelSpec, Role, identity
from unpredict_core.errors import InvalidScores, StoreError, UntrustedRun
from unpredict_core.experiments import Experiment, get_experiment
from unpredict_core.params import canonical_dict
from unpredict_core.paths import cache_dir
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import RunRecord, SideOutcome, SideRecord
from unpredict_core.store.database import Store
from unpredict_core.store.text_input import require_utf8
from unpredict_core.store.unsaved import unsaved_folders
from unpredict_core.trust import out_of_range

BackendLoader = Callable[[ModelSpec, ProgressFn], ModelBackend]
ROLES: tuple[Role, ...] = ("base", "aligned")
SAMPLED_NOTE = "sampled: probabilities estimated from draws, not exact"


class UnresolvedTally:
    """The backend, passed through, checking every score it gives (`check_scores`: a NaN or a
    probability above 1 is refused, whatever the backend) and noting the largest `unresolved` bound
    its scores carried: a server scores from its top candidates only, and a run should say how much
    that may have missed (the experiments never see the bound, and a shared backend serves other
    runs meanwhile)."""

    def __init__(self, backend: ModelBackend):
        self._backend = backend
        self.worst: float | None = None  # None: no score carried a bound (a local model)

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        try:
            scores = check_scores(self._backend.score_choices(prompt, choices), self._backend.label)
        except ScoresOutOfRange as exc:
            raise InvalidScores(f"{exc}: these are not probabilities, so nothing of this run was stored.") from None
        bound = getattr(scores, "unresolved", None)  # a sampled side's 0.0 is never stored (run_experiment)
        if bound is not None:
            self.worst = max(self.worst or 0.0, bound)
        return scores


@dataclass(frozen=True)
class SideRequest:
    spec: ModelSpec
    fmt: PromptFormat
    request: str
    role: Role = "base"


def side_requests(
    experiment: str,
    pair: ModelPair,
    params,
    formats: dict[str, PromptFormat] | None = None,
    requests: dict[str, str] | None = None,
) -> dict[str, SideRequest]:
    """Each side's format (its own by default) and request text (the experiment's by default)."""
    declared = get_experiment(experiment)
    sides: dict[str, SideRequest] = {}
    for role in ROLES:
        spec = pair.side(role)
        fmt = (formats or {}).get(role) or spec.default_format
        text = (requests or {}).get(role) or declared.default_request(params, fmt)
        sides[role] = SideRequest(spec, fmt, text, role)
    return sides


def placement_of(load, spec: ModelSpec) -> str | None:
    """Where and in which dtype `load` runs `spec` ("cpu/float32", "cuda/bfloat16"), or None for a
    loader that does not say (a scripted backend; a server, whose identity says it all)."""
    placement = getattr(load, "placement", None)
    return placement(spec) if placement is not None else None


def cache_key(experiment: str, params, sides: dict[str, SideRequest], load=None, known: dict | None = None) -> str:
    """`known` may carry each spec's (identity, placement) from an earlier call (a sweep's items
    share a few models: their identities are computed once)."""
    version = get_experiment(experiment).version
    known = {} if known is None else known

    def side(s: SideRequest) -> dict:
        if s.spec not in known:
            known[s.spec] = (identity(s.spec), placement_of(load, s.spec))
        model, where = known[s.spec]
        entry = {"model": model, "format": s.fmt, "request": s.request}
        if where is not None:
            entry["placement"] = where
        return entry

    payload = {
        "experiment": experiment,
        "code_version": f"{version}/{__version__}",
        "params": canonical_dict(params),
        "sides": {role: side(s) for role, s in sides.items()},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def run_experiment(
    experiment: str,
    pair: ModelPair,
    params,
    *,
    store: Store,
    load: BackendLoader,
    formats: dict[str, PromptFormat] | None = None,
    requests: dict[str, str] | None = None,
    progress: ProgressFn = no_progress,
) -> RunRecord:
    """The result of `experiment` on both sides of `pair`: from the store, or computed and stored."""
    declared = get_experiment(experiment)
    params, sides, key = prepare(experiment, pair, params, load, formats, requests)
    cached = store.find_run(key)
    if cached is not None:
        refuse_untrusted(cached)
        progress(1.0, "answered from the cache")
        return cached | {"cached": True}
    started, timed_load = time.monotonic(), TimedLoader(load)
    result = new_record(declared, pair, params)
    for index, role in enumerate(ROLES):
        side = sides[role]
        part = scaled(progress, index / len(ROLES), (index + 1) / len(ROLES))
        result["sides"][role] = _run_side(declared, side, params, timed_load, part)
    result["duration_s"] = time.monotonic() - started - timed_load.seconds  # the measurement itself
    result["load_s"] = timed_load.seconds  # loading (and a first run's one-time conversion) of the models
    return finish(result, store, key)


def refuse_untrusted(stored: RunRecord) -> None:
    """A stored run that fails the trust check is never an answer: say so, and how to recompute."""
    problems = stored.get("trust_problems")
    if problems:
        raise UntrustedRun(
            f"The stored run {stored['run_id']} for these settings fails the trust check "
            f"({'; '.join(problems[:3])}), so it is not used. Delete it (Results → Delete runs) and run again "
            "to measure afresh."
        )


def prepare(
    experiment: str,
    pair: ModelPair,
    params,
    load,
    formats: dict[str, PromptFormat] | None = None,
    requests: dict[str, str] | None = None,
    known: dict | None = None,
) -> tuple[Any, dict[str, SideRequest], str]:
    """A run's validated params, its sides' requests and its cache key, before any work (text the
    store cannot hold, non-UTF-8, is refused here). `known`: as for `cache_key`."""
    params = params.validate()
    sides = side_requests(experiment, pair, params, formats, requests)
    for role, side in sides.items():
        require_utf8(side.request, f"{role} request")
        require_utf8(side.spec.location, f"{role} model path")
    return params, sides, cache_key(experiment, params, sides, load, known)


class TimedLoader:
    """`load`, timing itself: loading and converting models is reported apart from the run."""

    def __init__(self, load: BackendLoader):
        self.load, self.seconds = load, 0.0

    def __call__(self, spec: ModelSpec, progress: ProgressFn) -> ModelBackend:
        started = time.monotonic()
        try:
            return self.load(spec, progress)
        finally:
            self.seconds += time.monotonic() - started


def new_record(declared: Experiment, pair: ModelPair, params) -> RunRecord:
    """A fresh run's record before its sides are played."""
    return {
        "run_id": uuid.uuid4().hex[:16],
        "experiment": declared.name,
        "pair": pair.name,
        "pair_note": pair.note,
        "params": params.as_dict(),
        "code_version": f"{declared.version}/{__version__}",
        "created_at": datetime.now(UTC).isoformat(),
        "provenance": "measured here",
        "sides": {},
    }


def finish(result: RunRecord, store: Store, key: str) -> RunRecord:
    """Check a computed run's numbers and store it; it comes back exactly as a cached one would."""
    problems = out_of_range(result)
    if problems:
        raise InvalidScores(f"The run gave numbers no measurement can: {problems[0]}. Nothing was stored.")
    result = json.loads(json.dumps(result, allow_nan=False))  # a fresh result looks exactly like a cached one
    save_or_keep(store, result, key)
    return result | {"cached": False}


def _run_side(declared: Experiment, side: SideRequest, params, load: BackendLoader, progress: ProgressFn) -> SideRecord:
    """One side of a run: played, or marked as sitting out (a one-sided tournament)."""
    if not declared.plays(params, side.role):
        return skipped_record(declared, side, params)
    backend = load(side.spec, scaled(progress, 0.0, 0.3))
    tally = UnresolvedTally(backend)
    repaired_before = int(getattr(backend, "repaired_characters", 0))  # a server's count runs on: this run's part
    outcome = declared.run_side(tally, side.fmt, side.request, params, scaled(progress, 0.3, 1.0))
    record = side_record(side, backend, tally, outcome)
    repaired = int(getattr(backend, "repaired_characters", 0)) - repaired_before
    if repaired:  # a server sent lone surrogates: replaced where they entered, and said
        record["repaired_characters"] = repaired
    return record


def skipped_record(declared: Experiment, side: SideRequest, params) -> SideRecord:
    """A side that sits this run out (the experiment's `plays` says so)."""
    assert declared.skipped_side is not None, f"{declared.name} lets a side sit out but says nothing of it"
    skipped = declared.skipped_side(side.fmt, side.request, params)
    return {"model": side.spec.label, "identity": identity(side.spec), "request": side.request, **skipped}


def side_record(side: SideRequest, backend: ModelBackend, tally: UnresolvedTally, outcome: SideOutcome) -> SideRecord:
    """A played side as stored: its outcome, and what the run knows of the model that played it."""
    record: SideRecord = {
        "model": side.spec.label,
        "identity": backend.identity,
        "request": side.request,
        "requested_format": side.fmt,
        **outcome,
    }
    if getattr(backend, "scoring", "logprobs") == "sampled":  # a server without log-probabilities
        record["scoring"] = SAMPLED_NOTE
    elif tally.worst is not None:
        record["unresolved"] = tally.worst
    return record


def save_or_keep(store: Store, result: RunRecord, key: str) -> None:
    """Store a finished run; if the store cannot take it (a full disk, a lost permission), keep the
    computed result as a JSON file and say where, instead of losing minutes or hours of work."""
    import duckdb

    try:
        store.save_run(result, key, result["duration_s"])
    except (StoreError, duckdb.Error, UnicodeError) as exc:  # whatever the store refused: the run is kept
        raise StoreError(f"{exc} {keep_unsaved(result, key, unsaved_folders(store), store.path)}") from exc


def keep_unsaved(result: RunRecord, key: str, folders: list[Path] | None = None, database: Path | None = None) -> str:
    """Write `result` to `unsaved/<run_id>.json` beside the database (else the temporary folder),
    naming the database it was meant for; the sentence that tells the user where it went, or that
    it could not be kept anywhere. That database imports it the next time it opens and can write
    (`store.unsaved`); no other does."""
    import tempfile

    meant = str(database.resolve()) if database is not None else None
    text = json.dumps({"cache_key": key, "result": result, "database": meant}, allow_nan=False)
    imported_from = folders or [cache_dir() / "unsaved"]
    for folder in (*imported_from, Path(tempfile.gettempdir()) / "unpredict-unsaved"):
        path, created = folder / f"{result['run_id']}.json", False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                created = True
                handle.write(text)
            again = " It is imported the next time the store opens and can write." if folder in imported_from else ""
            return f"The computed run was kept as {path}; nothing of it is in the database.{again}"
        except OSError:
            if created:  # a half-written file of ours; never another run's file of the same name
                path.unlink(missing_ok=True)
            continue
    return "The computed run could not be written anywhere either (is the disk full?); nothing was stored."
