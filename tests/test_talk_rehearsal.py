"""The talk's rehearsal command: `python -m unpredict_core warm --talk` stores every slide's runs,
a second rehearsal finds them all stored, and each slide then reads its runs without running."""

from __future__ import annotations

import json

from tests.support.scripted_pair import ScriptedLoader
from unpredict_core.backends import scripted_pairs
from unpredict_core.cli import main
from unpredict_core.store.database import Store
from unpredict_core.talk_rehearsal import SLIDES, slide_results


def test_warm_talk_stores_every_slide_and_a_second_run_is_all_cached(monkeypatch, capsys):
    monkeypatch.setenv(scripted_pairs.ENABLE_ENV, "1")
    assert main(["warm", "--talk", "--pair", "scripted", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["runs"]
    planned = [s.key for s in SLIDES for _ in s.runs("auto")]
    assert [r["slide"] for r in first] == planned
    assert {r["experiment"] for r in first} == {"random-integers", "rps", "hide-and-seek", "poetry", "ifeval"}
    assert main(["warm", "--talk", "--pair", "scripted", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["runs"]
    assert all(r["cached"] for r in again) and [r["run_id"] for r in again] == [r["run_id"] for r in first]
    load = scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
    for s in SLIDES:
        assert all(r is not None for r in slide_results(s.key, scripted_pairs.PAIR, Store(), load)), s.key


def test_warm_without_a_target_is_a_user_error(capsys):
    assert main(["warm"]) == 2
    assert "--talk" in capsys.readouterr().err
