"""The Results page as a person reads it: a meaningful default chart with model names and the
shared side colours, χ² never on one axis across n, formatted numbers, an exports folder that
exists, an items export, and a drill-down to every round with its prompt (scripted pairs)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches, shown  # noqa: F401  (autouse fixture)
from unpredict_core.backends import scripted_pairs
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import rps
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_ui.colours import SIDE_COLOURS

RESULTS = str(Path(__file__).resolve().parents[2] / "pages/5_Results.py")


@pytest.fixture
def stored(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    store, loader = Store(), ScriptedLoader()
    runs = [
        run_experiment(ri.NAME, PAIR, ri.Params(mode=mode, n=10), store=store, load=loader)
        for mode in ("exact", "sampled")
    ]
    game_loader = scripted_pairs.ScriptedAwareLoader(loader)
    runs.append(run_experiment(rps.NAME, scripted_pairs.PAIR, rps.Params(rounds=3), store=store, load=game_loader))
    return runs, tmp_path / "cache" / "exports"


def test_default_chart_names_models_in_the_side_colours(stored):
    runs, exports = stored
    at = AppTest.from_file(RESULTS, default_timeout=60).run()
    assert not at.exception
    assert exports.is_dir()  # the folder the page shows exists before anything is written
    assert at.selectbox(key="kept.results.score").value == "p7"  # not "attempts"
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"#4C78A8"' in figure and '"#E45756"' in figure and SIDE_COLOURS["base"] == "#4C78A8"
    assert "scripted uniform vs scripted seven-lover" in figure
    assert not any(r["run_id"] in figure.split('"x"')[1][:2000] for r in runs)  # no hash on the x axis

    charts = len(at.get("plotly_chart"))
    at.selectbox(key="kept.results.score").set_value("chi2").run()
    assert len(at.get("plotly_chart")) == charts + 1 and "one chart per n" in " ".join(c.value for c in at.caption)


def test_compare_shows_formatted_numbers(stored):
    runs, _ = stored
    at = AppTest.from_file(RESULTS, default_timeout=60).run()
    at.multiselect(key="kept.results.pair2").set_value([runs[0]["run_id"], runs[1]["run_id"]]).run()
    compared = at.dataframe[-1].value
    cells = [str(v) for column in ("run A", "run B", "B − A") for v in compared[column]]
    assert "None" not in cells and not any(len(c.split(".")[-1]) > 6 for c in cells if c[:1].isdigit()), cells


def test_items_export_and_the_drill_down_to_a_round(stored):
    runs, exports = stored
    at = AppTest.from_file(RESULTS, default_timeout=60).run()
    at.radio(key="kept.results.export_what").set_value("items").run()
    at.text_input(key="kept.results.export_name_items").input("items").run()
    at.button(key="results.export.csv").click().run()
    assert not at.exception and "Wrote" in shown(at.success[0].value)
    con = duckdb.connect()
    rows = con.execute(
        "SELECT kind, output, probability, prompt FROM read_csv(?) WHERE side = 'aligned' AND kind = 'answer' "
        "AND output = 7 ORDER BY probability",
        [str(exports / "items.csv")],
    ).fetchall()
    assert len(rows) == 2 and all(0.5 < r[2] < 1 and "random integer" in r[3] for r in rows)

    game = runs[2]
    at.selectbox(key="kept.results.run").set_value(game["run_id"]).run()
    assert not at.exception
    at.selectbox(key=f"results.items.open.{game['run_id']}.base").set_value(2).run()
    codes = [c.value for c in at.code]
    assert any("Round 2:" in c and c.rstrip().endswith("Round 3: B played") for c in codes), codes
