"""`python -m unpredict_core sweep FILE [--json]`: exit 0 when every item is stored, 1 when some
failed (their reasons are in the summary; run again to retry them), 130 when interrupted."""

from __future__ import annotations

import json
import sys

from unpredict_core.sweeps.file import load_sweep
from unpredict_core.sweeps.runner import run_sweep


def cmd_sweep(args) -> int:
    from unpredict_core.backends.loading import BackendCache
    from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader
    from unpredict_core.store.database import Store

    sweep = load_sweep(args.file)  # a bad file fails here, before any model is loaded
    store = Store()
    for notice in store.notices:
        print(f"warning: {notice}", file=sys.stderr)
    summary = run_sweep(sweep, store=store, load=ScriptedAwareLoader(BackendCache(sweep.device)))
    if args.json:
        json.dump(summary.as_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(summary.text())
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0
