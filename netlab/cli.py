"""NetLab's command line: ``python -m netlab`` or ``netlab ARGS``.

Errors are one line on stderr and exit status 2; ``info`` exits with 1 when
the graph is invalid.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import netlab
from netlab import cli_course as course
from netlab.errors import NetLabError
from netlab.training.history import gradient_series


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netlab", description="Build, train and look inside neural networks.",
        epilog="Without a command, netlab opens the app; netlab FILE.netlab (or FILE.keras) "
        "opens that file in it.",
    )
    parser.add_argument("--version", action="version", version=f"netlab {netlab.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("layers", help="list the layer types by category")
    new = commands.add_parser("new", help="write a new network from a template")
    new.add_argument("template", nargs="?", help="template name (see --list)")
    new.add_argument("-o", "--output", help="project (.netlab) or graph (.json) file to write")
    new.add_argument("--list", action="store_true", help="list the templates")
    info = commands.add_parser("info", help="nodes, shapes, parameters and problems of a file")
    info.add_argument("file")
    info.add_argument("--json", action="store_true", help="print JSON")
    imp = commands.add_parser("import", help="turn a .keras / .h5 model into a project")
    imp.add_argument("model")
    imp.add_argument("-o", "--output", required=True)
    exp = commands.add_parser(
        "export", help="write a project as .keras, .weights.h5, .onnx or a .py script"
    )
    exp.add_argument("file")
    exp.add_argument("--to", required=True, help="model.keras, model.weights.h5, model.onnx or .py")
    train = commands.add_parser("train", help="train a project in the terminal and save it")
    train.add_argument("file")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--device", help="cpu, gpu:0, ... or all")
    train.add_argument("--data", help="built-in data set name or a file / folder")
    train.add_argument("-o", "--output", help="where to save (default: FILE itself)")
    train.add_argument("--plot", help="also write the loss / metric curves to this PNG")
    train.add_argument(
        "--distribute",
        choices=["multiworker"],
        help="train on the machines that TF_CONFIG names; run the same command on each, "
        "the chief saves (see docs/training.md)",
    )
    sweep = commands.add_parser(
        "sweep", help="search training settings and layer parameters; every trial is kept",
        description="Trains one trial after another (or --jobs side by side) with values "
        "chosen by Optuna, prints them best first and saves the project with every trial "
        "as a run. Example: netlab sweep mlp.netlab --param learning_rate=1e-4:1e-1:log "
        "--param units@dense=16,32,64 --trials 12 -o swept.netlab",
    )
    sweep.add_argument("file")
    sweep.add_argument("--param", action="append", required=True, metavar="NAME=RANGE",
                       help="a training setting or PARAM@LAYER, with LOW:HIGH, LOW:HIGH:log "
                       "or A,B,C; repeat for each")  # fmt: skip
    sweep.add_argument("--trials", type=int, default=10, help="trials at most (default 10)")
    sweep.add_argument("--seconds", type=float, help="wall time at most; running trials stop")
    sweep.add_argument("--strategy", choices=["tpe", "random", "grid"], default="tpe",
                       help="tpe: Bayesian (Optuna's TPE, the default); random; grid "
                       "(ranges as 5 points)")  # fmt: skip
    sweep.add_argument("--jobs", type=int, default=1, help="trials trained side by side")
    sweep.add_argument("--objective", help="epoch metric to optimise (default val_loss, or "
                       "loss without a validation split); accuracies are maximised")  # fmt: skip
    sweep.add_argument("--epochs", type=int, help="epochs of each trial (default: the project's)")
    sweep.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    sweep.add_argument("--no-prune", action="store_true",
                       help="train every trial to the end (default: stop those behind the "
                       "median of earlier trials)")  # fmt: skip
    sweep.add_argument("--no-baseline", action="store_true",
                       help="do not make the project's own values the first trial")
    sweep.add_argument("-o", "--output", help="where to save (default: FILE itself)")
    runs = commands.add_parser(
        "runs", help="every run of the given projects side by side, best first",
        description="One row per run: project, run, network, parameters, FLOPs, best "
        "validation metric, seconds per epoch, settings.",
    )
    runs.add_argument("files", nargs="+", metavar="FILE")
    diff = commands.add_parser("diff", help="what changed between two networks")
    diff.add_argument("first", metavar="A")
    diff.add_argument("second", metavar="B")
    check = commands.add_parser(
        "check", help="tick off an exercise's goals in each file (for grading many)",
        description="Prints, for each project, every goal of its exercise with a tick (met) "
        "or a cross, and a summary line; exits 1 if a goal is not met in some file.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    lab = commands.add_parser(
        "lab", help="run a lab: one of the lecture's claims as an experiment",
        description="Trains the lab's projects one after another, prints the result table "
        "and whether the lecture's claims held; with -o also writes each project, the "
        "overlaid curves (curves.png) and result.json. Example: netlab lab depth -o depth/",
    )
    lab.add_argument("name", nargs="?", help="lab name (see --list)")
    lab.add_argument("--list", action="store_true", help="list the labs")
    lab.add_argument("--quick", action="store_true",
                     help="fewer epochs (and arms): seconds instead of minutes")
    lab.add_argument("-o", "--output", help="folder to write the projects and plots to")
    desktop = commands.add_parser(
        "install-desktop", help="add NetLab to the desktop's launcher; .netlab files open in it"
    )
    desktop.add_argument("--uninstall", action="store_true", help="remove what it wrote")
    return parser


def _load(path: str) -> Any:
    """A project from a ``.netlab`` file, or from a JSON graph file; warnings go to stderr."""
    from netlab.graph.graph_file import load_graph
    from netlab.project import Project, load_project

    project = load_project(path) if path.endswith(".netlab") else Project(load_graph(path))
    for warning in project.warnings:
        print(f"netlab: warning: {warning}", file=sys.stderr)
    return project


def _save(path: str, project: Any) -> None:
    from netlab.graph.graph_file import save_graph
    from netlab.project import save_project

    if path.endswith(".netlab"):
        save_project(path, project)
    elif path.endswith(".json"):
        save_graph(path, project.graph)
    else:
        raise NetLabError(f"{path}: write a .netlab project or a .json graph file")


def _new(args: argparse.Namespace) -> int:
    from netlab.templates import TEMPLATES, new_project

    if args.list:
        for template in TEMPLATES.values():
            print(f"{template.name:20} {template.summary}")
        return 0
    if not args.template or not args.output:
        raise NetLabError("new needs a TEMPLATE and -o FILE (or --list)")
    _save(args.output, new_project(args.template))
    return 0


def _summary(project: Any) -> dict[str, Any]:
    from netlab.catalog import format_shape
    from netlab.graph.analysis import analyse

    graph = project.graph
    analysis = analyse(graph)
    trainable, frozen = analysis.totals()
    return {
        "nodes": [
            {"name": n.name, "type": n.key,
             "output_shape": format_shape(analysis.shapes[n.id]) if n.id in analysis.shapes
             else None,
             "parameters": sum(analysis.counts.get(n.id, (0, 0))),
             "flops": analysis.flops.get(n.id)}
            for n in graph.nodes.values()
        ],
        "parameters": {"trainable": trainable, "non_trainable": frozen,
                       "total": trainable + frozen},
        "flops": analysis.total_flops(),
        "problems": [
            {"node": graph.nodes[p.node_id].name if p.node_id else None, "field": p.field,
             "severity": p.severity, "message": p.message}
            for p in analysis.problems
        ],
        "weights": project.weights is not None,
        "runs": [
            {"id": r.id, "name": r.name, "status": r.status, "reason": r.reason,
             "epochs": len(r.epochs), "config": r.config,
             "final": r.epochs[-1] if r.epochs else {},
             "gradients": gradient_series(r)}
            for r in project.runs
        ],
        "sweeps": [
            {"id": s.id, "strategy": s.strategy, "objective": s.objective,
             "direction": s.direction, "dimensions": [d.describe() for d in s.dimensions],
             "best": s.best().number if s.best() else None,
             "trials": [vars(t) for t in s.trials]}
            for s in project.sweeps
        ],
        "valid": analysis.valid,
    }  # fmt: skip


def _info(args: argparse.Namespace) -> int:
    project = _load(args.file)
    summary = _summary(project)
    if args.json:
        print(json.dumps({k: v for k, v in summary.items() if k != "valid"}, indent=1,
                         default=list))  # fmt: skip
        return 0 if summary["valid"] else 1
    from netlab.catalog.flops import format_flops

    print(f"{'name':28} {'type':28} {'output shape':24} {'parameters':>12} {'FLOPs':>9}")
    for n in summary["nodes"]:
        print(f"{n['name']:28} {n['type']:28} {n['output_shape'] or '?':24} "
              f"{n['parameters']:>12,} {format_flops(n['flops']):>9}")  # fmt: skip
    totals = summary["parameters"]
    print(
        f"\ntrainable {totals['trainable']:,} · non-trainable {totals['non_trainable']:,} · "
        f"total {totals['total']:,} · FLOPs {format_flops(summary['flops'])} (multiply-adds "
        f"per example) · weights {'saved' if summary['weights'] else 'none'}"
    )
    for run in summary["runs"]:
        final = ", ".join(f"{k} {v:.4g}" for k, v in run["final"].items() if k != "epoch")
        print(f"run {run['id']} ({run['name']}): {run['status']}, {run['epochs']} epochs; {final}")
    for sweep in summary["sweeps"]:
        states = [t["state"] for t in sweep["trials"]]
        counts = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
        best = f"; best trial {sweep['best']}" if sweep["best"] is not None else ""
        print(f"{sweep['id']}: {len(states)} trials ({counts}), {sweep['direction']} "
              f"{sweep['objective']}{best}")  # fmt: skip
    for p in summary["problems"]:
        where = f"{p['node']}: " if p["node"] else ""
        print(f"{p['severity']}: {where}{p['message']}")
    return 0 if summary["valid"] else 1


def _import(args: argparse.Namespace) -> int:
    from netlab.project.keras_io import import_model_as_project

    _save(args.output, import_model_as_project(args.model))
    return 0


def _export(args: argparse.Namespace) -> int:
    from netlab.project import keras_io

    project = _load(args.file)
    target = args.to
    if target.endswith(".py"):
        from netlab.fileutil import atomic_write
        from netlab.graph.codegen import to_python

        source = to_python(project.graph)
        atomic_write(target, lambda tmp: Path(tmp).write_text(source, encoding="utf-8"))
    elif target.endswith(".weights.h5"):
        keras_io.export_weights(project, target)
    elif target.endswith(".keras"):
        keras_io.export_keras(project, target)
    elif target.endswith(".onnx"):
        keras_io.export_onnx(project, target)
    else:
        raise NetLabError(f"{target}: export writes .keras, .weights.h5, .onnx or .py files")
    return 0


def _layers(args: argparse.Namespace) -> int:
    from netlab import catalog

    for category, specs in catalog.categories().items():
        print(category)
        for spec in specs:
            text = spec.help if len(spec.help) <= 90 else spec.help[:89] + "…"
            print(f"  {spec.key:30} {text}")
    return 0


def _check_writable(path: str) -> None:
    """Refuses, before hours of training, a target that cannot be written."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise NetLabError(f"{path}: the folder {folder} does not exist")
    if target.is_dir():
        raise NetLabError(f"{path}: is a folder, not a file")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise NetLabError(f"{path}: not writable")
    if target.suffix not in (".netlab", ".json"):
        raise NetLabError(f"{path}: write a .netlab project or a .json graph file")


def _train(args: argparse.Namespace) -> int:
    from netlab.training.terminal import train_in_terminal

    target = args.output or args.file
    _check_writable(target)
    project = _load(args.file)
    overrides = {"epochs": args.epochs, "batch_size": args.batch_size, "device": args.device,
                 "dataset": args.data, "learning_rate": args.learning_rate}  # fmt: skip
    chosen = {k: v for k, v in overrides.items() if v is not None}
    chief = True
    if args.distribute == "multiworker":
        from netlab.training.cluster import read_cluster

        cluster = read_cluster()
        chief = cluster.is_chief
        print(f"joining a cluster of {cluster.size} as {cluster.task_type} "
              f"{cluster.task_index}; each worker waits for the others", flush=True)  # fmt: skip
    runs_before = len(project.runs)
    record = train_in_terminal(project, chosen, distribute=args.distribute)
    changed = len(project.runs) > runs_before
    if chief and changed:
        _save(target, project)
        print(f"saved {target}")
    elif not chief:  # the workers hold the same weights; one writer avoids clobbered files
        print(f"not saved: {cluster.task_type} {cluster.task_index} is not the chief")
    if args.plot and record.epochs and chief:
        from netlab.plotting import plot_history

        plot_history(record.epochs, args.plot)
    if record.status == "failed":
        kept = "recorded in the project, its settings unchanged" if changed else \
            "the project is unchanged"  # fmt: skip
        print(f"netlab: training failed: {record.reason} ({kept})", file=sys.stderr)
        return 1
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from netlab import sweep as sweeps
    from netlab.training.processes import WorkerPool

    target = args.output or args.file
    _check_writable(target)
    project = _load(args.file)
    if args.epochs is not None:
        from netlab.project import TRAINING_PARAMS

        epochs = next(p for p in TRAINING_PARAMS if p.name == "epochs").check(args.epochs)
        project.training = {**project.training, "epochs": epochs}
    dimensions = [sweeps.parse_dimension(text, project.graph) for text in args.param]
    keys = [d.key for d in dimensions]
    if len(set(keys)) != len(keys):
        raise NetLabError(f"--param {sorted(k for k in keys if keys.count(k) > 1)[0]} is given "
                          "twice")  # fmt: skip
    objective, direction = sweeps.default_objective(project.training)
    if args.objective:
        objective, direction = args.objective, sweeps.direction_of(args.objective)
    if not project.graph.nodes:
        raise NetLabError(f"{args.file}: the network is empty")
    sweep = sweeps.Sweep(sweeps.next_sweep_id(project), dimensions, args.strategy, args.trials,
                         args.seconds, objective, direction, args.seed, not args.no_prune,
                         args.jobs, not args.no_baseline)  # fmt: skip
    print(f"{sweep.id}: {args.strategy}, up to {args.trials} trials, {args.jobs} at a time, "
          f"{direction} {objective}; " + "; ".join(d.describe() for d in dimensions),
          flush=True)  # fmt: skip

    def ended(trial: Any, _record: Any) -> None:
        values = ", ".join(f"{k} {_g(v)}" for k, v in trial.values.items())
        score = f"{objective} {trial.score:.4g}" if trial.score is not None else "no score"
        why = f" ({trial.reason})" if trial.reason and trial.state != "complete" else ""
        print(f"trial {trial.number}: {values}: {trial.state}, {score}, {trial.epochs} epochs, "
              f"{trial.seconds:.1f} s{why}", flush=True)  # fmt: skip

    pool = WorkerPool()
    runner = sweeps.SweepRunner(project, sweep, pool, on_trial=ended)
    try:
        runner.run()
    except KeyboardInterrupt:
        runner.stop()
        print("stopping the running trials (Ctrl+C again ends them at once)", file=sys.stderr)
        runner.run()
    finally:
        pool.close()
    rows = sweeps.table(sweep)
    columns = ["trial", *keys, objective, "state", "epochs", "parameters", "seconds"]
    print("\n" + "  ".join(f"{c:>14}" for c in columns))
    for row in rows:
        print("  ".join(f"{_g(row[c]):>14}" for c in columns))
    best = sweep.best()
    if best is not None:
        print(f"best: trial {best.number}, {objective} {best.score:.4g}: "
              + ", ".join(f"{k}={_g(v)}" for k, v in best.values.items()))
    _save(target, project)
    print(f"saved {target} ({len(sweep.trials)} trials, each a run)")
    return 0 if best is not None else 1


def _g(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _install_desktop(args: argparse.Namespace) -> int:
    from netlab import desktop

    report = desktop.uninstall() if args.uninstall else desktop.install()
    verb = "removed" if args.uninstall else "wrote"
    for path in report.written:
        print(f"{verb} {path}")
    for path in report.kept:
        print(f"kept {path} (not written by NetLab)")
    for tool in report.missing_tools:
        print(f"{tool} not found: the desktop may see the change after the next login")
    return 0


COMMANDS = {"layers": _layers, "new": _new, "info": _info, "import": _import, "export": _export,
            "train": _train, "sweep": _sweep, "lab": course.lab, "check": course.check,
            "runs": course.runs, "diff": course.diff,
            "install-desktop": _install_desktop}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except NetLabError as err:
        print(f"netlab: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `netlab layers | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"netlab: error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
