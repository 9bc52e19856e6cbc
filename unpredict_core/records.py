"""The shapes of a result, from the experiment that computes one side to the store, the CLI and the
pages that read it back.

They are TypedDicts, not classes with behaviour: a result stays the plain JSON that is stored, so a
run stored before these types existed loads as it is and its cache key is unchanged, while the type
checker sees every key a reader uses. An experiment's own side (`RandomIntegersSide`,
`GameSide`, ...) extends `SideOutcome` beside its code; `SideRecord` is what any reader may find on
a stored side, whatever the experiment.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Provenance = Literal[
    "measured here", "reported by the paper", "our reconstruction", "untrusted: stored numbers no measurement can give"
]


class SideOutcome(TypedDict):
    """What every experiment's `run_side` returns at least: the exact model input it used."""

    format: str  # "plain" or "chat"
    format_note: str  # why the format is what it is, when that needs saying ("" otherwise)
    prompt: str  # the rendered input, exactly as the model saw it


class SideRecord(SideOutcome, total=False):
    """A stored side: the outcome, what the run added about the model, and the numbers any reader
    (Results, the scatter, the CLI) looks for. Experiment-specific detail sits beside these."""

    model: str  # the side's label
    identity: str  # the model's identity (weights by content, a server by its answers)
    request: str  # the request text before rendering
    requested_format: str
    scoring: str  # set when probabilities were estimated from draws (a server without log-probabilities)
    unresolved: float  # the largest probability mass a server's top candidates may have missed
    repaired_characters: int  # lone surrogates in a server's text, replaced by U+FFFD where they entered
    stopped_short: dict[str, int]  # sampling cut by its attempt cap: valid, asked, attempts, cap
    skipped: str  # why this side was not played (a one-sided tournament)
    metrics: dict[str, float]  # the side's headline numbers
    coverage: float  # the share of mass (or of samples) that landed on a valid answer
    min_coverage: float  # games: the lowest coverage of any round
    net_score: float
    expected_net_score: float
    found_rate: float
    excluded: dict[str, Any]  # IFBench: what this machine cannot check
    verdicts: dict[str, int]  # IFBench: pass / fail / error counts


class RunRecord(TypedDict, total=False):
    """A run as stored and as every reader gets it back (`cached` is added on the way out)."""

    run_id: str
    experiment: str
    pair: str
    pair_note: str
    params: dict[str, Any]  # the experiment's `Params.as_dict()`
    code_version: str  # "<experiment VERSION>/<package version>"
    created_at: str  # ISO 8601, UTC
    provenance: Provenance
    sides: dict[str, SideRecord]  # "base", "aligned"
    duration_s: float  # the measurement alone
    load_s: float  # loading (and converting) the models, timed apart
    together: dict[str, float]  # computed with other runs (a sweep's lockstep batch): runs, duration_s, load_s
    cached: bool
    trust_problems: list[str]  # added on reading when the stored numbers fail the trust check (`trust`)
