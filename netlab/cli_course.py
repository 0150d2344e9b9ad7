"""The course's commands: ``lab`` (run a lab), ``check`` (an exercise's goals), ``runs``
and ``diff`` (comparing runs and networks). Split from :mod:`netlab.cli`, which parses
the arguments and reports errors for them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netlab.errors import NetLabError


def _load(path: str) -> Any:
    from netlab.cli import _load as load  # the command line's one way of reading a file

    return load(path)


def _g(value: Any) -> str:
    from netlab.cli import _g as number

    return number(value)


def runs(args: argparse.Namespace) -> int:
    from netlab.catalog.flops import format_flops
    from netlab.project.compare import run_rows

    rows = [row for path in args.files for row in run_rows(_load(path), path)]
    rows.sort(key=lambda r: (r.best is None, -(r.best or 0) if r.metric == "val_accuracy"
                             else (r.best or 0)))  # fmt: skip
    print(f"{'project':24} {'run':8} {'parameters':>11} {'FLOPs':>8} {'best':>18} "
          f"{'s/epoch':>8}  settings")  # fmt: skip
    for r in rows:
        best = f"{r.metric} {_g(r.best)}"
        seconds = f"{r.seconds_per_epoch:.2f}" if r.seconds_per_epoch is not None else "-"
        print(f"{Path(r.source).name[:24]:24} {r.run.id:8} {r.parameters:>11,} "
              f"{format_flops(r.flops):>8} {best:>18} {seconds:>8}  {r.settings}")  # fmt: skip
    return 0


def diff(args: argparse.Namespace) -> int:
    from netlab.graph.diff import diff_graphs

    difference = diff_graphs(_load(args.first).graph, _load(args.second).graph)
    for line in difference.lines():
        print(line)
    return 1 if difference else 0


def check(args: argparse.Namespace) -> int:
    from netlab.project.exercise import check_goals

    unmet = False
    for path in args.files:
        try:
            project = _load(path)
        except NetLabError as err:
            print(f"{path}: cannot check: {err}")
            unmet = True
            continue
        ticks = check_goals(project)
        met = sum(t.met for t in ticks)
        unmet = unmet or met < len(ticks)
        print(f"{path}: {met} of {len(ticks)} goals met" if ticks else f"{path}: no goals")
        for tick in ticks:
            print(f"  {'✔' if tick.met else '✘'} {tick.goal.describe()} ({tick.detail})")
    return 1 if unmet else 0


def lab(args: argparse.Namespace) -> int:
    from netlab import labs

    if args.list:
        for lab in labs.LABS.values():
            print(f"{lab.name:16} {lab.title}")
        return 0
    if not args.name:
        raise NetLabError("lab needs a NAME (or --list)")
    lab = labs.get(args.name)
    if args.output and Path(args.output).exists() and not Path(args.output).is_dir():
        raise NetLabError(f"{args.output}: is a file, not a folder")
    print(f"{lab.title}\n{lab.question}\n", flush=True)

    def arm_ended(done: Any) -> None:
        row = done.row
        print(f"{done.arm.label}: {row['status']}, loss {_g(row['loss'])}", flush=True)

    run = labs.LabRun(lab, args.quick, on_arm=arm_ended)
    try:
        result = run.run()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 1
    print()
    for line in labs.result_lines(result):
        print(line)
    if args.output:
        labs.write_result(result, Path(args.output))
        print(f"wrote {args.output}: the projects, curves.png and result.json")
    verdicts = [held for _, held in result.verdicts()]
    return 1 if False in verdicts else 0
