"""The process a RoShamBo bot runs in: one game, driven over stdin/stdout, one JSON object a line.

Run as a script (`python roshambo_worker.py`), never imported by the app: a bot is C code from 1999
(some of it writes past its arrays), so it runs here, where a crash ends this process and
nothing else. Only the standard library and pyspiel are imported, so it starts in a fraction of a
second.

Protocol (the parent is `unpredict_core.experiments.games.roshambo.RoshamboBot`):
    {"bot": NAME, "seed": S, "throws": N}  ->  {"ok": true}
    {"rounds": [[outside, bot], ...]}      ->  {"move": M}    the rounds since the last request
Moves are OpenSpiel's matrix_rps actions: 0 rock, 1 paper, 2 scissors. The bot is player 1.

Most bots draw from the C library's random(); this process is the game's own, so seeding that
generator with srandom(S) before the bot is built makes the game reproducible.
"""

from __future__ import annotations

import ctypes
import json
import sys


def seed_c_random(seed: int) -> None:
    """srandom(seed) of the C library the bots link to (glibc: rand() shares this generator)."""
    libc = ctypes.CDLL(None)
    libc.srandom.argtypes = [ctypes.c_uint]
    libc.srandom(seed & 0xFFFFFFFF)


def main() -> int:
    import pyspiel

    out = sys.stdout
    setup = json.loads(sys.stdin.readline())
    names = pyspiel.roshambo_bot_names()
    if setup.get("list"):
        out.write(json.dumps({"names": list(names)}) + "\n")
        return 0
    game = pyspiel.load_game(f"repeated_game(stage_game=matrix_rps(),num_repetitions={int(setup['throws'])})")
    state = game.new_initial_state()
    seed_c_random(int(setup["seed"]))
    bot = pyspiel.make_roshambo_bot(1, setup["bot"], int(setup["throws"]))
    out.write(json.dumps({"ok": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        for outside, mine in request["rounds"]:
            state.apply_actions([int(outside), int(mine)])
        out.write(json.dumps({"move": int(bot.step(state))}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
