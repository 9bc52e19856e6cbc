"""The shipped Open LLM Leaderboard table: one entry per model by a stated rule (bfloat16), the
other shown, and every row that cannot be read reported by its line while the others are placed."""

from __future__ import annotations

import pytest

from unpredict_core.errors import UnpredictError
from unpredict_core.results.leaderboard_table import load_table, parse_table

HEADER = "model,benchmark,score,source_url,note\n"


def row(model: str, benchmark: str, score: str, note: str = "eval_name=m_bfloat16") -> str:
    return f"{model},{benchmark},{score},https://example.org,{note}\n"


def test_the_shipped_table_places_the_papers_ten_models_and_smollm2():
    table = load_table()
    assert not table.problems
    assert len(table.chosen) == 12 and all(len(e.scores) == 7 for e in table.chosen.values())
    # two entries: the bfloat16 one is used, the other kept
    assert table.score("allenai/Llama-3.1-Tulu-3-70B", "IFEval")[0] == 82.91
    assert [e.name for e in table.others["allenai/Llama-3.1-Tulu-3-70B"]] == ["allenai_Llama-3.1-Tulu-3-70B_float16"]
    assert table.score("HuggingFaceTB/SmolLM2-135M-Instruct", "IFEval")[0] == 28.83  # chat template on
    # only a float16 entry: it is used
    assert table.score("meta-llama/Llama-3.1-8B", "IFEval")[0] == 12.46


@pytest.mark.parametrize("bad, words", [
    (row("a", "OLL v2 IFEval", ""), "line 3 (a, OLL v2 IFEval): the score is missing"),
    (row("a", "OLL v2 IFEval", "high"), "line 3 (a, OLL v2 IFEval): the score 'high' is not a number"),
    (row("a", "OLL v2 IFEval", "140"), "outside the leaderboard's 0–100 scale"),
    (row("a", "OLL v2 IFEval", "nan"), "outside the leaderboard's 0–100 scale"),
    (row("a", "OLL v2 Vibes", "10"), "unknown column 'OLL v2 Vibes'"),
    (row("a", "OLL v2 IFEval", "55"), "a duplicate of a's IFEval in entry m_bfloat16 with a different score"),
    (row("a", "OLL v2 IFEval", "51", note="second source"), "without an entry name"),
])  # fmt: skip
def test_a_bad_row_is_named_and_the_others_still_placed(bad, words):
    text = HEADER + row("a", "OLL v2 IFEval", "50") + bad + row("b", "OLL v2 IFEval", "20", "eval_name=b_float16")
    table = parse_table(text, "t.csv")
    assert len(table.problems) == 1 and words in table.problems[0] and "t.csv, line 3" in table.problems[0]
    assert table.score("a", "IFEval")[0] == 50 and table.score("b", "IFEval")[0] == 20


def test_an_unnamed_row_with_nothing_before_it_is_reported_not_a_crash():
    table = parse_table(HEADER + row("a", "OLL v2 IFEval", "50", "a model card") + row("b", "OLL v2 IFEval", "20"))
    assert len(table.problems) == 1 and "no entry name" in table.problems[0] and "line 2" in table.problems[0]
    assert "a" not in table.chosen and table.score("b", "IFEval")[0] == 20


def test_an_instruct_entry_run_without_its_chat_template_says_so():
    table = load_table()
    assert "WITHOUT its chat template" in table.score("meta-llama/Llama-3.1-8B-Instruct", "IFEval")[1]
    assert "WITHOUT" not in table.score("meta-llama/Llama-3.1-8B", "IFEval")[1]  # a base model runs without one
    assert "WITHOUT" not in table.score("meta-llama/Llama-3.1-70B-Instruct", "IFEval")[1]


def test_a_second_source_that_agrees_is_corroboration_not_a_problem():
    table = parse_table(HEADER + row("a", "OLL v2 IFEval", "50") + row("a", "OLL v2 IFEval", "50.00", "second source"))
    assert not table.problems and table.score("a", "IFEval")[0] == 50


def test_a_table_without_the_columns_is_refused():
    with pytest.raises(UnpredictError, match="needs a header"):
        parse_table("model,score\na,1\n")
