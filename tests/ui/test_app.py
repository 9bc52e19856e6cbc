"""The dashboard driven through Streamlit's AppTest: home page, the real navigation to the Random
Numbers page, runs on the real default pair, and the error paths (no traceback ever)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.browser_support import closed_port_url
from tests.support.ui_support import clear_streamlit_caches, shown, texts  # noqa: F401  (autouse fixture)
from tests.support.ui_support import open_page as open_at
from unpredict_core.backends.models import DEFAULT_PAIR, PRESETS, ModelPair, ModelSpec, check_pair
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.experiments import random_integers
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_ui.random_integers.view import statistics_frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/1_Random_Numbers.py"
RUN = "random_numbers.run"
PRESET = "kept.pair.preset"
MODEL_LOAD_S = 400  # first use converts the GGUFs (~100 s); later loads take seconds


def open_page(timeout: float = 60) -> AppTest:
    return open_at(PAGE, timeout)


def test_home_page_shows_default_pair_and_its_note():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.selectbox(key=PRESET).value == "default"
    assert "Cross-family" in texts(at)
    assert DEFAULT_PAIR.base.label in texts(at) and DEFAULT_PAIR.aligned.label in texts(at)
    assert not at.error


def test_random_numbers_page_renders_before_any_run():
    at = open_page()
    assert at.title[0].value.endswith("Random numbers")
    assert at.button(key=RUN).disabled is False
    assert at.radio(key="kept.random_numbers.mode").value == "exact"
    assert at.number_input(key="kept.random_numbers.n").value == random_integers.PAPER_N
    assert not at.error


def test_picked_pair_survives_a_page_switch():
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select("smollm2-135m").run()
    at.radio(key="kept.random_numbers.mode").set_value("sampled").run()
    at.switch_page("pages/0_Home.py").run()
    assert at.sidebar.selectbox(key=PRESET).value == "smollm2-135m"
    at.switch_page(PAGE).run()
    assert at.radio(key="kept.random_numbers.mode").value == "sampled"
    assert not at.exception


def test_missing_preset_shows_its_message_not_a_traceback():
    hub_pairs = {name: pair for name, pair in PRESETS.items() if pair.aligned.source == "hf"}
    missing = next((name for name, pair in hub_pairs.items() if not check_pair(pair).ok), None)
    if missing is None:
        pytest.skip("every preset is available on this machine")
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select(missing).run()
    assert not at.exception
    assert any("is not in the local Hugging Face cache" in shown(e.value) for e in at.sidebar.error)  # a hub pair
    assert at.button(key=RUN).disabled


def test_an_unbuilt_ladder_preset_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_LADDER_DIR", str(tmp_path / "no-ladder-here"))
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select("ladder-dpo").run()
    assert not at.exception
    assert any("missing: run `python -m unpredict_core ladder build`" in shown(e.value) for e in at.sidebar.error)
    assert at.button(key=RUN).disabled


def test_custom_pair_with_nonexistent_path_shows_error():
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input("/nonexistent/base-model")
    at.sidebar.text_input(key="kept.pair.custom.aligned").input("/nonexistent/aligned-model").run()
    assert not at.exception
    assert any("/nonexistent/base-model" in shown(e.value) for e in at.error)
    assert at.button(key=RUN).disabled


def test_custom_pair_on_a_server_that_is_not_running_says_so():
    url = closed_port_url()
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input(f"{url}#base")
    at.sidebar.text_input(key="kept.pair.custom.aligned").input(url).run()
    assert not at.exception
    assert any("Cannot reach the model server" in shown(e.value) for e in at.sidebar.error), [e.value for e in at.error]
    assert at.button(key=RUN).disabled


def test_broken_model_folder_fails_on_run_with_a_message(tmp_path, monkeypatch):
    """A folder that passes the file check but cannot be loaded: the error comes from the run."""
    monkeypatch.setenv("UNPREDICT_MODEL_DIRS", str(tmp_path))  # typed paths must be in allowed dirs
    (tmp_path / "config.json").write_text("{}")
    at = open_page()
    at.sidebar.selectbox(key=PRESET).select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input(str(tmp_path))
    at.sidebar.text_input(key="kept.pair.custom.aligned").input(str(tmp_path)).run()
    at.button(key=RUN).click().run()
    assert not at.exception
    assert any(str(tmp_path) in shown(e.value) for e in at.error)
    assert "Measured here" not in texts(at)


# -- display of sampled and sequences results, from a scripted pair (no weights needed) -------------
def scripted_result(mode: str) -> dict:
    pair = ModelPair(
        "scripted", ModelSpec("fake base", "scripted", "base"), ModelSpec("fake aligned", "scripted", "aligned")
    )
    scripts = {
        "base": {" 3": 0.3, " 7": 0.2, "10": 0.2, "0, 1, 2, 3, 4, 5, 6, 7, 8, 9": 0.2},
        "aligned": {" 7": 0.6, "7, 7, 3, 4, 5, 6, 8, 9, 10, 1": 0.3},
    }
    backends = {role: ScriptedBackend(constant(s), label=f"fake {role}") for role, s in scripts.items()}
    params = random_integers.Params(mode=mode, n=200, seed=1)
    return run_experiment(
        "random-integers",
        pair,
        params,
        store=Store(),
        load=lambda spec, progress: backends[spec.location],
    )


@pytest.mark.parametrize("mode", ["exact", "sampled", "sequences"])
def test_result_display_for_each_mode(mode):
    result = scripted_result(mode)
    at = open_page()
    at.session_state["random_numbers"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Measured here on fake base vs fake aligned" in shown
    assert "Prompt sent" in shown
    assert "settings have changed" in shown  # the kept result does not match the widgets
    frame = at.dataframe[0].value
    assert list(frame.columns[:3]) == ["Statistic", "Base", "Aligned"]
    if mode != "exact":
        assert "invalid" in shown and "attempts" in shown
        assert "Invalid (parse failures)" in set(frame["Statistic"])


def test_statistics_frame_shows_intervals_in_brackets():
    frame = statistics_frame(scripted_result("sampled"))
    p7 = frame.set_index("Statistic").loc["P(7)"]
    assert "[" in p7["Base"] and "[" in p7["Aligned"]
    assert p7["Uniform (reference)"] == "9.1%"


# -- the real default pair ---------------------------------------------------------------------------
@pytest.mark.real_models
def test_run_exact_on_default_pair_then_answer_from_cache():
    at = open_page(timeout=MODEL_LOAD_S)
    at.button(key=RUN).click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Measured here on" in shown
    assert f"Base · {DEFAULT_PAIR.base.label}" in shown
    assert f"Aligned · {DEFAULT_PAIR.aligned.label}" in shown
    coverage = [m for m in at.metric if m.label == "Coverage"]
    assert len(coverage) == 2 and all(m.value.endswith("%") for m in coverage)
    assert "<|im_start|>" in "\n".join(c.value for c in at.code)  # the aligned side's chat prompt
    assert "Measured now" in shown
    frame = at.dataframe[0].value.set_index("Statistic")
    assert frame.loc["Coverage", "Base"] == coverage[0].value

    at.button(key=RUN).click().run(timeout=30)
    assert not at.exception
    assert "Answered from the cache" in texts(at)

    at.number_input(key="kept.random_numbers.seed").set_value(7).run()
    assert "settings have changed" in texts(at)  # the last result stays on screen
    assert len(at.dataframe) == 1
