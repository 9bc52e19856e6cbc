"""The paper's findings per experiment as clauses, each judged from one run's numbers
(`verdicts` says how). Keyed like `paper_beside.CLAIMS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from unpredict_core.experiments.games.hide_and_seek import net_value as hide_net
from unpredict_core.experiments.games.rps import net_value as rps_net
from unpredict_core.experiments.random_integers.figure_score import chi2_value
from unpredict_core.experiments.random_integers.metrics import clopper_pearson
from unpredict_core.intervals import mean_interval
from unpredict_core.results.verdicts import (
    IID_MEAN_REPETITIONS,
    Clause,
    Estimate,
    above,
    both,
    compare_sides,
    fmt,
    higher,
    judge,
)

UNIFORM_SHARE = 1 / 11


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _num(x: float) -> str:
    return f"{x:,.1f}"


def _score(value_of: Callable[..., Any], params: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], Estimate | None]:
    def get(side: Mapping[str, Any]) -> Estimate | None:
        found = value_of(side, params) if side else None
        return (found.value, found.ci) if found is not None else None

    return get


def _draws(result: Mapping[str, Any]) -> str:
    params = result.get("params") or {}
    return "exact" if params.get("mode") == "exact" else f"n = {params.get('n')} draws a side"


def random_integers(result: Mapping[str, Any]) -> list[Clause]:
    params, sides = result.get("params") or {}, result.get("sides") or {}
    closer = compare_sides("base models come closer to uniform (a lower χ² of 1,500 draws)",
                           both(sides, _score(chi2_value, params)), "lower", "χ²", _num, _draws(result))  # fmt: skip
    return [closer, over_produces_seven(sides, _draws(result))]


def _p7(side: Mapping[str, Any]) -> Estimate | None:
    """P(7): exact (no interval) for an exact side; for a sampled side its exact binomial interval,
    worked out from the counts for runs stored before the interval was (never taken as exact)."""
    p7 = (side.get("metrics") or {}).get("p7")
    if p7 is None:
        return None
    ci = (side.get("answer_intervals") or {}).get("7")
    counts = side.get("counts")
    if not ci and counts:
        total = int(sum(counts.values()))
        ci = clopper_pearson(int(counts.get("7", 0)), total) if total else None
        if ci is None:
            return None
    return float(p7), (float(ci[0]), float(ci[1])) if ci else None


def over_produces_seven(sides: Mapping[str, Any], n: str) -> Clause:
    """Holds only if the aligned P(7) is above uniform's 1/11 and above the base's P(7)."""
    claim = "aligned models over-produce 7"
    pair = both(sides, _p7)
    if pair is None:
        return compare_sides(claim, None, "lower", "P(7)", _pct)
    base, aligned = pair
    over_uniform, over_base = above(aligned, UNIFORM_SHARE), higher(aligned, base)
    holds: bool | None
    if over_uniform is False or over_base is False:
        holds = False
    elif over_uniform and over_base:
        holds = True
    else:
        holds = None
    evidence = f"aligned P(7) {fmt(aligned, _pct)}, base {fmt(base, _pct)}, uniform {_pct(UNIFORM_SHARE)}"
    return judge(claim, holds, evidence, n)


def _repetitions(side: Mapping[str, Any]) -> Estimate | None:
    return mean_interval([len(s) - len(set(s)) for s in side.get("sequences") or []], 0.0, 9.0)


def sequences(result: Mapping[str, Any]) -> list[Clause]:
    sides = result.get("sides") or {}
    counts = [len((sides.get(r) or {}).get("sequences") or []) for r in ("base", "aligned")]
    n = f"{counts[0]} and {counts[1]} sequences"
    fewer = compare_sides("aligned models avoid repeats more than base models (fewer repeats in ten draws)",
                          both(sides, _repetitions), "higher", "mean repeats", _num, n)  # fmt: skip
    return [fewer, like_independent_draws(_repetitions(sides.get("base") or {}), n)]


IID_MARGIN = 0.5  # repeats per sequence: "about as often" means within half a repeat of 3.24


def like_independent_draws(base: Estimate | None, n: str) -> Clause:
    """An equivalence claim, so judged as one: as in the paper only if the whole interval of the
    base's mean repeats lies within ±0.5 of independent draws' 3.24, unlike it only if the whole
    interval lies outside that band; an interval that merely contains 3.24 proves nothing."""
    claim = f"base models repeat about as often as independent draws ({IID_MEAN_REPETITIONS:.2f} on average)"
    if base is None or base[1] is None:
        return judge(claim, None, "too few base sequences", n)
    low, high = base[1]
    band = (IID_MEAN_REPETITIONS - IID_MARGIN, IID_MEAN_REPETITIONS + IID_MARGIN)
    holds = True if band[0] <= low and high <= band[1] else False if high < band[0] or low > band[1] else None
    return judge(
        claim, holds, f"base mean repeats {fmt(base, _num)}, independent draws' band {band[0]:.2f}–{band[1]:.2f}", n
    )


def _rounds(result: Mapping[str, Any]) -> str:
    rounds = (result.get("params") or {}).get("rounds")
    return f"{rounds} round{'' if rounds == 1 else 's'} a side"


def _predictability(side: Mapping[str, Any]) -> Estimate | None:
    return mean_interval([max(r["p"].values()) for r in side.get("rounds") or [] if r.get("p")], 0.0, 1.0)


def rps(result: Mapping[str, Any]) -> list[Clause]:
    params, sides = result.get("params") or {}, result.get("sides") or {}
    n = _rounds(result)
    net = both(sides, _score(rps_net, params))
    top = both(sides, _predictability)
    return [
        compare_sides("aligned models lose to the adversary more than base models", net, "higher", "net score",
                      _num, n),
        compare_sides("aligned models are more predictable (a higher mean top-move probability)", top, "lower",
                      "predictability", _pct, n),
    ]  # fmt: skip


def hide_and_seek(result: Mapping[str, Any]) -> list[Clause]:
    params, sides = result.get("params") or {}, result.get("sides") or {}
    net = both(sides, _score(hide_net, params))
    claim = "base models hide less predictably than aligned models (a higher net score)"
    return [compare_sides(claim, net, "higher", "net score", _num, _rounds(result))]


def _accuracy(metric: str, scale: float) -> Callable[[Mapping[str, Any]], Estimate | None]:
    def get(side: Mapping[str, Any]) -> Estimate | None:
        score = (side.get("accuracy") or {}).get(metric) or {}
        if score.get("value") is None or not score.get("ci"):
            return None
        return scale * score["value"], (scale * score["ci"][0], scale * score["ci"][1])

    return get


def benchmark(metric: str, label: str, scale: float) -> Callable[[Mapping[str, Any]], list[Clause]]:
    def clauses(result: Mapping[str, Any]) -> list[Clause]:
        n = f"{(result.get('params') or {}).get('limit')} prompts a side"
        return [compare_sides("aligned models score higher on the benchmark", both(result.get("sides") or {},
                              _accuracy(metric, scale)), "lower", label, _num, n)]  # fmt: skip

    return clauses


def votes(rates: Mapping[str, Mapping[str, Any]]) -> list[Clause]:
    """Blind votes: base wins originality; aligned wins pleasantness and overall preference."""
    out = []
    for criterion, base_should_win in (("originality", True), ("pleasantness", False), ("preference", False)):
        rate = rates.get(criterion) or {}
        winner = "base" if base_should_win else "aligned"
        claim = f"{winner} poems win on {criterion}"
        if rate.get("rate") is None:
            out.append(judge(claim, None, "no decisive votes yet", "0 votes"))
            continue
        estimate = (float(rate["rate"]), (float(rate["ci_low"]), float(rate["ci_high"])))
        base_wins = above(estimate, 0.5)
        holds = None if base_wins is None else base_wins == base_should_win
        evidence = f"base won {rate['base_wins']} of {rate['votes']} ({fmt(estimate, _pct)})"
        out.append(judge(claim, holds, evidence, f"n = {rate['votes']} votes"))
    return out


CLAUSES: dict[str, Callable[[Mapping[str, Any]], list[Clause]]] = {
    "random-integers": random_integers,
    "random-integers/sequences": sequences,
    "rps": rps,
    "hide-and-seek": hide_and_seek,
    "ifbench": benchmark("instruction_strict", "instruction-level strict accuracy, %", 100.0),
    "ifeval": benchmark("oll_ifeval", "IFEval on the leaderboard's scale", 1.0),
}
