"""Print the README's bad-input table: run every row of tests/support/bad_input_cases.py (in a temporary
folder and database) and show the first line of the error of the message each one actually gets.

    python3 scripts/bad_inputs_table.py
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    logging.disable(logging.WARNING)  # AppTest's "no runtime" warnings are not part of the table
    folder = Path(tempfile.mkdtemp(prefix="unpredict-bad-inputs-"))
    os.environ |= {"UNPREDICT_DB": str(folder / "table.duckdb"), "UNPREDICT_MODEL_DIRS": str(folder)}
    from tests.support.bad_input_cases import CASES, Ctx
    from tests.support.scripted_pair import PAIR, ScriptedLoader
    from unpredict_core.experiments.random_integers import Params
    from unpredict_core.paths import cache_dir
    from unpredict_core.runs import run_experiment
    from unpredict_core.store.database import Store

    # one stored run, as tests/test_bad_inputs.py has, so the Results rows have a run to export
    run_experiment("random-integers", PAIR, Params(seed=42), store=Store(), load=ScriptedLoader())

    print("| # | where | bad input | message shown (first line of the error) |")
    print("|---|---|---|---|")
    for number, case in enumerate(CASES, start=1):
        text = case.run(Ctx(folder)).strip()
        message = text.rsplit("error: ", 1)[-1].splitlines()[0]  # after any progress bar or usage line
        message = message.replace(str(folder), "…").replace(str(ROOT) + "/", "").replace(str(cache_dir()), "cache")
        message = message.replace("|", "\\|")
        if len(message) > 140:
            message = message[:137] + "…"
        print(f"| {number} | {case.surface} | {case.what} | {message} |")


if __name__ == "__main__":
    main()
