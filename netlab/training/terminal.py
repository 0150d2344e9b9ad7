"""Training in a terminal: a progress bar, a table of epochs, Ctrl-C to stop."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from netlab.data import load_dataset
from netlab.project import Project, RunRecord, check_training_config, weights_of
from netlab.training.engine import TrainingRun
from netlab.training.events import BatchEnded, EpochEnded, RunEnded, RunStarted


class TerminalReport:
    """Prints a run's progress: one bar line while an epoch runs, one row per epoch."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.columns: list[str] = []
        self.epochs = 0
        self.last_draw = 0.0
        self.tty = out.isatty()

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            self.epochs = event.epochs
            print(f"training {event.parameters:,} parameters, {event.epochs} epochs of "
                  f"{event.steps_per_epoch} steps", file=self.out)  # fmt: skip
        elif isinstance(event, BatchEnded) and self.tty and time.monotonic() - self.last_draw > 0.1:
            self.last_draw = time.monotonic()
            done = (event.batch + 1) / event.steps_per_epoch
            bar = "=" * int(done * 30)
            print(
                f"\repoch {event.epoch + 1}/{self.epochs} [{bar:<30}] loss {event.loss:.4f} "
                f"{event.samples_per_second:,.0f} samples/s",
                end="",
                file=self.out,
                flush=True,
            )
        elif isinstance(event, EpochEnded):
            self._row(event)
        elif isinstance(event, RunEnded):
            print(f"{event.status}{': ' + event.reason if event.reason else ''}", file=self.out)

    def _row(self, event: EpochEnded) -> None:
        if not self.columns:
            self.columns = sorted(event.metrics, key=lambda k: (k.startswith("val_"), k))
            header = "epoch  " + "  ".join(f"{c:>12}" for c in self.columns) + "  seconds"
            print(("\r" if self.tty else "") + header, file=self.out)
        values = "  ".join(f"{event.metrics.get(c, float('nan')):>12.4f}" for c in self.columns)
        start = "\r" if self.tty else ""
        print(f"{start}{event.epoch + 1:>5}  {values}  {event.seconds:>7.1f}", file=self.out,
              flush=True)  # fmt: skip


def next_run_id(project: Project) -> str:
    """``runN`` with N one more than the highest run number so far."""
    numbers = [int(r.id[3:]) for r in project.runs if r.id[3:].isdigit()]
    return f"run{max(numbers, default=0) + 1}"


def train_in_terminal(project: Project, overrides: dict[str, Any], out: TextIO | None = None,
                      distribute: str | None = None) -> RunRecord:  # fmt: skip
    """Trains the project (continuing from its weights) and records the run in it.

    Ctrl-C stops after the current batch; the run and its weights are kept. With
    ``distribute="multiworker"`` every worker of the cluster stops after the same batch.
    The project changes only as a result of training: a finished or stopped run
    is recorded with its settings and weights; a run that failed after some
    batches is recorded (to look at its curves) without changing the settings or
    the weights; a run that failed before training leaves the project as it was.

    Args:
        project: The project; its run list, weights and training settings are updated.
        overrides: Training settings that replace the project's.
        out: Where progress goes (default: standard output).
        distribute: ``None`` or ``"multiworker"`` (see :class:`TrainingRun`).

    Returns:
        The run's record.

    Raises:
        netlab.errors.NetLabError: For a bad setting or a data set that cannot load.
    """
    out = out or sys.stdout
    config = check_training_config({**project.training, **overrides})
    dataset = load_dataset(config["dataset"])
    run_id = next_run_id(project)
    run = TrainingRun(project.graph, dataset, config, project.weights, run_id,
                      f"Run {run_id[3:]}", distribute)  # fmt: skip
    run.subscribe(TerminalReport(out))
    ended = threading.Event()

    def on_event(event: Any) -> None:
        if isinstance(event, RunEnded):
            ended.set()

    run.subscribe(on_event)
    run.start()
    try:
        # Not run.wait(): in Python 3.11 a Ctrl-C that interrupts Thread.join() marks the
        # joined thread as finished while it runs on (CPython issue 90882).
        while not ended.wait(0.2):
            pass
    except KeyboardInterrupt:
        print("\nstopping after this batch...", file=out)
        run.stop()
    record = run.wait()
    if record.status in ("finished", "stopped") and run.model is not None:
        project.training = config
        project.runs.append(record)
        project.weights = weights_of(run.model)
    elif record.epochs or len(record.batches.get("loss", ())):
        project.runs.append(record)
    return record
