"""`python -m unpredict_core export --format csv|parquet --out FILE [--what runs|items] [filters]
[--force]`: write the stored runs to a file: one row per run and side (`runs`, as the Results table
shows them), or one row per item (`items`: every answer with its probability, every game round with
the request the model saw, every poem and benchmark prompt with what the model said). An existing file
is never replaced without `--force`. Filters are those of the Results page, as query parameters."""

from __future__ import annotations

import argparse
import sys

from unpredict_core.errors import UnpredictError


def add_export_parser(commands) -> None:
    export = commands.add_parser("export", help="write stored runs to a CSV or Parquet file")
    export.add_argument("--format", required=True, choices=["csv", "parquet"])
    export.add_argument(
        "--out", required=True, metavar="FILE", help="the file to write (never replaced without --force)"
    )
    export.add_argument("--what", choices=["runs", "items"], default="runs", help="a row per run and side, or per item")
    export.add_argument("--experiment", action="append", help="only this experiment (repeatable)")
    export.add_argument("--pair", action="append", help="only this pair (repeatable)")
    export.add_argument("--model", default="", help="only runs where either side's model contains this text")
    export.add_argument("--params", default="", help="only runs with these parameters, e.g. 'seed=0, mode=exact'")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")


def cmd_export(args: argparse.Namespace) -> int:
    from unpredict_core.results.items import items_frame
    from unpredict_core.results.table import export_frame, parse_param_filter, results_frame
    from unpredict_core.store.database import Store

    store = Store()
    for notice in store.notices:
        print(f"warning: {notice}", file=sys.stderr)
    runs = store.query_runs(
        experiments=args.experiment, pairs=args.pair, model=args.model, params=parse_param_filter(args.params)
    )
    if not runs:
        raise UnpredictError("No stored run matches these filters: nothing was written.")
    frame = items_frame(runs) if args.what == "items" else results_frame(runs)
    path = export_frame(frame, args.out, args.format, overwrite=args.force)
    runs_text = f"{len(runs)} run{'' if len(runs) == 1 else 's'}"
    print(f"wrote {runs_text} ({len(frame)} rows) to {path}", file=sys.stderr)
    return 0
