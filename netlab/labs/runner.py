"""Running a lab: train its arms one after another, read the measures, check the claims."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netlab.data import Dataset, load_dataset
from netlab.fileutil import atomic_write
from netlab.graph.analysis import analyse
from netlab.labs.graphs import build
from netlab.labs.measures import MEASURES, STANDARD, TABLES
from netlab.labs.spec import Arm, Claim, Lab
from netlab.project import Project, RunRecord, check_training_config, weights_of
from netlab.project.compare import architecture
from netlab.project.config import default_training_config


@dataclass
class ArmResult:
    """One arm after its run: the project (with the run and its weights) and its row."""

    arm: Arm
    project: Project
    record: RunRecord | None
    row: dict[str, Any]


@dataclass
class LabResult:
    """What a lab found: a row per arm, the claims' verdicts, the table without training."""

    lab: Lab
    quick: bool
    arms: list[ArmResult] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False

    @property
    def rows(self) -> dict[str, dict[str, Any]]:
        """Each arm's row, by label."""
        return {a.arm.label: a.row for a in self.arms}

    def columns(self) -> list[tuple[str, str]]:
        """``(key, heading)`` of the table's columns, those with a value in some row."""
        wanted = {**STANDARD, **{m: MEASURES[m].heading for m in self.lab.measures}}
        return [(k, h) for k, h in wanted.items()
                if any(a.row.get(k) is not None for a in self.arms)]  # fmt: skip

    def verdicts(self) -> list[tuple[Claim | str, bool | None]]:
        """Each claim (the table's as text) and whether this result bears it out
        (``None``: not measured)."""
        found: list[tuple[Claim | str, bool | None]] = []
        if self.lab.table and self.table:
            table = TABLES[self.lab.table]
            found.append((table.claim, table.holds(self.table)))
        return found + [(claim, claim.holds(self.rows)) for claim in self.lab.claims]

    def to_dict(self) -> dict[str, Any]:
        """The result as ``result.json`` holds it."""
        return {
            "lab": self.lab.name, "quick": self.quick, "seconds": round(self.seconds, 1),
            "stopped": self.stopped,
            "rows": [{"arm": a.arm.label, **a.row} for a in self.arms],
            "claims": [{"claim": claim_text(c), "holds": held} for c, held in self.verdicts()],
            "table": self.table,
        }  # fmt: skip


def claim_text(claim: Claim | str) -> str:
    """A claim's sentence (a table's claim is one already)."""
    return claim if isinstance(claim, str) else claim.text


def _row(project: Project, record: RunRecord | None) -> dict[str, Any]:
    analysis = analyse(project.graph)
    epochs = record.epochs if record is not None else []
    last = epochs[-1] if epochs else {}
    seconds = [e["seconds"] for e in epochs if "seconds" in e]
    return {
        "architecture": architecture(project.graph, analysis),
        "parameters": sum(sum(c) for c in analysis.counts.values()),
        "flops": analysis.total_flops(),
        "loss": last.get("loss"), "val_accuracy": last.get("val_accuracy"),
        "seconds_per_epoch": sum(seconds) / len(seconds) if seconds else None,
        "status": record.status if record is not None else "not trained",
    }  # fmt: skip


def slug(label: str) -> str:
    """A file name for an arm's label: ``"plain 44"`` -> ``"plain-44"``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower() or "arm"


class LabRun:
    """One run of a lab; :meth:`run` trains on this thread, :meth:`stop` ends it early.

    Args:
        lab: The lab.
        quick: Quick mode (fewer epochs or arms: the test suite's).
        on_event: Called as ``on_event(arm_label, event)`` with the training events of
            :mod:`netlab.training.events`, on the training thread.
        on_arm: Called with each :class:`ArmResult` as its arm ends.
    """

    def __init__(self, lab: Lab, quick: bool = False,
                 on_event: Callable[[str, Any], None] | None = None,
                 on_arm: Callable[[ArmResult], None] | None = None) -> None:  # fmt: skip
        self.lab, self.quick = lab, quick
        self.on_event, self.on_arm = on_event, on_arm
        self._stop = threading.Event()
        self._current: Any = None
        self._data: dict[str, Dataset] = {}

    def stop(self) -> None:
        """Stops the arm training now (after its batch) and skips the rest."""
        self._stop.set()
        if self._current is not None:
            self._current.stop()

    def run(self) -> LabResult:
        """Trains every arm and returns what the lab found.

        Raises:
            netlab.errors.NetLabError: For a data set that cannot load.
        """
        started = time.monotonic()
        result = LabResult(self.lab, self.quick)
        if self.lab.table:
            result.table = TABLES[self.lab.table].make()
        for arm in self.lab.arms_to_run(self.quick):
            if self._stop.is_set():
                result.stopped = True
                break
            done = self._train(arm)
            result.arms.append(done)
            if self.on_arm is not None:
                self.on_arm(done)
        result.stopped = result.stopped or self._stop.is_set()
        result.seconds = time.monotonic() - started
        return result

    def _train(self, arm: Arm) -> ArmResult:
        from netlab.training.engine import TrainingRun

        config = check_training_config({**default_training_config(),
                                        **self.lab.settings(arm, self.quick)})  # fmt: skip
        project = Project(build(arm.builder, arm.arguments), training=config)
        before = {k: MEASURES[k].read(project, None) for k in self.lab.measures
                  if MEASURES[k].before}  # fmt: skip
        if config["dataset"] not in self._data:
            self._data[config["dataset"]] = load_dataset(config["dataset"])
        run = TrainingRun(project.graph, self._data[config["dataset"]], config, None, "run1",
                          f"{self.lab.name}: {arm.label}")  # fmt: skip
        if self.on_event is not None:
            run.subscribe(lambda event, label=arm.label: self.on_event(label, event))
        self._current = run
        if self._stop.is_set():
            run.stop()
        record = run.run()
        self._current = None
        if record.status in ("finished", "stopped") and run.model is not None:
            project.runs.append(record)
            project.weights = weights_of(run.model)
        row = {**_row(project, record), **before}
        for key in self.lab.measures:
            if not MEASURES[key].before:
                row[key] = MEASURES[key].read(project, record)
        return ArmResult(arm, project, record, row)


def run_lab(lab: Lab, quick: bool = False, output: str | Path | None = None,
            on_event: Callable[[str, Any], None] | None = None) -> LabResult:  # fmt: skip
    """Runs ``lab`` and, with ``output``, writes its projects, curves and result there.

    Raises:
        netlab.errors.NetLabError: For a data set that cannot load.
        OSError: If ``output`` cannot be written.
    """
    result = LabRun(lab, quick, on_event).run()
    if output is not None:
        write_result(result, Path(output))
    return result


def write_result(result: LabResult, folder: Path) -> list[Path]:
    """Writes each arm's project (``<arm>.netlab``), ``curves.png`` and ``result.json``."""
    from netlab.plotting import plot_comparison
    from netlab.project import save_project

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for arm in result.arms:
        path = folder / f"{slug(arm.arm.label)}.netlab"
        save_project(path, arm.project)
        written.append(path)
    curves = {a.arm.label: a.record.epochs for a in result.arms if a.record is not None}
    if any(curves.values()):
        plot_comparison(curves, result.lab.curves, folder / "curves.png")
        written.append(folder / "curves.png")
    text = json.dumps(result.to_dict(), indent=1)
    atomic_write(folder / "result.json", lambda tmp: Path(tmp).write_text(text, "utf-8"))
    written.append(folder / "result.json")
    return written


def cell_text(value: Any) -> str:
    """A table cell: numbers to 4 digits, counts with separators, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def result_lines(result: LabResult) -> list[str]:
    """The result as text: the table without training, a row per arm, the claims."""
    from netlab.catalog.flops import format_flops

    lines = []
    if result.table:
        keys = list(result.table[0])
        lines.append("  ".join(f"{k:>8}" for k in keys))
        lines += ["  ".join(f"{cell_text(row[k]):>8}" for k in keys) for row in result.table]
        lines.append("")
    columns = [(k, h) for k, h in result.columns() if k != "architecture"]
    width = max([len(a.arm.label) for a in result.arms] + [4])
    lines.append(f"{'':{width}}  " + "  ".join(f"{h:>12}" for _, h in columns))
    for arm in result.arms:
        cells = [format_flops(arm.row[k]) if k == "flops" else cell_text(arm.row.get(k))
                 for k, _ in columns]  # fmt: skip
        lines.append(f"{arm.arm.label:{width}}  " + "  ".join(f"{c:>12}" for c in cells))
    lines.append("")
    lines += [f"{a.arm.label}: {a.row['architecture']}" for a in result.arms]
    lines.append("")
    marks = {True: "held", False: "did NOT hold", None: "not measured"}
    lines += [f"{marks[held]}: {claim_text(claim)}" for claim, held in result.verdicts()]
    lines.append(f"{result.seconds:.0f} s{' (stopped)' if result.stopped else ''}")
    return lines
