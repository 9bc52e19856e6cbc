"""The Poetry page through AppTest and the real navigation: generate with scripted poets behind the
page's model loader, rate blind (whole votes only), and the analysis labels."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import unpredict_ui.running
from tests.support.ui_support import clear_streamlit_caches, shown, texts  # noqa: F401  (autouse fixture)
from tests.support.ui_support import open_page as open_at
from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.experiments import poetry
from unpredict_core.experiments.poetry.votes import draw_pair, record_vote
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/4_Poetry.py"
MODE = "kept.poetry.mode"
POEMS = {
    "base": {"Hands in the morning\nbread on the table\n\n\nChapter 2": 0.5, "The clock ticks on\nand on\n": 0.5},
    "aligned": {"Sure! Here's a poem:\n\nWork is good,\nwork is kind.\n\nI hope you enjoy it!": 1.0},
}


def open_page(timeout: float = 60) -> AppTest:
    return open_at(PAGE, timeout)


def loader(made: dict):
    def load(spec, progress=None):
        role = "base" if spec == DEFAULT_PAIR.base else "aligned"
        return made.setdefault(role, ScriptedBackend(lambda prompt: POEMS[role], f"fake {role}"))

    return load


@pytest.fixture
def scripted_poets(monkeypatch):
    """Scripted poets behind the page's model loader (the default pair's specs pick the side)."""
    made: dict[str, ScriptedBackend] = {}
    monkeypatch.setattr(unpredict_ui.running, "backends", lambda: loader(made))
    return made


def stored_run() -> dict:
    params = poetry.Params(topics=("work", "the internet"), samples=2, embeddings=False)
    return run_experiment("poetry", DEFAULT_PAIR, params, store=Store(), load=loader({}))


def generate(at: AppTest) -> AppTest:
    at.text_area(key="kept.poetry.topics").set_value("work\nthe internet").run()
    at.checkbox(key="kept.poetry.embeddings").uncheck().run()
    at.button(key="poetry.run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_generate_and_browse_side_by_side(scripted_poets):
    at = open_page()
    assert at.title[0].value == "Poetry"
    assert "work\nthe internet" in at.text_area(key="kept.poetry.topics").value  # the default list
    generate(at)
    shown = texts(at)
    assert "#### work" in shown and "#### the internet" in shown
    assert f"Poems measured here on {DEFAULT_PAIR.base.label.split(' (')[0]} vs" in shown
    assert "Work is good,\nwork is kind." in shown and "Sure!" not in shown  # cleaned
    assert "Cleaning: removed a chat preamble" in shown
    assert scripted_poets["base"].calls == 2 and scripted_poets["aligned"].calls == 2  # one batch per topic
    proxies = at.dataframe[0].value
    assert set(proxies["Source"]) == {"proxy (automatic, not a human judgement)"}
    assert len(Store().poem_rows(at.session_state["poetry"]["result"]["run_id"])) == 8


def test_empty_and_overlong_topics_are_refused_before_running(scripted_poets):
    at = open_page()
    at.text_area(key="kept.poetry.topics").set_value(" \n\n").run()
    assert any("at least one topic" in shown(e.value) for e in at.error)
    assert at.button(key="poetry.run").disabled
    at.text_area(key="kept.poetry.topics").set_value("work\n" + "very long " * 20).run()
    assert any("under 80 characters" in shown(e.value) for e in at.error)
    assert not scripted_poets, "no model was loaded"


def vote_radios(at: AppTest) -> dict:
    vote_id = at.session_state["poetry.blind_pair"]["pair"]["vote_id"]
    return {c: at.radio(key=f"poetry.answer.{vote_id}.{c}") for c in ("originality", "pleasantness", "preference")}


def submit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Submit vote").click().run()
    assert not at.exception
    return at


def test_rate_a_blind_pair_stores_the_whole_vote():
    run = stored_run()
    at = open_page()
    at.radio(key=MODE).set_value("rate").run()
    assert not at.exception and not at.error
    main = "\n".join(m.value for m in at.main.markdown)
    assert "#### Topic: " in main and "**Poem A**" in main and "**Poem B**" in main
    assert "**Base**" not in main and DEFAULT_PAIR.base.label not in main  # the sides stay hidden
    first_pair = at.session_state["poetry.blind_pair"]["pair"]
    at.text_input(key="kept.poetry.rater").input("Ann").run()
    for criterion, radio in vote_radios(at).items():
        radio.set_value("a" if criterion == "originality" else "b")
    submit(at)
    assert "Vote stored" in texts(at)
    rows = Store().vote_rows(run["run_id"])
    assert len(rows) == 3 and {r["rater"] for r in rows} == {"Ann"}
    chosen = {r["criterion"]: r["choice"] for r in rows}
    assert chosen == {"originality": "a", "pleasantness": "b", "preference": "b"}
    assert at.session_state["poetry.blind_pair"]["pair"]["vote_id"] != first_pair["vote_id"], "a new pair"


def test_a_vote_without_all_answers_or_rater_stores_nothing():
    run = stored_run()
    at = open_page()
    at.radio(key=MODE).set_value("rate").run()
    radios = vote_radios(at)
    radios["originality"].set_value("a")
    radios["pleasantness"].set_value("b")
    at.text_input(key="kept.poetry.rater").input("Ann").run()
    submit(at)
    assert any("Answer all three questions" in shown(e.value) for e in at.error)
    for radio in vote_radios(at).values():
        radio.set_value("a")
    at.text_input(key="kept.poetry.rater").input("").run()
    submit(at)
    assert any("Enter your name" in shown(e.value) for e in at.error)
    assert Store().vote_rows(run["run_id"]) == []


def test_analysis_labels_measured_reported_and_proxies():
    run = stored_run()
    store = Store()
    for i in range(6):
        pair = draw_pair(run, random.Random(i))
        answers = {"originality": "a", "pleasantness": "b", "preference": "a" if i % 2 else "b"}
        record_vote(store, pair, f"rater {i % 2}", answers)
    at = open_page()
    at.radio(key=MODE).set_value("analysis").run()
    assert not at.exception and not at.error
    frames = [d.value for d in at.dataframe]
    wins = frames[0].set_index("Criterion")
    assert wins.loc["originality", "Source"] == "measured here"
    assert wins.loc["originality", "Base wins"].endswith("of 6")
    rho = frames[1].set_index("Spearman ρ with preference")
    assert rho.loc["originality", "ρ, reported by the paper"] == "-0.08"
    assert rho.loc["pleasantness", "ρ, reported by the paper"] == "+0.34"
    assert set(frames[2]["Source"]) == {"proxy (automatic, not a human judgement)"}
    assert len(at.get("plotly_chart")) == 2  # win rates (measured here) and proxies
    assert "6 votes by 2 raters" in texts(at)


def test_rating_shows_progress_reveals_the_sides_and_runs_out_without_repeats():
    params = poetry.Params(topics=("work", "the internet"), samples=1, embeddings=False)
    run = run_experiment("poetry", DEFAULT_PAIR, params, store=Store(), load=loader({}))  # 2 pairs
    at = open_page()
    at.radio(key=MODE).set_value("rate").run()
    at.text_input(key="kept.poetry.rater").input("Ann").run()
    assert "Rated 0 of 2 pairs · 2 remaining" in texts(at)
    assert [o for o in vote_radios(at)["originality"].options] == ["Poem A", "Poem B", "Tie / both bad"]
    shown_pairs = []
    for _ in range(2):
        pair = at.session_state["poetry.blind_pair"]["pair"]
        shown_pairs.append({pair["poem_a"], pair["poem_b"]})
        for radio in vote_radios(at).values():
            radio.set_value("tie")
        submit(at)
        assert any(i.value.startswith("Revealed: Poem A was written by the **") for i in at.info)
    assert shown_pairs[0] != shown_pairs[1], "drawn without replacement"
    assert "Rated 2 of 2 pairs · 0 remaining" in texts(at)
    assert any("You have rated all 2 pairs" in s.value for s in at.success)
    assert {r["chosen_side"] for r in Store().vote_rows(run["run_id"])} == {"tie"}


def test_the_audience_app_offers_voting_only_and_its_votes_reach_the_analysis():
    run = stored_run()
    at = AppTest.from_file(str(ROOT / "audience" / "app.py"), default_timeout=60)
    at.query_params["run"] = run["run_id"]
    at.run()
    assert not at.exception and not at.error
    assert len(at.sidebar) == 0 and not at.text_input  # no pair picker, paths, servers or rater field
    assert not [b for b in at.button if b.label not in ("Submit vote", "Skip this pair")]  # nothing else to press
    rater = at.query_params["rater"]
    rater = rater[0] if isinstance(rater, list) else rater
    assert rater.startswith("audience-")
    vote_id = at.session_state["audience.blind_pair"]["pair"]["vote_id"]
    for criterion in ("originality", "pleasantness", "preference"):
        at.radio(key=f"audience.answer.{vote_id}.{criterion}").set_value("a")
    next(b for b in at.button if b.label == "Submit vote").click().run()
    assert not at.exception and "Revealed:" in texts(at)
    assert {r["rater"] for r in Store().vote_rows(run["run_id"])} == {rater}

    dashboard = open_page()
    dashboard.radio(key=MODE).set_value("analysis").run()
    wins = dashboard.dataframe[0].value.set_index("Criterion")
    assert wins.loc["originality", "Base wins"].endswith("of 1")


def test_the_audience_app_finds_its_run_by_id_and_says_when_it_is_gone(monkeypatch):
    import unpredict_core.store.database as database

    run = stored_run()
    newer = [
        run_experiment("poetry", DEFAULT_PAIR, poetry.Params(topics=(topic,), samples=1, embeddings=False),
                       store=Store(), load=loader({}))
        for topic in ("sea", "snow")
    ]  # fmt: skip
    assert len({r["run_id"] for r in [run, *newer]}) == 3
    # only the newest poetry run is "listed": the named one must still be found by its id
    monkeypatch.setattr(database.Store, "list_runs", lambda self, experiment=None, limit=200: [
        {"run_id": newer[-1]["run_id"]}][:limit])  # fmt: skip
    at = AppTest.from_file(str(ROOT / "audience" / "app.py"), default_timeout=60)
    at.query_params["run"] = run["run_id"]
    at.run()
    assert not at.exception and at.session_state["audience.blind_pair"]["run_id"] == run["run_id"]
    vote_id = at.session_state["audience.blind_pair"]["pair"]["vote_id"]
    for criterion in ("originality", "pleasantness", "preference"):
        at.radio(key=f"audience.answer.{vote_id}.{criterion}").set_value("b")
    Store().delete_runs([run["run_id"]])  # the presenter deletes the run while a voter answers
    next(b for b in at.button if b.label == "Submit vote").click().run()
    assert not at.exception
    assert any("no longer stored" in w.value for w in at.warning)
    assert not any("Answer all three questions" in e.value for e in at.error)  # the voter is not blamed
    assert all(at.session_state["audience.blind_pair"]["run_id"] != r["run_id"] for r in newer)  # no other run


def test_the_audience_address_is_parsed_not_searched(monkeypatch):
    from unpredict_ui.poetry.audience import URL_ENV, audience_url, is_local

    assert is_local("http://LOCALHOST:8502") and is_local("http://127.0.0.2:8502/") and is_local("http://[::1]:8502")
    assert not is_local("http://localhost.example.org:8502") and not is_local("http://192.168.1.20:8502")
    assert not is_local("http://example.org/?next=//localhost")
    assert (
        is_local("http://LOCALHOST.:8502") and is_local("http://[::ffff:127.0.0.1]:8502") and is_local("localhost:8502")
    )
    assert is_local("http://0.0.0.0:8502") and not is_local("http://localhost@evil.example:8502")
    monkeypatch.setenv(URL_ENV, "  ")
    assert audience_url("r1") == "http://localhost:8502/?run=r1"  # empty: the default, never a bare path
    monkeypatch.setenv(URL_ENV, "192.168.1.20:8502")
    assert audience_url("r1") == "http://192.168.1.20:8502/?run=r1"
    monkeypatch.setenv(URL_ENV, "http://192.168.1.20:8502/?x=1")
    assert audience_url("r1") == "http://192.168.1.20:8502/?x=1&run=r1"
    monkeypatch.setenv(URL_ENV, "http://192.168.1.20:8502/")
    assert audience_url("r1") == "http://192.168.1.20:8502/?run=r1" and audience_url() == "http://192.168.1.20:8502"
