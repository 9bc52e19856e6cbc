"""Metrics against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from unpredict_core.backends.base import parse_choice
from unpredict_core.experiments.random_integers import metrics as m
from unpredict_core.experiments.random_integers import parse_sequence

UNIFORM = np.full(11, 1 / 11)


def test_chi2_of_counts_by_hand():
    counts = np.array([10] * 10 + [20])  # expected 120/11 each
    expected = 120 / 11
    by_hand = sum((c - expected) ** 2 / expected for c in counts)
    stat, p = m.chi2_counts(counts)
    assert stat == pytest.approx(by_hand)
    assert 0 < p < 1


def test_chi2_at_1500_matches_the_spec_formula():
    p = np.array([0.2] + [0.08] * 10)
    by_hand = 1500 * sum((x - 1 / 11) ** 2 / (1 / 11) for x in p)
    assert m.chi2_at_n(p, 1500) == pytest.approx(by_hand)
    assert m.chi2_at_n(UNIFORM) == pytest.approx(0.0, abs=1e-9)


def test_kl_tv_entropy_by_hand():
    p = np.array([0.5, 0.5] + [0.0] * 9)
    assert m.kl_to_uniform_bits(p) == pytest.approx(math.log2(11) - 1)
    assert m.entropy_bits(p) == pytest.approx(1.0)
    assert m.tv_to_uniform(p) == pytest.approx(0.5 * (2 * (0.5 - 1 / 11) + 9 / 11))
    assert m.entropy_bits(UNIFORM) == pytest.approx(math.log2(11))
    assert m.kl_to_uniform_bits(UNIFORM) == pytest.approx(0.0, abs=1e-12)


def test_metrics_work_on_a_batch_of_draws():
    batch = np.stack([UNIFORM, np.eye(11)[7]])
    assert m.entropy_bits(batch) == pytest.approx([math.log2(11), 0.0])


def test_empty_input_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        m.entropy_bits([])
    with pytest.raises(ValueError):
        m.bootstrap_intervals(UNIFORM, 0, {"h": m.entropy_bits})


def test_iid_repetition_curve_matches_the_spec():
    spec = [0.0015, 0.0346, 0.1924, 0.3770, 0.2927, 0.0909, 0.0104, 0.0004]
    curve = m.iid_repetition_distribution(11, 10)
    assert curve.sum() == pytest.approx(1.0)
    assert np.round(curve[:8], 4) == pytest.approx(spec, abs=1e-4)
    assert int(np.argmax(curve)) == 3  # the paper: true random draws most often repeat 3 times


def test_repetitions_and_histogram():
    assert m.repetitions([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) == 0
    assert m.repetitions([7] * 10) == 9
    assert list(m.repetition_histogram([[1, 1, 2], [1, 2, 3]], 3)) == [1, 1, 0]


def test_bootstrap_interval_covers_the_true_value():
    p = np.array([0.3] + [0.07] * 10)
    intervals = m.bootstrap_intervals(p, 1500, m.distribution_metrics([str(i) for i in range(11)]), seed=1)
    low, high = intervals["p0"] if "p0" in intervals else intervals["p7"]
    assert low < 0.07 < high
    low, high = intervals["entropy_bits"]
    assert low < m.entropy_bits(p) < high


def test_consistency_test_rejects_a_wrong_distribution_and_accepts_the_right_one():
    rng = np.random.default_rng(0)
    p = np.array([0.4, 0.3, 0.2, 0.1])
    counts = rng.multinomial(2000, p)
    assert m.chi2_consistency(counts, p).pvalue > 1e-3
    assert m.chi2_consistency(counts, [0.25] * 4).pvalue < 1e-6


@pytest.mark.parametrize(
    "text,answer",
    [
        ("7", "7"),
        (" 7", "7"),
        ("\n7.", "7"),
        ("10", "10"),
        ("1, 2", "1"),
        (" 10\n", "10"),
        ("100", None),
        ("7a", None),
        ("  7", None),
        ("seven", None),
        ("", None),
        ("x7", None),
    ],
)
def test_parse_choice_follows_the_exact_rule(text, answer):
    assert parse_choice(text, [str(i) for i in range(11)]) == answer


def test_parse_sequence():
    assert parse_sequence(" 1, 2, 3, 4, 5, 6, 7, 8, 9, 10") == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    assert parse_sequence("[3,3,3,3,3,3,3,3,3,3] done") == (3,) * 10
    assert parse_sequence("1, 2, 11, 4, 5, 6, 7, 8, 9, 10") is None
    assert parse_sequence("1, 2, 3") is None


def test_a_decided_answer_never_changes_when_the_text_grows():
    """Exhaustive over short strings: once `answer_decided` says yes, no extension changes the
    parse. This is what makes stopping decided rows early change no sampled result."""
    from itertools import product

    from unpredict_core.backends.base import answer_decided

    answers = [str(i) for i in range(11)]
    alphabet = ["1", "0", "7", " ", "\n", "a", ","]
    extensions = [""] + ["".join(p) for n in (1, 2) for p in product(alphabet, repeat=n)]
    decided = 0
    for n in range(1, 5):
        for chars in product(alphabet, repeat=n):
            text = "".join(chars)
            if answer_decided(text, answers):
                decided += 1
                parsed = parse_choice(text, answers)
                assert all(parse_choice(text + ext, answers) == parsed for ext in extensions), text
    assert decided > 1000  # the rule decides most strings early, or it would save nothing
    assert not answer_decided("1", answers) and not answer_decided(" ", answers)
    assert answer_decided("Sure", answers) and answer_decided(" 7,", answers)


def test_repetition_summary_of_counts_and_of_the_iid_reference():
    from unpredict_core.experiments.random_integers.metrics import iid_repetition_distribution, repetition_summary

    assert repetition_summary([2, 6, 2]) == {"mode": 1, "mean": 1.0, "no_repeat": 0.2}
    iid = repetition_summary(iid_repetition_distribution(11, 10))
    assert iid["mode"] == 3 and abs(iid["no_repeat"] - math.factorial(11) / 11**10) < 1e-12  # all ten distinct
