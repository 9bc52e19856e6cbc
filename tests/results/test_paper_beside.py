"""The paper beside a measurement: the paper's numbers read from reference/, which way each goes,
and the sentence when a pair shows the opposite."""

from __future__ import annotations

from unpredict_core.results.paper_beside import CLAIMS, beside_result, beside_votes, compare, paper_numbers


def test_the_papers_numbers_come_from_the_reference_table_with_their_source():
    numbers, source = paper_numbers(CLAIMS["random-integers"])
    assert numbers == {"base": 13.9, "aligned": 115.1}  # Llama-3.1-8B base vs Llama-Instruct
    assert "8B" in source and "secondary summary" in source
    assert paper_numbers(CLAIMS["rps"])[0] == {"base": -15.0, "aligned": -50.1}
    assert paper_numbers(CLAIMS["ifbench"]) == (None, paper_numbers(CLAIMS["poetry"])[1])
    assert "gives no number" in paper_numbers(CLAIMS["ifbench"])[1]


def test_a_pair_that_goes_the_other_way_gets_a_sentence_saying_so():
    opposite = compare(CLAIMS["random-integers"], {"base": 40.0, "aligned": 12.0})
    assert opposite.opposite and opposite.measured_better == "aligned"
    assert opposite.sentence.startswith("Unlike the paper")
    assert "base 40, aligned 12" in opposite.sentence
    same = compare(CLAIMS["rps"], {"base": 5.0, "aligned": -30.0})
    assert not same.opposite and same.sentence.startswith("As in the paper")
    assert compare(CLAIMS["rps"], {"base": 1.0, "aligned": 1.0}).measured_better == "neither"
    # the benchmark goes the other way in the paper: aligned models score higher
    assert not compare(CLAIMS["ifbench"], {"base": 0.2, "aligned": 0.4}).opposite
    assert compare(CLAIMS["ifbench"], {"base": 0.4, "aligned": 0.2}).opposite


def test_sequences_are_judged_on_their_own_repeats():
    no_repeats = [list(range(10))] * 40
    iid_like = [[0, 0, 1, 1, 2, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 2, 2, 3, 4, 5], [0, 0, 0, 1, 2, 2, 3, 4, 5, 6]] * 14
    base = {"metrics": {"repetition_mode": 3}, "sequences": iid_like, "min_coverage": 0.5}
    aligned = {"metrics": {"repetition_mode": 0}, "sequences": no_repeats, "min_coverage": 0.9}
    result = {
        "experiment": "random-integers",
        "params": {"mode": "sequences"},
        "sides": {"base": base, "aligned": aligned},
    }
    beside = beside_result(result)
    assert beside.claim is CLAIMS["random-integers/sequences"] and beside.paper == {"base": 3.0, "aligned": 0.0}
    assert [c.verdict for c in beside.clauses] == ["as in the paper", "as in the paper"]
    assert beside.coverage == {"base": 0.5, "aligned": 0.9}
    result["sides"]["base"]["sequences"] = no_repeats[:1]
    assert [c.verdict for c in beside_result(result).clauses] == ["too few to tell", "too few to tell"]


def test_votes_are_read_as_the_base_poems_originality_win_rate():
    assert beside_votes({"originality": {"rate": 0.25}}).opposite
    assert not beside_votes({"originality": {"rate": 0.75}}).opposite
    assert beside_votes({"originality": {"rate": None}}).measured_better is None
