"""The CLI's JSON contract and its errors, as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unpredict_core", *args], capture_output=True, text=True, timeout=timeout
    )


def test_help():
    out = cli("--help")
    assert out.returncode == 0 and "run" in out.stdout


@pytest.mark.real_models
def test_exact_run_json_contract_and_cache_hit():
    first = cli("run", "random-integers", "--pair", "default", "--mode", "exact", "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert {"run_id", "experiment", "cached", "sides"} <= set(result)
    assert result["experiment"] == "random-integers" and result["cached"] is False
    for role, fmt in (("base", "plain"), ("aligned", "chat")):
        side = result["sides"][role]
        assert side["format"] == fmt and side["model"] and side["prompt"]
        assert set(side["answers"]) == {str(i) for i in range(11)}
        assert sum(side["answers"].values()) == pytest.approx(1.0)
        assert 0 < side["coverage"] <= 1
        assert {"chi2", "p_value", "kl", "tv", "entropy_bits", "p7"} <= set(side["metrics"])
    assert "%" in first.stderr, "progress goes to stderr"
    again = json.loads(cli("run", "random-integers", "--json").stdout)
    assert again["cached"] is True and again["run_id"] == result["run_id"]


@pytest.mark.real_models
def test_sampled_run_adds_counts_and_invalid():
    out = cli("run", "random-integers", "--mode", "sampled", "--n", "12", "--seed", "5", "--json")
    assert out.returncode == 0, out.stderr
    for side in json.loads(out.stdout)["sides"].values():
        assert sum(side["counts"].values()) <= 12 and isinstance(side["invalid"], int)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--mode", "sampled", "--n", "0"], "n must be between"),
        (["--mode", "sampled", "--n", "100000000"], "n must be between"),
        (["--pair", "no-such-pair"], "Unknown pair"),
        (["--base", "/nonexistent/model", "--aligned", "/nonexistent/other"], "not found"),
        (["--base", "/tmp"], "Give both"),
        (["--pair", "llama-3.1-8b-instruct"], "not in the local Hugging Face cache"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(args, message):
    out = cli("run", "random-integers", *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.real_models
def test_rps_json_contract():
    out = cli("run", "rps", "--pair", "default", "--adversary", "greedy", "--rounds", "2", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr
    for side in json.loads(out.stdout)["sides"].values():
        assert isinstance(side["net_score"], float) and len(side["rounds"]) == 2
        for r in side["rounds"]:
            assert set(r["p"]) == {"rock", "paper", "scissors"}
            assert (
                r["outcome"] in {"win", "tie", "loss"} and r["model_move"] in r["p"] and r["adversary_move"] in r["p"]
            )


@pytest.mark.real_models
def test_hide_and_seek_json_contract():
    out = cli("run", "hide-and-seek", "--pair", "default", "--spots", "7", "--rounds", "2", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr
    for side in json.loads(out.stdout)["sides"].values():
        assert 0 <= side["found_rate"] <= 1 and isinstance(side["net_score"], float)
        for r in side["rounds"]:
            assert set(r["p"]) == {str(i) for i in range(1, 8)} and isinstance(r["found"], bool)
            assert r["hide"] in r["p"] and r["seek"] in r["p"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["rps", "--rounds", "0"], "rounds must be between"),
        (["rps", "--adversary", "nobody"], "Unknown adversary"),
        (["hide-and-seek", "--spots", "1"], "spots must be between"),
        (["hide-and-seek", "--seeker", "nobody"], "Unknown seeker"),
    ],
)
def test_bad_game_input_exits_2(args, message):
    out = cli("run", *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["--alpha", "1.5"], "α must be between 0"),
        (["--alpha", "half"], "invalid float value"),
        (["--alpha", "nan"], "α must be between 0"),
        (["--mix", "token"], "give --alpha A with it"),
        (["--mode", "sampled", "--alpha", "0.5", "--mix", "answers"], "writes no text"),
    ],
)
def test_mixed_side_flags_refuse_bad_input_before_loading(args, message):
    out = cli("run", "random-integers", *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
