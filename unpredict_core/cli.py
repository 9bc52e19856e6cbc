"""Command line: `python -m unpredict_core run EXPERIMENT --pair NAME ... [--json]`.

stdout carries the result (one JSON object with --json, a short table otherwise); progress and
errors go to stderr, so `... --json | jq` works. User errors exit with status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any

from unpredict_core.backends.models import PRESETS, custom_pair, get_pair, with_servers
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import experiments, get_experiment
from unpredict_core.ladder.cli import add_ladder_command, cmd_ladder
from unpredict_core.params import Spec, declared
from unpredict_core.progress import stderr_progress
from unpredict_core.records import RunRecord
from unpredict_core.results.export_cli import add_export_parser, cmd_export


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m unpredict_core", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run an experiment on a base/aligned pair")
    run.add_argument("experiment", choices=sorted(experiments()))
    run.add_argument("--pair", default="default", help=f"preset pair: {', '.join(PRESETS)}")
    run.add_argument("--base", help="base model: .gguf file, local folder or cached hub id (with --aligned)")
    run.add_argument("--aligned", help="aligned model: .gguf file, local folder or cached hub id")
    add_setting_flags(run)
    run.add_argument("--base-format", choices=["plain", "chat"], help="override the base side's format")
    run.add_argument("--aligned-format", choices=["plain", "chat"], help="override the aligned side's format")
    run.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    run.add_argument(
        "--device-map", choices=["auto", "balanced", "sequential"], help="spread a model over all GPUs (accelerate)"
    )
    run.add_argument("--allow-pickle", action="store_true", help="allow .bin/.pt weights (can run code)")
    add_server_flags(run)
    add_mix_flags(run)
    run.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    commands.add_parser("pairs", help="list preset pairs and whether they are available here")
    commands.add_parser("bots", help="list the RoShamBo bots (rps --adversary roshambo:NAME)")
    # -- sweep --
    sweep = commands.add_parser("sweep", help="run every item of a sweep file (TOML); resumes where it stopped")
    sweep.add_argument("file", help="sweep file, e.g. sweeps/example.toml")
    sweep.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    add_scatter_command(commands)
    add_export_parser(commands)
    add_warm_command(commands)
    add_ladder_command(commands)
    return parser


# -- warm: precompute what a talk shows (unpredict_core/talk_rehearsal.py) -----------------------
def add_warm_command(commands) -> None:
    warm = commands.add_parser("warm", help="precompute runs into the store, e.g. every slide of talk mode")
    warm.add_argument("--talk", action="store_true", help="every slide of talk mode, for --pair")
    warm.add_argument("--pair", default="default", help=f"preset pair: {', '.join(PRESETS)}")
    warm.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="as the dashboard will run")
    warm.add_argument("--json", action="store_true", help="print the runs as one JSON object on stdout")


def cmd_warm(args) -> int:
    from unpredict_core.backends.loading import BackendCache
    from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader, scripted_pair
    from unpredict_core.store.database import Store
    from unpredict_core.talk_rehearsal import rehearse

    if not args.talk:
        raise UnpredictError("Say what to warm: --talk (every slide of talk mode).")
    pair = scripted_pair(args.pair) or get_pair(args.pair)  # the scripted pair only when tests enable it
    load = ScriptedAwareLoader(BackendCache(args.device))
    rows = rehearse(pair, Store(), load, args.device, stderr_progress())
    if args.json:
        print(json.dumps({"pair": args.pair, "runs": rows}))
    else:
        for row in rows:
            where = "from the cache" if row["cached"] else f"measured in {row['duration_s']:.1f} s"
            print(f"{row['slide']:<9} {row['experiment']:<16} run {row['run_id']}  {where}")
        print(f"Talk rehearsed for pair {args.pair}: {len(rows)} runs stored; open the dashboard with ?talk=1.")
    return 0


def add_scatter_command(commands) -> None:
    from unpredict_core.results.scatter import BENCHMARKS_CSV, y_scores

    scatter = commands.add_parser("scatter", help="benchmark (x) vs unpredictability (y) points from stored runs")
    scatter.add_argument("--y", required=True, choices=sorted(y_scores()), help="unpredictability score")
    scatter.add_argument(
        "--x",
        help="ifeval (the default: the leaderboard's IFEval for the paper's models, measured here for ours), "
        "ifeval:oll_ifeval, ifbench:METRIC, oll:COLUMN (the leaderboard table), table or leaderboard:COLUMN",
    )
    scatter.add_argument("--table", default=str(BENCHMARKS_CSV), help="benchmark table (CSV) for --x table")
    scatter.add_argument("--json", action="store_true", help="print the points as one JSON object on stdout")


def cmd_scatter(args) -> dict:
    from unpredict_core.results.benchmark_axis import BENCHMARK_EXPERIMENTS, default_x
    from unpredict_core.results.family_view import ladder_path
    from unpredict_core.results.leaderboard_table import load_table
    from unpredict_core.results.scatter import available_axes, load_paper_points, point_rows, scatter_data, y_scores
    from unpredict_core.store.database import Store

    results = Store().query_runs(experiments=[*BENCHMARK_EXPERIMENTS, y_scores()[args.y].experiment])
    board = load_table()
    axes = available_axes(results, args.table, board)
    x_key = args.x or default_x(axes)
    if x_key not in axes:
        raise UnpredictError(f"Unknown x '{x_key}'. Offered here: {', '.join(axes)}.")
    data = scatter_data(results, axes[x_key], args.y, load_paper_points())
    return {
        "x": x_key,
        "x_title": axes[x_key].title,
        "y": args.y,
        "y_title": data.y.label,
        "points": point_rows(data),
        "paths": [[p["model"] for p in path] for path in data.reference_paths],
        "ladder_path": [p["model"] for p in ladder_path(data.points)],
        "table_problems": board.problems,
        "untrusted_runs": data.untrusted,
    }


def print_points(out: dict) -> None:
    for problem in out.get("table_problems", []):
        print(f"skipped: {problem}")
    if out.get("untrusted_runs"):
        print(f"left out: {len(out['untrusted_runs'])} stored runs that fail the trust check (see Results)")
    print(f"x: {out['x_title']} · y: {out['y_title']}")
    for p in out["points"]:
        x = f"{p['x']:.4g}" if p["x"] is not None else "—"
        print(f"  {p['side']:8s} {p['model'][:48]:48s} x={x:>8s} y={p['y']:.4g}  [{p['provenance']}]")
        print(f"           x: {p['x_source'] or p['why']}")


def _pair(args):
    if args.base or args.aligned:
        if not (args.base and args.aligned):
            raise UnpredictError("Give both --base and --aligned, or neither (and a --pair).")
        return with_servers(custom_pair(args.base, args.aligned, allow_pickle=args.allow_pickle), servers_from(args))
    return with_servers(get_pair(args.pair), servers_from(args))


# -- model servers (backends/server/): either side may run on an OpenAI-compatible server ---------
def add_server_flags(parser: argparse.ArgumentParser) -> None:
    for role in ("base", "aligned"):
        parser.add_argument(
            f"--{role}-server", metavar="URL", help=f"run the {role} side on an OpenAI-compatible server (vLLM)"
        )
        parser.add_argument(f"--{role}-served-model", metavar="NAME", help=f"model name on the {role} server")


# -- the alignment dial (unpredict_core/dial.py): a third side mixed between the two -------------
def add_mix_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--alpha", type=float, metavar="A", help="add sides.mixed: a model mixed at weight A (0 base … 1 aligned)"
    )
    parser.add_argument(
        "--mix",
        default="auto",
        choices=["auto", "token", "weights", "answers"],
        help="with --alpha: token mixture, weight interpolation or answer mixture (auto: what the pair allows)",
    )


def servers_from(args) -> dict[str, tuple[str, str | None]]:
    """{role: (url, served model)} for the sides given a --ROLE-server (replacing that side)."""
    servers = {}
    for role in ("base", "aligned"):
        url, model = getattr(args, f"{role}_server", None), getattr(args, f"{role}_served_model", None)
        if model and not url:
            raise UnpredictError(f"--{role}-served-model needs --{role}-server URL.")
        if url:
            servers[role] = (url, model)
    return servers


# -- settings: one flag per declared setting of any experiment (unpredict_core.params) -------------
def settings_by_name() -> dict[str, list[tuple[str, Spec, Any]]]:
    """Each setting name → (experiment, declaration, default) for every experiment declaring it.
    A name means one kind of value everywhere, so it can be one flag."""
    grouped: dict[str, list[tuple[str, Spec, Any]]] = {}
    for experiment in experiments().values():
        for name, (spec, default) in declared(experiment.params).items():
            grouped.setdefault(name, []).append((experiment.name, spec, default))
    for name, uses in grouped.items():
        if len({spec.kind for _, spec, _ in uses}) > 1:
            raise TypeError(f"the setting '{name}' is declared with different kinds: {uses}")
    return grouped


def _flag_help(uses: list[tuple[str, Spec, Any]]) -> str:
    def shown(value: Any) -> str:
        return ",".join(value) if isinstance(value, tuple) else str(value)

    spec, default = uses[0][1], uses[0][2]
    helps = {s.help for _, s, _ in uses}
    defaults = {s.default_note or shown(d) for _, s, d in uses}
    where = ", ".join(name for name, _, _ in uses)
    if spec.kind is bool:
        return f"{where}: {'turn off: ' if default else ''}{spec.help}"
    text = f"{where}: {spec.help}" if len(helps) == 1 else "; ".join(f"{n}: {s.help}" for n, s, _ in uses)
    return text + (f" (default {defaults.pop()})" if len(defaults) == 1 else "")


def _text_list(value: str) -> tuple[str, ...]:
    return tuple(value.split(","))


def add_setting_flags(run: argparse.ArgumentParser) -> None:
    """`--max-new-tokens` for `max_new_tokens`, ...; a flag not given is absent from the parsed
    arguments, so the experiment's own default (or its device default) applies."""
    for name, uses in settings_by_name().items():
        spec, default = uses[0][1], uses[0][2]
        flag, shown = "--" + name.replace("_", "-"), _flag_help(uses)
        common: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS, "help": shown}
        if spec.kind is bool:
            action = "store_false" if default else "store_true"
            run.add_argument(f"--no-{flag[2:]}" if default else flag, action=action, **common)
        else:
            kind = _text_list if spec.kind is tuple else spec.kind
            run.add_argument(flag, type=kind, choices=spec.choices or None, **common)


def params_for(args):
    """The experiment's Params from the flags given; a flag of another experiment's setting is
    refused rather than silently ignored."""
    experiment = get_experiment(args.experiment)
    own = declared(experiment.params)
    given = {name: getattr(args, name) for name in settings_by_name() if hasattr(args, name)}
    foreign = [name for name in given if name not in own]
    if foreign:
        flags = ", ".join("--" + name.replace("_", "-") for name in foreign)
        settings = ", ".join("--" + name.replace("_", "-") for name in own)
        raise UnpredictError(f"{flags} does not apply to {experiment.name}; its settings are {settings}.")
    return experiment.params(**(experiment.device_defaults(args.device) | given))


def cmd_run(args) -> RunRecord:
    from unpredict_core.backends.loading import BackendCache
    from unpredict_core.runs import run_experiment
    from unpredict_core.store.database import Store

    params = params_for(args)
    formats = {role: fmt for role, fmt in (("base", args.base_format), ("aligned", args.aligned_format)) if fmt}
    store = Store()
    for notice in store.notices:
        print(f"warning: {notice}", file=sys.stderr)
    if getattr(args, "alpha", None) is not None:
        from unpredict_core.dial import run_with_mixed

        return run_with_mixed(
            args.experiment,
            _pair(args),
            params,
            alpha=args.alpha,
            mix=args.mix,
            store=store,
            load=BackendCache(args.device, getattr(args, "device_map", None)),
            formats=formats,
            progress=stderr_progress(),
        )
    if getattr(args, "mix", "auto") != "auto":
        raise UnpredictError("--mix chooses the kind of mixed side: give --alpha A with it.")
    return run_experiment(
        args.experiment,
        _pair(args),
        params,
        store=store,
        load=BackendCache(args.device, getattr(args, "device_map", None)),
        formats=formats,
        progress=stderr_progress(),
    )


def print_summary(result: RunRecord) -> None:
    from unpredict_core.run_notes import server_scoring_notes, side_notes

    experiment = get_experiment(result["experiment"])
    for level, text in server_scoring_notes(result):
        print(f"{level}: {text}", file=sys.stderr if level == "warning" else sys.stdout)
    print(
        f"{result['experiment']} · pair {result['pair']} · run {result['run_id']}"
        f"{' (cached)' if result['cached'] else ''}"
    )
    for role, side in result["sides"].items():
        if side.get("skipped"):
            print(f"  {role:8s} {side['model']}: {side['skipped']}")
            continue
        headline: Mapping[str, Any] = side
        numbers = side.get("metrics") or {
            k: headline[k] for k in ("net_score", "expected_net_score", "found_rate") if k in side
        }
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in numbers.items())
        coverage = side.get("coverage", side.get("min_coverage"))
        shown = f" coverage={coverage:.3f}" if coverage is not None else ""
        print(f"  {role:8s} {side['model']} [{side['format']}]{shown}  {metrics}")
        for note in side_notes(side):
            print(f"           note: {note}")
        for line in experiment.summary_lines(side):
            print(f"           {line}")


def cmd_pairs() -> None:
    from unpredict_core.backends.models import check_pair

    for name, pair in PRESETS.items():
        status = check_pair(pair)
        print(f"{name:28s} {'available' if status.ok else 'missing'}: {pair.base.label} / {pair.aligned.label}")
        if pair.aligned.source == "ladder" and status.aligned:  # the one kind the user can make here
            print(f"{'':28s} {status.aligned}")


def cmd_bots() -> int:
    from unpredict_core.experiments.games.roshambo import BOT_NAMES, PREFIX, unavailable_reason

    reason = unavailable_reason()
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 2
    for name in BOT_NAMES:
        print(PREFIX + name)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "pairs":
            cmd_pairs()
            return 0
        if args.command == "bots":
            return cmd_bots()
        if args.command == "sweep":
            from unpredict_core.sweeps.cli import cmd_sweep

            return cmd_sweep(args)
        if args.command == "scatter":
            points = cmd_scatter(args)
            if args.json:
                print(json.dumps(points, allow_nan=False))
            else:
                print_points(points)
            return 0
        if args.command == "export":
            return cmd_export(args)
        if args.command == "warm":
            return cmd_warm(args)
        if args.command == "ladder":
            return cmd_ladder(args)
        result = cmd_run(args)
    except UnpredictError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing partial was stored", file=sys.stderr)
        return 130
    if args.json:
        try:  # strict JSON: a stored NaN (from before numbers were checked) is refused, not printed
            text = json.dumps(result, default=str, allow_nan=False)
        except ValueError:
            print(
                f"error: run {result['run_id']} holds a number that is not finite; delete it and rerun.",
                file=sys.stderr,
            )
            return 2
        print(text)
    else:
        print_summary(result)
    return 0
