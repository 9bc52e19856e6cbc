"""Every "as in the paper" / "unlike the paper" sentence is computed clause by clause from the
numbers it stands beside: per experiment, results that agree, disagree and are too small."""

from __future__ import annotations

import pytest

from unpredict_core.experiments.poetry.metrics import win_rates
from unpredict_core.intervals import mean_interval
from unpredict_core.results.paper_beside import beside_result, beside_votes
from unpredict_core.results.verdicts import AS_PAPER, TOO_FEW, UNLIKE_PAPER

ANSWERS = [str(i) for i in range(11)]


def exact_side(p7: float, peak: float) -> dict:
    """An exact distribution with P(7) = p7 and P(0) = peak, the rest spread evenly."""
    rest = (1 - p7 - peak) / 9
    answers = {a: rest for a in ANSWERS} | {"0": peak, "7": p7}
    return {"answers": answers, "metrics": {"p7": p7}, "coverage": 0.5}


def integers(base: dict, aligned: dict, mode: str = "exact", n: int = 1500) -> dict:
    return {"experiment": "random-integers", "params": {"mode": mode, "n": n, "seed": 0},
            "sides": {"base": base, "aligned": aligned}}  # fmt: skip


def verdicts(result: dict) -> list[str]:
    return [c.verdict for c in beside_result(result).clauses]


def test_random_integers_each_clause_on_its_own():
    # the default pair as measured: aligned further from uniform, but its P(7) 3.9 % is below 1/11
    measured = integers(exact_side(0.016, 0.27), exact_side(0.039, 0.40))
    assert verdicts(measured) == [AS_PAPER, UNLIKE_PAPER]
    sentence = beside_result(measured).sentence
    assert "Unlike the paper: aligned models over-produce 7" in sentence and "3.9 %" in sentence
    assert "Same direction" not in sentence
    # the paper's pattern: aligned far from uniform and heavy on 7
    assert verdicts(integers(exact_side(0.09, 0.10), exact_side(0.30, 0.30))) == [AS_PAPER, AS_PAPER]
    # the other way round on both
    assert verdicts(integers(exact_side(0.30, 0.30), exact_side(0.05, 0.10))) == [UNLIKE_PAPER, UNLIKE_PAPER]


def sampled_side(counts: dict[str, int]) -> dict:
    from unpredict_core.experiments.random_integers.metrics import answer_intervals

    total = sum(counts.values())
    full = {a: counts.get(a, 0) for a in ANSWERS}
    return {"counts": full, "answers": {a: k / total for a, k in full.items()},
            "metrics": {"p7": full["7"] / total}, "answer_intervals": answer_intervals(full)}  # fmt: skip


def test_random_integers_sampled_too_small_says_so_with_n():
    small = integers(sampled_side({"0": 2, "7": 1, "3": 2}), sampled_side({"0": 3, "7": 2}), "sampled", 5)
    assert verdicts(small) == [TOO_FEW, TOO_FEW]
    assert "Too few to tell (n = 5 draws a side)" in beside_result(small).sentence
    big = integers(sampled_side({a: 100 for a in ANSWERS}), sampled_side({"7": 600, "3": 500}), "sampled", 1100)
    assert verdicts(big) == [AS_PAPER, AS_PAPER]


def game(experiment: str, base_outcomes: list[str], aligned_outcomes: list[str], top: tuple[float, float]) -> dict:
    def side(outcomes, p):
        rounds = [
            {"outcome": o, "found": o == "loss", "p": {"rock": p, "paper": (1 - p) / 2, "scissors": (1 - p) / 2}}
            for o in outcomes
        ]  # fmt: skip  (a hide-and-seek round stores `found`, an RPS round `outcome`)
        return {"rounds": rounds, "net_score": 0.0}

    return {"experiment": experiment, "params": {"rounds": len(base_outcomes), "spots": 3},
            "sides": {"base": side(base_outcomes, top[0]), "aligned": side(aligned_outcomes, top[1])}}  # fmt: skip


def test_rps_agrees_disagrees_and_is_too_small():
    wins, losses = ["win", "tie"] * 20, ["loss", "tie"] * 20
    agree = game("rps", wins, losses, (0.34, 0.9))
    agree["sides"]["base"]["rounds"][0]["p"]["rock"] = 0.4  # some spread in predictability
    agree["sides"]["aligned"]["rounds"][0]["p"]["rock"] = 0.8
    assert verdicts(agree) == [AS_PAPER, AS_PAPER]
    disagree = game("rps", losses, wins, (0.9, 0.34))
    disagree["sides"]["base"]["rounds"][0]["p"]["rock"] = 0.8
    disagree["sides"]["aligned"]["rounds"][0]["p"]["rock"] = 0.4
    assert verdicts(disagree) == [UNLIKE_PAPER, UNLIKE_PAPER]
    small = game("rps", ["win", "loss", "tie"], ["loss", "win", "tie"], (0.5, 0.5))
    assert verdicts(small)[0] == TOO_FEW and "3 rounds a side" in beside_result(small).sentence


def test_hide_and_seek_agrees_disagrees_and_is_too_small():
    escaped, found = ["win"] * 18 + ["loss"] * 2, ["loss"] * 18 + ["win"] * 2
    assert verdicts(game("hide-and-seek", escaped, found, (0.4, 0.9))) == [AS_PAPER]
    assert verdicts(game("hide-and-seek", found, escaped, (0.4, 0.9))) == [UNLIKE_PAPER]
    assert verdicts(game("hide-and-seek", ["win", "loss"], ["loss", "win"], (0.4, 0.9))) == [TOO_FEW]


def benchmark(experiment: str, base: tuple[int, int], aligned: tuple[int, int]) -> dict:
    from unpredict_core.experiments.instructions.scores import exact_interval, leaderboard_score

    def side(k, n):
        score = {"value": k / n, "successes": k, "trials": n, "ci": exact_interval(k, n)}
        accuracy = {"prompt_strict": score, "instruction_strict": score}
        return {"accuracy": accuracy | {"oll_ifeval": leaderboard_score(accuracy)}, "metrics": {}}

    return {
        "experiment": experiment,
        "params": {"limit": base[1]},
        "sides": {"base": side(*base), "aligned": side(*aligned)},
    }


@pytest.mark.parametrize("experiment", ["ifbench", "ifeval"])
def test_benchmarks_agree_disagree_and_are_too_small(experiment):
    assert verdicts(benchmark(experiment, (10, 200), (120, 200))) == [AS_PAPER]
    assert verdicts(benchmark(experiment, (120, 200), (10, 200))) == [UNLIKE_PAPER]
    small = benchmark(experiment, (0, 8), (1, 8))
    assert verdicts(small) == [TOO_FEW] and "8 prompts a side" in beside_result(small).sentence


def votes(n: int, base_wins: dict[str, int]) -> dict[str, dict[str, str]]:
    criteria = ("originality", "pleasantness", "preference")
    return {f"v{i}": {c: ("base" if i < base_wins[c] else "aligned") for c in criteria} for i in range(n)}


def test_poetry_votes_each_criterion_on_its_own():
    # four votes, base won preference 2 of 3 decisive: nothing can be claimed
    few = beside_votes(win_rates(votes(4, {"originality": 3, "pleasantness": 1, "preference": 2})))
    assert [c.verdict for c in few.clauses] == [TOO_FEW] * 3
    assert "aligned poems win on pleasantness" in few.sentence and "n = 4 votes" in few.sentence
    agree = beside_votes(win_rates(votes(100, {"originality": 80, "pleasantness": 20, "preference": 25})))
    assert [c.verdict for c in agree.clauses] == [AS_PAPER] * 3
    disagree = beside_votes(win_rates(votes(100, {"originality": 20, "pleasantness": 80, "preference": 75})))
    assert [c.verdict for c in disagree.clauses] == [UNLIKE_PAPER] * 3 and disagree.opposite


def test_mean_interval_is_a_t_interval_and_never_a_point():
    mean, (low, high) = mean_interval([1.0, 2.0, 3.0, 4.0], 0.0, 10.0)
    assert mean == 2.5 and low == pytest.approx(2.5 - 3.182446 * 1.290994 / 2, rel=1e-5) and high > mean
    assert mean_interval([], 0.0, 1.0) is None
    mean, (low, high) = mean_interval([-100.0] * 10, -100.0, 100.0)  # ten losses alike
    share = 0.025 ** (1 / 10)
    assert (mean, low) == (-100.0, -100.0) and high == pytest.approx(-100 * share + 100 * (1 - share))
    assert mean_interval([1.0], 0.0, 1.0)[1][0] < 0.05  # one value: almost anything is possible


def test_a_few_rounds_are_never_judged_as_if_exact():
    one = game("rps", ["win"], ["loss"], (0.5, 0.5))
    assert verdicts(one)[0] == TOO_FEW and "(exact)" not in beside_result(one).sentence
    two = game("hide-and-seek", ["win", "win"], ["loss", "loss"], (0.4, 0.9))
    assert verdicts(two) == [TOO_FEW]


def test_repeats_like_independent_draws_needs_its_interval_inside_the_band():
    def result(base_sequences):
        aligned = [list(range(10))] * 40
        return {"experiment": "random-integers", "params": {"mode": "sequences"},
                "sides": {"base": {"sequences": base_sequences}, "aligned": {"sequences": aligned}}}  # fmt: skip

    three, four = [0, 0, 1, 1, 2, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 2, 2, 3, 4, 5]
    assert verdicts(result([three, four] * 2))[1] == TOO_FEW  # 4 sequences: the interval is wide
    assert verdicts(result([three, four, three] * 30))[1] == AS_PAPER
    assert verdicts(result([list(range(10))] * 60))[1] == UNLIKE_PAPER  # never a repeat
    assert verdicts(result([three] * 2))[1] == TOO_FEW  # two alike: no spread, but no point either


def test_an_old_sampled_run_without_p7_intervals_gets_them_from_its_counts():
    base, aligned = sampled_side({"0": 2, "7": 1, "3": 2}), sampled_side({"0": 3, "7": 2})
    for side in (base, aligned):
        del side["answer_intervals"]
    assert verdicts(integers(base, aligned, "sampled", 5))[1] == TOO_FEW
