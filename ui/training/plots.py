"""Live training plots (pyqtgraph): batch loss, epoch loss, metrics, learning rate.

Each run owns its curves, created once and updated with ``setData``; large
curves are peak-downsampled and clipped to the view, so a run of a million
batches redraws smoothly. Runs are overlaid, each with a name and colour, and
can be hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netlab.training import BatchEnded, EpochEnded
from netlab.training.history import Smoother

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2")  # fmt: skip


def colour_of(index: int) -> str:
    """The colour of the ``index``-th run."""
    return COLOURS[index % len(COLOURS)]


class Growing:
    """A float array that grows by appending, without copying on every append."""

    def __init__(self, values: Any = ()) -> None:
        values = np.asarray(values, float)
        self._data = np.empty(max(1024, 2 * len(values)))
        self._data[: len(values)] = values
        self.size = len(values)

    def extend(self, values: Any) -> None:
        """Appends ``values``."""
        values = np.asarray(values, float)
        if self.size + len(values) > len(self._data):
            bigger = np.empty(2 * (self.size + len(values)))
            bigger[: self.size] = self._data[: self.size]
            self._data = bigger
        self._data[self.size : self.size + len(values)] = values
        self.size += len(values)

    def view(self) -> np.ndarray:
        """The values so far (no copy)."""
        return self._data[: self.size]

    def __len__(self) -> int:
        return self.size


@dataclass
class RunSeries:
    """The numbers of one run, growing while it trains."""

    name: str
    colour: str
    steps: Growing = field(default_factory=Growing)
    batch_loss: Growing = field(default_factory=Growing)
    learning_rate: Growing = field(default_factory=Growing)
    epochs: list[dict[str, float]] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: Any, colour: str) -> RunSeries:
        """A finished run from its project record."""
        batches = record.batches or {}
        return cls(record.name, colour, Growing(batches.get("step", [])),
                   Growing(batches.get("loss", [])), Growing(batches.get("learning_rate", [])),
                   [dict(e) for e in record.epochs])  # fmt: skip

    def add_batches(self, steps: Any, losses: Any, rates: Any) -> None:
        """Appends per-batch values."""
        self.steps.extend(steps)
        self.batch_loss.extend(losses)
        self.learning_rate.extend(rates)

    def take(self, events: list[Any]) -> BatchEnded | None:
        """Appends the batches and epochs among a run's ``events``; returns the last batch."""
        batches = [e for e in events if isinstance(e, BatchEnded)]
        if batches:
            points = [p for b in batches for p in (*b.earlier, (b.step, b.loss, b.learning_rate))]
            steps, losses, rates = zip(*points, strict=True)
            self.add_batches(steps, losses, rates)
        self.epochs += [{"epoch": e.epoch, **e.metrics} for e in events
                        if isinstance(e, EpochEnded)]  # fmt: skip
        return batches[-1] if batches else None


def progress_line(batch: BatchEnded, total: int, elapsed: float) -> str:
    """"epoch 2/10 · step 40/90 · 1,200 samples/s · 35 s left · loss 0.3120"."""
    done = batch.step + 1
    left = elapsed / done * (total - done) if done else math.nan
    epochs = max(1, total // max(1, batch.steps_per_epoch))
    return (f"epoch {batch.epoch + 1}/{epochs} · step {batch.batch + 1}/{batch.steps_per_epoch}"
            f" · {batch.samples_per_second:,.0f} samples/s · {left:,.0f} s left"
            f" · loss {batch.loss:.4f}")  # fmt: skip


def summary_of_runs(runs: list[Any]) -> str:
    """What the Training tab says of a project's runs when none trains."""
    if not runs:
        return "Not trained yet."
    last = runs[-1]
    final = last.epochs[-1] if last.epochs else {}
    values = ", ".join(f"{k} {v:.4g}" for k, v in final.items()
                       if k not in ("epoch", "seconds"))  # fmt: skip
    return f"{len(runs)} run(s); the last, {last.name}, {last.status}. {values}".strip()


def _fast(curve: pg.PlotDataItem) -> pg.PlotDataItem:
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


class _RunCurves:
    """The curves of one run in every plot."""

    def __init__(self, plots: TrainingPlots, series: RunSeries) -> None:
        colour = QColor(series.colour)
        faint = QColor(colour)
        faint.setAlpha(60)
        pen, dashed = (
            pg.mkPen(colour, width=2),
            pg.mkPen(colour, width=2, style=pg.QtCore.Qt.DashLine),
        )
        self.raw = _fast(plots.batch.plot([], [], pen=pg.mkPen(faint, width=1)))
        self.smooth = _fast(plots.batch.plot([], [], pen=pen, name=series.name))
        name = series.name
        marks = {"symbolBrush": colour, "symbolSize": 5}
        self.loss = plots.epoch.plot([], [], pen=pen, symbol="o", name=f"{name} train", **marks)
        self.val_loss = plots.epoch.plot([], [], pen=dashed, symbol="t", name=f"{name} validation",
                                         **marks)  # fmt: skip
        self.metric = plots.metric_plot.plot(
            [], [], pen=pen, symbol="o", name=f"{name} train", **marks
        )
        self.val_metric = plots.metric_plot.plot([], [], pen=dashed, symbol="t",
                                            name=f"{name} validation", **marks)  # fmt: skip
        self.rate = _fast(plots.rate.plot([], [], pen=pen))
        self.all = [self.raw, self.smooth, self.loss, self.val_loss, self.metric, self.val_metric,
                    self.rate]  # fmt: skip

    def set_visible(self, visible: bool) -> None:
        for curve in self.all:
            curve.setVisible(visible)


class TrainingPlots(QWidget):
    """Four linked plots with a legend, a hover read-out and run overlays.

    Signals:
        hovered(str): the values under the mouse, as text.
    """

    hovered = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        # Antialiasing and grid lines made each redraw cost 60-150 ms on this CPU (the event
        # loop stalled while a run trained); without them about 8 ms (bench/gui_training.py).
        pg.setConfigOptions(antialias=False)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.batch = self._plot(0, 0, "Loss per batch", "step", "loss")
        self.epoch = self._plot(0, 1, "Loss per epoch", "epoch", "loss")
        self.metric_plot = self._plot(1, 0, "Accuracy per epoch", "epoch", "accuracy", (-10, -10))
        self.rate = self._plot(1, 1, "Learning rate", "step", "learning rate")
        self.readout = QLabel("Move the mouse over a plot to read values.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)
        self.smoothing = 0.9
        self.metric_name = "accuracy"
        self.colours: tuple[str, str] | None = None
        self.series: dict[str, RunSeries] = {}
        self.curves: dict[str, _RunCurves] = {}
        self._smooth: dict[str, tuple[Smoother, Growing]] = {}
        self._epochs_drawn: dict[str, int] = {}  # epochs each run's epoch curves show
        self._rate_top = 0.0
        self._proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_scene_mouse_moved)  # fmt: skip

    def _plot(self, row: int, col: int, title: str, x: str, y: str,
              legend: tuple[int, int] = (-10, 10)) -> pg.PlotItem:  # fmt: skip
        plot = self.view.addPlot(row=row, col=col, title=title)
        plot.setLabel("bottom", x)
        plot.setLabel("left", y)
        if y != "learning rate":  # accuracy 0.9, not "900 (x0.001)"; rates keep the prefix
            plot.getAxis("left").enableAutoSIPrefix(False)
        plot.addLegend(offset=legend, brush=pg.mkBrush(255, 255, 255, 200))
        return plot

    def set_colours(self, background: str, foreground: str) -> None:
        """Plot background, axes, titles and legends (the light or dark theme)."""
        self.colours = (background, foreground)
        self.view.setBackground(background)
        for plot in (self.batch, self.epoch, self.metric_plot, self.rate):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(foreground)
                axis.setTextPen(foreground)
            plot.titleLabel.setText(plot.titleLabel.text, color=foreground)
            if plot.legend is not None:
                plot.legend.setLabelTextColor(foreground)
                plot.legend.setBrush(pg.mkBrush(QColor(background)))

    # Runs ---------------------------------------------------------------------
    def add_run(self, run_id: str, series: RunSeries) -> None:
        """Adds (or replaces) a run's curves."""
        if run_id in self.curves:
            self.remove_run(run_id)
        self.series[run_id] = series
        self._smooth.pop(run_id, None)
        self._epochs_drawn.pop(run_id, None)
        self.curves[run_id] = _RunCurves(self, series)
        if self.colours is not None:  # new legend entries take the theme's text colour too
            self.set_colours(*self.colours)
        self.redraw(run_id)

    def reset(self) -> None:
        """No runs, and every axis back to automatic (another project is shown)."""
        for run_id in list(self.curves):
            self.remove_run(run_id)
        for plot in (self.batch, self.epoch, self.metric_plot, self.rate):
            plot.enableAutoRange()
        self._rate_top = 0.0
        self.readout.setText("Move the mouse over a plot to read values.")

    def remove_run(self, run_id: str) -> None:
        """Removes a run's curves."""
        for curve in self.curves.pop(run_id).all:
            for plot in (self.batch, self.epoch, self.metric_plot, self.rate):
                plot.legend.removeItem(curve)
                if curve in plot.items:
                    # The plot's own removeItem: the view box's left the curve in the plot's
                    # lists, so every project opened kept the curves of the one before.
                    plot.removeItem(curve)
        self.series.pop(run_id, None)
        self._smooth.pop(run_id, None)
        self._epochs_drawn.pop(run_id, None)

    def set_run_visible(self, run_id: str, visible: bool) -> None:
        """Shows or hides one run everywhere, its legend entries too."""
        curves = self.curves[run_id]
        curves.set_visible(visible)
        for plot in (self.batch, self.epoch, self.metric_plot, self.rate):
            for curve in curves.all:
                if curve not in plot.items:
                    continue
                label = plot.legend.getLabel(curve)
                if visible and label is None and curve.name():
                    plot.legend.addItem(curve, curve.name())
                elif not visible and label is not None:
                    plot.legend.removeItem(curve)

    def set_smoothing(self, weight: float) -> None:
        """Smoothing of the batch loss, 0 (none) to 0.999."""
        self.smoothing = weight
        self._smooth = {}
        for run_id in self.curves:
            self.redraw(run_id)

    def _smoothed(self, run_id: str, loss: np.ndarray) -> np.ndarray:
        # Only the values added since the last redraw are smoothed (live curves grow).
        smoother, done = self._smooth.get(run_id, (None, None))
        if smoother is None or len(done) > len(loss):
            smoother, done = Smoother(self.smoothing), Growing()
        done.extend(smoother.extend(loss[len(done) :]))
        self._smooth[run_id] = (smoother, done)
        return done.view()

    def redraw(self, run_id: str) -> None:
        """Updates a run's curves from its series."""
        series, curves = self.series[run_id], self.curves[run_id]
        steps, loss = series.steps.view(), series.batch_loss.view()
        curves.raw.setData(steps, loss)
        curves.smooth.setData(steps, self._smoothed(run_id, loss))
        curves.rate.setData(steps, series.learning_rate.view())
        # From zero to the highest rate: a constant rate is a line at its value, not at the
        # middle of an arbitrary range.
        top = max((float(s.learning_rate.view().max()) for s in self.series.values()
                   if len(s.learning_rate)), default=0.0)  # fmt: skip
        if top > 0 and top != self._rate_top:
            self._rate_top = top
            self.rate.setYRange(0, top * 1.1, padding=0)
        if self._epochs_drawn.get(run_id) == len(series.epochs):
            return  # the epoch plots have not changed: they are not painted again
        self._epochs_drawn[run_id] = len(series.epochs)
        epochs = np.arange(1, len(series.epochs) + 1, dtype=float)
        for curve, key in ((curves.loss, "loss"), (curves.val_loss, "val_loss"),
                           (curves.metric, self.metric_name),
                           (curves.val_metric, f"val_{self.metric_name}")):  # fmt: skip
            values = np.array([e.get(key, np.nan) for e in series.epochs], float)
            shown = np.isfinite(values)
            curve.setData(epochs[shown], values[shown])

    # Reading ------------------------------------------------------------------
    def curve_points(self, run_id: str, which: str) -> tuple[np.ndarray, np.ndarray]:
        """The data of one curve (``raw``, ``smooth``, ``loss``, ``val_loss``, ...)."""
        x, y = getattr(self.curves[run_id], which).getData()
        return (np.asarray([]), np.asarray([])) if x is None else (x, y)

    def readout_at(self, plot: pg.PlotItem, x: float) -> str:
        """The values of every visible run's curves in ``plot`` nearest to ``x``."""
        parts = []
        for run_id, curves in self.curves.items():
            for curve in curves.all:
                if curve.getViewBox() is not plot.vb or not curve.isVisible():
                    continue
                xs, ys = curve.getData()
                if xs is None or not len(xs):
                    continue
                i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
                label = curve.name() or self.series[run_id].name
                parts.append(f"{label}: {ys[i]:.4g} at {xs[i]:g}")
        return " · ".join(parts)

    def _on_scene_mouse_moved(self, args: tuple[QPointF]) -> None:
        position = args[0]
        for plot in (self.batch, self.epoch, self.metric_plot, self.rate):
            if plot.sceneBoundingRect().contains(position):
                x = plot.vb.mapSceneToView(position).x()
                text = self.readout_at(plot, x)
                if text:
                    self.readout.setText(text)
                    self.hovered.emit(text)
                return
