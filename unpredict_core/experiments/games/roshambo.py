"""The RoShamBo field: the bots of the International RoShamBo Programming Competition as opponents.

OpenSpiel (PyPI `open-spiel`) ships the 1999 competition's bots and Greenberg, the 2000 winner.
Each one sees only the move history, as in the competition. They are C code, so each game's bot
runs in a process of its own (`roshambo_worker.py`): a bot that crashes ends that process and
the game with a message, never the dashboard or the CLI.

Two facts measured here decide how a bot is run:
- Most bots draw from the C library's random(), shared by everything in a process. Each game's
  process seeds it with srandom(seed) before the bot is built, and no other game runs there, so a
  game is reproducible (33 of 43 bots played differently on an unseeded rerun).
- A bot is told the match length when it is built. Greenberg clears 1,000-entry tables
  whatever that length is, so a bot built for fewer throws corrupts its heap (it aborted at the
  first move for 10, 20, 50 and 100 throws). Every bot is therefore built for the competition's
  1,000 throws (also the longest game here) and the game simply stops after its rounds; all 43
  played 1,000 rounds that way without a crash.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import select
import signal
import subprocess
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from unpredict_core.errors import InvalidParameter, UnpredictError
from unpredict_core.experiments.games.engine import Opponent, Round, Rules

PREFIX = "roshambo:"
THROWS = 1000  # the competition's match length; see the module docstring
REPLY_TIMEOUT_S = 60.0  # the slowest bot took 0.25 s for a whole 1,000-throw game
MOVES = ("rock", "paper", "scissors")  # OpenSpiel's matrix_rps actions 0, 1, 2
WORKER = Path(__file__).with_name("roshambo_worker.py")
PACKAGE = "open-spiel==2.0.2"
MODULE = "pyspiel"  # what OpenSpiel installs (tests point this elsewhere to play "not installed")

# pyspiel.roshambo_bot_names() of open-spiel 2.0.2 (a test checks they agree), so that listing and
# checking names needs no bot process and works, with a reason, where open-spiel is missing.
BOT_NAMES: tuple[str, ...] = (
    "actr_lag2_decay", "adddriftbot2", "addshiftbot3", "antiflatbot", "antirotnbot", "biopic", "boom",
    "copybot", "debruijn81", "driftbot", "flatbot3", "foxtrotbot", "freqbot2", "granite", "greenberg",
    "halbot", "inocencio", "iocainebot", "marble", "markov5", "markovbails", "mixed_strategy", "mod1bot",
    "multibot", "peterbot", "phasenbott", "pibot", "piedra", "predbot", "r226bot", "randbot", "robertot",
    "rockbot", "rotatebot", "russrocker4", "shofar", "sunCrazybot", "sunNervebot", "sweetrock",
    "switchalot", "switchbot", "textbot", "zq_move",
)  # fmt: skip


class BotCrashed(UnpredictError):
    """A bot's process ended or stopped answering in the middle of a game."""


def unavailable_reason() -> str | None:
    """Why the bots cannot be used here (one line), or None when they can."""
    if importlib.util.find_spec(MODULE) is None:
        return f"The RoShamBo bots need OpenSpiel, which is not installed here (pip install {PACKAGE})."
    return None


def opponent_names() -> list[str]:
    """`roshambo:NAME` for every bot, or none where OpenSpiel is missing."""
    return [] if unavailable_reason() else [PREFIX + name for name in BOT_NAMES]


def is_roshambo(name: str) -> bool:
    return name.startswith(PREFIX)


def check_bot(name: str) -> str:
    """The bot's own name from `roshambo:NAME` (or NAME); an unknown one lists close matches."""
    bot = name[len(PREFIX) :] if is_roshambo(name) else name
    reason = unavailable_reason()
    if reason:
        raise InvalidParameter(reason)
    if bot not in BOT_NAMES:
        close = difflib.get_close_matches(bot, BOT_NAMES, n=3, cutoff=0.5)
        hint = f" Close matches: {', '.join(PREFIX + c for c in close)}." if close else ""
        raise InvalidParameter(
            f"Unknown RoShamBo bot '{bot}'.{hint} All {len(BOT_NAMES)} are listed by "
            "`python3 -m unpredict_core bots` and in the adversary list of the Rock-paper-scissors page."
        )
    return bot


def _signal_name(returncode: int | None) -> str:
    if returncode is None:
        return "it stopped answering"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class RoshamboBot:
    """One bot in one game, in its own process. `move(new_rounds)` returns the bot's next move
    after the rounds played since the last call, each as (outside move, bot move)."""

    def __init__(self, name: str, seed: int, throws: int = THROWS):
        self.name = check_bot(name)
        self.seed = int(seed) & 0xFFFFFFFF
        self.rounds = 0
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._finalizer = weakref.finalize(self, _stop, self._process)
        self._ask({"bot": self.name, "seed": self.seed, "throws": throws})

    def move(self, new_rounds: Sequence[tuple[int, int]]) -> int:
        self.rounds += len(new_rounds)
        return int(self._ask({"rounds": [list(r) for r in new_rounds]})["move"])

    def close(self) -> None:
        self._finalizer()

    def _ask(self, request: dict) -> dict:
        process = self._process
        stdin, stdout, stderr = _pipes(process)
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
            ready, _, _ = select.select([stdout], [], [], REPLY_TIMEOUT_S)
            line = stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if line:
            return json.loads(line)
        if not ready:
            process.kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # closed its output but lingers: end it
            process.kill()
            process.wait()
        detail = (stderr.read() or "").strip().splitlines()
        self.close()
        raise BotCrashed(
            f"RoShamBo bot '{self.name}' crashed in round {self.rounds + 1} ({_signal_name(process.poll())}"
            f"{': ' + detail[-1][:160] if detail else ''}); the game stopped and nothing of it was stored."
        )


def _pipes(process: subprocess.Popen) -> tuple[IO[str], IO[str], IO[str]]:
    """The worker's three pipes (it is always started with all three)."""
    if process.stdin is None or process.stdout is None or process.stderr is None:
        raise RuntimeError("a RoShamBo worker was started without its pipes")
    return process.stdin, process.stdout, process.stderr


def _stop(process: subprocess.Popen) -> None:
    stdin, stdout, stderr = _pipes(process)
    if process.poll() is None:
        try:
            stdin.close()
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
    for stream in (stdout, stderr):
        stream.close()


def list_bot_names() -> list[str]:
    """pyspiel's own list, asked in a worker process (tests compare it with BOT_NAMES)."""
    out = subprocess.run(
        [sys.executable, "-P", str(WORKER)], input='{"list": true}\n', capture_output=True, text=True, timeout=60
    )
    return json.loads(out.stdout)["names"]


class RoshamboOpponent(Opponent):
    """A RoShamBo bot as a rock-paper-scissors opponent: it sees the moves only, never the
    model's probabilities. Its C random generator is seeded from the game's opponent generator."""

    def __init__(self, name: str):
        self.bot_name = check_bot(name)
        self.name = PREFIX + self.bot_name
        self.description = f"{self.bot_name}, a bot of the International RoShamBo Programming Competition (OpenSpiel)"
        self._bot: RoshamboBot | None = None
        self.bot_seed: int | None = None  # srandom's seed, drawn from the game's opponent generator
        self._told = 0  # rounds the bot has seen

    def predict(self, p, history, rules):
        raise InvalidParameter("A RoShamBo bot plays its own move; it makes no prediction to read.")

    def choose(self, p: dict[str, float], history: Sequence[Round], rules: Rules, rng) -> str:
        if self._bot is None:
            self.bot_seed = int(rng.integers(2**32))
            self._bot = RoshamboBot(self.bot_name, self.bot_seed)
        new = [(MOVES.index(r.model_move), MOVES.index(r.opponent_move)) for r in history[self._told :]]
        self._told = len(history)
        return MOVES[self._bot.move(new)]

    def close(self) -> None:
        if self._bot is not None:
            self._bot.close()
