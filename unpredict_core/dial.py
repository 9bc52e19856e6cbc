"""Alignment as a dial: an experiment's two sides plus a mixed side at weight α between them.

`run_with_mixed` runs (or finds) the ordinary two-sided run, under its unchanged cache key, then
the mixed side, stored as its own run under a key made of the two-sided key, α and the requested
mixture kind, so every α of a sweep is cached separately and repeating one is instant. The stored
mixed run holds only the `mixed` side (pair "<pair>+mixed"), so runs of the pair itself and the
benchmark scatter's base→aligned lines are untouched; the result returned has all three sides.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from unpredict_core import __version__
from unpredict_core.backends import mixture
from unpredict_core.backends.mixture import CLAIMS, TITLES, MixtureRefused, check_alpha, check_kind
from unpredict_core.backends.models import ModelPair, identity
from unpredict_core.errors import InvalidScores
from unpredict_core.experiments import get_experiment
from unpredict_core.params import canonical_number
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import RunRecord
from unpredict_core.runs import (
    BackendLoader,
    SideRequest,
    UnresolvedTally,
    cache_key,
    refuse_untrusted,
    run_experiment,
    save_or_keep,
    side_requests,
)
from unpredict_core.store.database import Store
from unpredict_core.trust import out_of_range

DIAL_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def writes_text(experiment: str, params) -> bool:
    """Whether the run needs written text, which the answer mixture cannot give: a free-text
    experiment (declared in the registry), or a sampled mode of an experiment with answers."""
    return get_experiment(experiment).free_text or getattr(params, "mode", "exact") != "exact"


def mixed_key(two_sided_key: str, alpha: float, mix: str) -> str:
    """The mixed run's cache key: everything the two-sided run depends on, plus α and the kind."""
    payload = {
        "with": two_sided_key,
        "mixed": {"alpha": canonical_number(alpha), "mixture": mix, "version": mixture.VERSION},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def item_key(experiment, pair, params, alpha, mix, load=None, formats=None, requests=None, known=None) -> str:
    """The mixed key without running anything (a sweep looks all its keys up first)."""
    sides = side_requests(experiment, pair, params, formats, requests)
    return mixed_key(cache_key(experiment, params, sides, load, known), check_alpha(alpha), check_kind(mix))


def refuse_text(experiment: str, params) -> None:
    raise MixtureRefused(
        f"The answer mixture cannot run {experiment}{' in mode ' + params.mode if hasattr(params, 'mode') else ''}: "
        "it mixes exact answer probabilities only and writes no text. Offered for it: exact random integers, "
        "rock-paper-scissors, hide-and-seek and the tournament."
    )


def run_with_mixed(
    experiment: str,
    pair: ModelPair,
    params,
    *,
    alpha: float,
    mix: str = "auto",
    store: Store,
    load: BackendLoader,
    formats: dict | None = None,
    requests: dict | None = None,
    progress: ProgressFn = no_progress,
) -> RunRecord:
    """The two-sided result of `experiment` with `sides.mixed` added (α, the kind used, its claim)."""
    alpha, mix = check_alpha(alpha), check_kind(mix)
    params = params.validate()
    if mix == "answers" and writes_text(experiment, params):
        refuse_text(experiment, params)
    sides = side_requests(experiment, pair, params, formats, requests)
    key = mixed_key(cache_key(experiment, params, sides, load), alpha, mix)
    found = store.find_run(key)

    def two_sided(part: ProgressFn) -> RunRecord:
        return run_experiment(
            experiment, pair, params, store=store, load=load, formats=formats, requests=requests, progress=part
        )

    if found is not None:
        refuse_untrusted(found)  # a mixed run the trust check marks is never an answer either
        two = two_sided(scaled(progress, 0.0, 0.9))
        progress(1.0, "mixed side answered from the cache")
        return merged(two, found, cached=True)
    # the kind first: a mixture the pair or the experiment cannot have is refused before any run
    models = (
        load(sides["base"].spec, scaled(progress, 0.0, 0.05)),
        load(sides["aligned"].spec, scaled(progress, 0.05, 0.1)),
    )
    kind, allowed = resolve_kind(experiment, params, mix, *models)
    two = two_sided(scaled(progress, 0.1, 0.4))
    started = time.monotonic()
    side = mixed_side(experiment, sides, params, alpha, kind, allowed, models, scaled(progress, 0.4, 1.0))
    module = get_experiment(experiment)
    result: dict[str, Any] = {
        "run_id": uuid.uuid4().hex[:16],
        "experiment": experiment,
        "pair": f"{pair.name}+mixed",
        "pair_note": f"The mixed side of pair {pair.name} at α={alpha:g} ({TITLES[side['mixture']]}).",
        "params": params.as_dict(),
        "code_version": f"{module.version}/{__version__}",
        "created_at": datetime.now(UTC).isoformat(),
        "provenance": "measured here",
        "mixed": {"alpha": alpha, "mixture": side["mixture"], "requested": mix, "with_run": two["run_id"]},
        "sides": {"mixed": side},
        "duration_s": time.monotonic() - started,
    }
    problems = out_of_range(result)
    if problems:
        raise InvalidScores(f"The mixed run gave numbers no measurement can: {problems[0]}. Nothing was stored.")
    result = json.loads(json.dumps(result, allow_nan=False))
    save_or_keep(store, cast(RunRecord, result), key)
    return merged(two, result, cached=False)


def merged(two: RunRecord, mixed_run: Mapping[str, Any], *, cached: bool) -> RunRecord:
    """The two-sided result with the mixed run's side added as `sides.mixed`."""
    return cast(
        RunRecord,
        dict(two)
        | {
            "sides": two["sides"] | {"mixed": mixed_run["sides"]["mixed"]},
            "mixed": mixed_run["mixed"],
            "mixed_run_id": mixed_run["run_id"],
            "cached": bool(two.get("cached")) and cached,
        },
    )


def resolve_kind(experiment: str, params, mix: str, base, aligned):
    """The kind to use for the loaded pair and what it allows; refused when it cannot be had."""
    from unpredict_core.backends.mixture import allowed_kinds, choose_kind

    allowed = allowed_kinds(base, aligned)
    kind = choose_kind(mix, allowed)
    if kind == "answers" and writes_text(experiment, params):
        refuse_text(experiment, params)
    return kind, allowed


def mixed_side(
    experiment: str,
    sides: dict[str, SideRequest],
    params,
    alpha: float,
    kind: str,
    allowed,
    models: tuple,
    progress: ProgressFn,
) -> dict:
    """One mixed side of the loaded pair `models`, of the resolved `kind`: the experiment run."""
    from unpredict_core.backends.mixture.answers import AnswerMixture
    from unpredict_core.backends.mixture.lockstep import run_mixed_side
    from unpredict_core.backends.mixture.token import TokenMixture
    from unpredict_core.backends.mixture.weights import interpolate

    module = get_experiment(experiment)
    base, aligned = models
    work = progress
    near = sides["aligned" if alpha >= 0.5 else "base"]
    if kind == "weights":
        backend = interpolate(base, aligned, alpha)
        outcome: dict[str, Any] = dict(module.run_side(UnresolvedTally(backend), near.fmt, near.request, params, work))
        outcome["format_note"] = " ".join(
            filter(
                None, [outcome.get("format_note"), f"one network: it reads the {near.fmt} prompt of the side nearer α."]
            )
        )
        label, ident = backend.label, backend.identity
    else:
        mixer = (TokenMixture if kind == "token" else AnswerMixture)(base, aligned, alpha)
        sided = [(sides[role].fmt, sides[role].request) for role in ("base", "aligned")]
        outcome = run_mixed_side(module.run_side, mixer, sided[0], sided[1], params, work)
        label, ident = mixer.label, mixer.identity
    return {
        "model": label,
        "identity": ident,
        "request": sides["base"].request if kind != "weights" else near.request,
        "requested_format": sides["base"].fmt if kind != "weights" else near.fmt,
        "alpha": alpha,
        "mixture": kind,
        "mixture_claim": CLAIMS[kind],
        "allowed_mixtures": list(allowed.kinds),
        "components": {role: {"model": s.spec.label, "identity": identity(s.spec)} for role, s in sides.items()},
    } | outcome


def dial_sweep(
    experiment: str,
    pair: ModelPair,
    params,
    alphas: Sequence[float] = DIAL_ALPHAS,
    *,
    mix: str = "auto",
    store: Store,
    load: BackendLoader,
    progress: ProgressFn = no_progress,
) -> list[RunRecord]:
    """`run_with_mixed` at every α (each cached on its own), in order."""
    results = []
    for index, alpha in enumerate(alphas):
        part = scaled(progress, index / len(alphas), (index + 1) / len(alphas))
        results.append(
            run_with_mixed(experiment, pair, params, alpha=alpha, mix=mix, store=store, load=load, progress=part)
        )
    return results
