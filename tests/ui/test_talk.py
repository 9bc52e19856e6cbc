"""Talk mode through AppTest on the scripted pair: slides stepped through the address, each drawn
from rehearsed runs without running anything, the paper's number beside ours; a slide that was not
rehearsed says how to rehearse it and can run on demand."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import unpredict_ui.talk as talk
from tests.support.scripted_pair import ScriptedLoader
from tests.support.ui_support import ROOT, clear_streamlit_caches, texts  # noqa: F401  (autouse fixture)
from unpredict_core.backends import scripted_pairs
from unpredict_core.store.database import Store
from unpredict_core.talk_rehearsal import SLIDE_KEYS, rehearse


@pytest.fixture
def scripted_talk(monkeypatch):
    monkeypatch.setattr(talk, "DEMO_PAIR", scripted_pairs.PAIR)
    monkeypatch.setattr(talk, "demo_loader", lambda: scripted_pairs.ScriptedAwareLoader(ScriptedLoader()))


def talk_page(slide: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["talk"] = "1"
    if slide:
        at.query_params["slide"] = slide
    return at.run()


def _slide(at: AppTest) -> str:
    value = at.query_params["slide"]
    return value[0] if isinstance(value, list) else value


def test_rehearsed_slides_step_through_the_address_and_run_nothing(scripted_talk):
    rehearse(scripted_pairs.PAIR, Store(), scripted_pairs.ScriptedAwareLoader(ScriptedLoader()))
    stored = Store().count_runs()
    at = talk_page()
    assert not at.exception and len(at.sidebar) == 0
    css = at.markdown[0].value
    assert "stToolbar" in css and "stHeader" in css and "display: none" in css
    assert _slide(at) == "title" and at.button(key="talk.prev").disabled
    assert "All 6 slides are rehearsed" in texts(at)
    charts = {}
    for key in SLIDE_KEYS[1:]:
        at.button(key="talk.next").click().run()
        assert not at.exception and not at.error and _slide(at) == key
        assert "not rehearsed" not in texts(at)
        charts[key] = at.get("plotly_chart")
    assert at.button(key="talk.next").disabled
    assert (len(charts["integers"]), len(charts["rps"]), len(charts["figure"])) == (2, 1, 1)
    assert '"size":18' in charts["rps"][0].proto.spec.replace(" ", "")  # projector-sized ticks and legend
    assert Store().count_runs() == stored, "every slide came from the store"

    at = talk_page("integers")  # a reload stays on its slide
    shown = texts(at)
    assert "**Paper** (χ² of 1,500 draws against uniform): base 13.9 · aligned 115.1" in shown
    assert "coverage 80.0%" in shown and "secondary summary" in shown


def test_an_unrehearsed_slide_says_how_to_rehearse_and_can_run_now(scripted_talk):
    assert any("Not rehearsed: integers, rps, hide, poem, figure" in w.value for w in talk_page().warning)
    at = talk_page("rps")
    assert "python -m unpredict_core warm --talk --pair scripted" in texts(at)
    assert not at.get("plotly_chart")
    at.button(key="talk.run.rps").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1 and Store().count_runs() == 1


def test_the_poem_slide_shows_a_blind_pair_and_the_audience_qr_code(scripted_talk, monkeypatch):
    monkeypatch.setenv("UNPREDICT_AUDIENCE_URL", "http://192.168.1.20:8502")
    rehearse(scripted_pairs.PAIR, Store(), scripted_pairs.ScriptedAwareLoader(ScriptedLoader()))
    at = talk_page("poem")
    assert not at.exception and not at.error
    shown = texts(at)
    assert "**Poem A**" in shown and "**Poem B**" in shown and "scripted" not in shown.split("Vote:")[0]
    run_id = Store().list_runs("poetry")[0]["run_id"]
    assert f"Vote: http://192.168.1.20:8502/?run={run_id}" in shown and "Localhost only" not in shown
    assert len(at.get("image")) == 1  # the QR code


def test_talk_mode_toggle_and_leave(scripted_talk):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.toggle(key="talk.toggle").set_value(True).run()
    assert at.query_params["talk"] in (["1"], "1")
    assert at.header[0].value.startswith("Base vs aligned")
    at.button(key="talk.leave").click().run()
    assert "talk" not in at.query_params
    assert at.title[0].value.startswith("unpredict:")
