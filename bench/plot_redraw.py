"""Redraw of the training plots as a run grows to a million batches.

One tick of the Training tab while a run trains: 50 new batch losses appended,
the run's curves updated (`redraw`, with incremental smoothing) and the plots
painted. Baseline in the same process: the same tick on a run of 1,000
batches. Target: a million-batch run still redraws smoothly (well under the
100 ms tick; the event loop is not held).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/plot_redraw.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.training.plots import RunSeries, TrainingPlots  # noqa: E402


def tick_ms(plots: TrainingPlots, run_id: str, series: RunSeries, reps: int = 15) -> float:
    times = []
    rng = np.random.default_rng(0)
    for _ in range(reps):
        start = len(series.steps)
        steps = np.arange(start, start + 50)
        t = time.perf_counter()
        series.add_batches(steps, rng.random(50), np.full(50, 1e-3))
        plots.redraw(run_id)
        plots.view.viewport().repaint()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main() -> None:
    app = QApplication.instance() or QApplication([])
    plots = TrainingPlots()
    plots.resize(1100, 750)
    plots.show()
    app.processEvents()
    results = {}
    for n in (1_000, 1_000_000):
        series = RunSeries(f"{n} batches", "#1f77b4")
        series.add_batches(np.arange(n), np.random.default_rng(1).random(n), np.full(n, 1e-3))
        series.epochs = [{"epoch": i, "loss": 1 / (i + 1), "val_loss": 1.1 / (i + 1)}
                         for i in range(100)]  # fmt: skip
        t = time.perf_counter()
        plots.add_run(str(n), series)
        plots.view.viewport().repaint()
        first = (time.perf_counter() - t) * 1e3
        results[n] = (first, tick_ms(plots, str(n), series))
        plots.remove_run(str(n))
    print("| run length | first draw (ms) | live tick: 50 batches, redraw, paint (ms, median) |")
    print("|---|---:|---:|")
    for n, (first, tick) in results.items():
        print(f"| {n:,} batches | {first:.0f} | {tick:.1f} |")
    ratio = results[1_000_000][1] / results[1_000][1]
    print(f"\nlive tick, 1,000,000 / 1,000 batches: {ratio:.2f}")


if __name__ == "__main__":
    main()
