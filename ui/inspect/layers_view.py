"""The Gradients and Histograms tabs: what a run recorded about each layer while it trained.

Both read a :class:`~netlab.project.RunRecord`'s ``layer_stats`` (recorded inside
the training step and at epoch ends; see :mod:`netlab.training.layerstats`), so
they need no model and nothing is computed here beyond scaling for display.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui import theme
from ui.inspect.heatmap import HeatMap
from ui.inspect.images import indexed_image
from ui.inspect.view import fill_layer_combo, labelled
from ui.training.plots import colour_of

NO_RECORD = ("Train the network to see its gradients: every run records each layer's "
             "gradient norm and update ratio (Training settings: layer stats).")  # fmt: skip
NO_HISTOGRAMS = ("Train the network to see its distributions: every run records a histogram "
                 "of each layer's weights and outputs after each epoch (Training settings: "
                 "histograms).")  # fmt: skip
SERIES = {"grad_norm": "gradient norm ‖g‖", "update_ratio": "update ratio ‖Δw‖ / ‖w‖"}
MAX_LINES = 10  # per-layer lines drawn at most (evenly chosen from first to last)


def log_levels(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``log10`` of positive values scaled to 0..255 (zeros and below as 0), and its range."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return np.zeros(values.shape, "uint8"), 0.0, 0.0
    logs = np.log10(np.where(values > 0, values, positive.min()))
    low, high = float(logs.min()), float(logs.max())
    scaled = (logs - low) / (high - low) if high > low else np.zeros_like(logs)
    return np.round(255 * scaled).astype("uint8"), low, high


class _RecordView(QWidget):
    """A tab that shows one run's record: an explanation, a controls row, a message."""

    def __init__(self, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: Any = None
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.controls = QHBoxLayout()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.explanation)
        self.body.addLayout(self.controls)
        self.body.addWidget(self.message_label)

    def message(self) -> str:
        """The one line shown (why nothing is shown, or what is)."""
        return self.message_label.text()


class GradientsView(_RecordView):
    """Gradient flow: a layer x step heat map of ``log10 ‖g‖`` and one line per layer."""

    name = "gradients"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("How strongly each layer learns: the norm of its gradient (or how far "
                         "a step moves its weights, relative to them) every few steps, first "
                         "layer at the top. A plain deep stack fades towards its input; a "
                         "residual one does not.", parent)  # fmt: skip
        self.series_combo = QComboBox()
        for key, text in SERIES.items():
            self.series_combo.addItem(text, key)
        for widget in labelled("Show", self.series_combo):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.heat_map = HeatMap("log10 of the gradient norm, layer × step")
        self.plot = pg.PlotWidget()
        self.plot.setLogMode(y=True)
        self.plot.setLabel("bottom", "step")
        self.plot.addLegend(offset=(-10, 10))
        self.body.addWidget(self.heat_map, 3)
        self.body.addWidget(self.plot, 2)
        self.series_combo.currentIndexChanged.connect(self._on_series_combo_changed)
        self.show_record(None)

    def show_record(self, record: Any) -> None:
        """Shows a run's series (``None``, or a run without them: the reason)."""
        self.record = record
        stats = getattr(record, "layer_stats", None) or {}
        has = "grad_norm" in stats and len(stats["step"]) > 0
        self.heat_map.setVisible(has)
        self.plot.setVisible(has)
        self.series_combo.setEnabled(has)
        if not has:
            self.heat_map.clear()
            self.plot.clear()
            self.message_label.setText(NO_RECORD if record is None else
                                       f"Run {record.name} recorded no gradients (its layer "
                                       "stats setting was off).")
            return
        self._draw(stats)

    def _draw(self, stats: dict[str, Any]) -> None:
        key = self.series_combo.currentData()
        values = np.asarray(stats[key], "float64").T  # layers x records
        layers, steps = list(stats["layers"]), stats["step"]
        levels, low, high = log_levels(values)
        self.heat_map.set_image(indexed_image(levels, "viridis"), values)
        self.heat_map.set_title(f"log10 of the {SERIES[key]}, layer × record: from {low:.1f} "
                                f"(dark) to {high:.1f} (bright)")  # fmt: skip
        every = max(1, len(steps) // 8)
        self.heat_map.set_labels(layers, [str(s) if i % every == 0 else "" for i, s in
                                          enumerate(steps)], "layer", "step")  # fmt: skip
        self.heat_map.set_describe(lambda r, c: f"{layers[r]}, step {steps[c]}: "
                                               f"{values[r, c]:.3g}")  # fmt: skip
        self.plot.clear()
        self.set_colours(theme.current().background, theme.current().node_text)
        self.plot.setLabel("left", SERIES[key])
        chosen = np.unique(np.linspace(0, len(layers) - 1, min(len(layers), MAX_LINES))
                           .round().astype(int))  # fmt: skip
        for order, index in enumerate(chosen):
            line = np.where(values[index] > 0, values[index], np.nan)
            self.plot.plot(steps, line, pen=pg.mkPen(colour_of(order), width=2),
                           name=layers[index], connect="finite")  # fmt: skip
        first, last = values[0], values[-1]
        ratio = np.median(first[last > 0] / last[last > 0]) if np.any(last > 0) else np.nan
        shown = "" if len(chosen) == len(layers) else f" ({len(chosen)} of {len(layers)} drawn)"
        self.message_label.setText(
            f"Run {self.record.name}: {len(steps)} records of {len(layers)} layers{shown}. "
            f"First layer / last layer: median ratio {ratio:.2g}."
        )

    def set_colours(self, background: str, foreground: str) -> None:
        """The plot's background, axes and legend in the theme's colours."""
        self.plot.setBackground(background)
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            item.getAxis(name).setPen(foreground)
            item.getAxis(name).setTextPen(foreground)
        if item.legend is not None:
            item.legend.setLabelTextColor(foreground)
            item.legend.setBrush(pg.mkBrush(QColor(background)))

    def _on_series_combo_changed(self, _index: int) -> None:
        self.show_record(self.record)


class HistogramsView(_RecordView):
    """Distributions: for one layer, a histogram per epoch, epochs stacked as rows."""

    name = "histograms"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("How the values of one layer are spread, epoch by epoch (TensorBoard's "
                         "distributions): each row is one epoch's histogram, darker where "
                         "more values fall, over the range written on its right.", parent)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("weights", "weight")
        self.kind_combo.addItem("outputs (activations)", "activation")
        self.layer_combo = QComboBox()
        for widget in (*labelled("Values", self.kind_combo), *labelled("Layer", self.layer_combo)):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.heat_map = HeatMap("")
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "count")
        self.plot.addLegend(offset=(-10, 10))
        self.body.addWidget(self.heat_map, 2)
        self.body.addWidget(self.plot, 3)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.show_record(None)

    def show_record(self, record: Any) -> None:
        """Shows a run's histograms (``None``, or a run without them: the reason)."""
        self.record = record
        kind = self.kind_combo.currentData()
        stats = getattr(record, "layer_stats", None) or {}
        names = list(stats.get(f"{kind}_layers", []))
        before = self.layer_combo.currentData()
        fill_layer_combo(self.layer_combo, [(n, kind) for n in names])
        for i in range(self.layer_combo.count()):
            self.layer_combo.setItemText(i, names[i])
        if before in names:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentIndex(names.index(before))
            self.layer_combo.blockSignals(False)
        self._draw()

    def _draw(self) -> None:
        kind, layer = self.kind_combo.currentData(), self.layer_combo.currentData()
        stats = getattr(self.record, "layer_stats", None) or {}
        if layer is None or f"{kind}_hist" not in stats:
            self.heat_map.clear()
            self.heat_map.setVisible(False)
            self.plot.clear()
            self.plot.setVisible(False)
            self.message_label.setText(NO_HISTOGRAMS if self.record is None else
                                       f"Run {self.record.name} recorded no histograms "
                                       "(its histograms setting was off).")
            return
        index = list(stats[f"{kind}_layers"]).index(layer)
        counts = np.asarray(stats[f"{kind}_hist"][:, index], "float64")  # epochs x bins
        ranges = stats[f"{kind}_range"][:, index]
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        levels = np.round(255 * (1 - shares / max(shares.max(), 1e-12))).astype("uint8")
        self.heat_map.setVisible(True)
        self.heat_map.set_image(indexed_image(levels), shares)
        self.heat_map.set_labels([str(e + 1) for e in range(len(counts))], [], "epoch", "",
                                 [f"{lo:.3g} … {hi:.3g}" for lo, hi in ranges])  # fmt: skip
        self.heat_map.set_title(f"{layer}: {kind} values per epoch ({counts.shape[1]} bins)")
        bins = counts.shape[1]

        def describe(row: int, col: int) -> str:
            lo, hi = ranges[row]
            width = (hi - lo) / bins
            return (f"epoch {row + 1}: {int(counts[row, col])} values in "
                    f"[{lo + col * width:.3g}, {lo + (col + 1) * width:.3g})")

        self.heat_map.set_describe(describe)
        self._draw_lines(layer, kind, counts, ranges)
        self.message_label.setText(f"Run {self.record.name}: {len(counts)} epochs.")

    def _draw_lines(self, layer: str, kind: str, counts: np.ndarray, ranges: np.ndarray) -> None:
        """Each epoch's histogram as a step line, early epochs light and the last one dark."""
        colours = theme.current()
        self.plot.setVisible(True)
        self.plot.clear()
        self.plot.setBackground(colours.background)
        self.plot.setLabel("bottom", f"{kind} value of {layer}")
        last = QColor(colours.accent)
        chosen = np.unique(np.linspace(0, len(counts) - 1, min(len(counts), MAX_LINES))
                           .round().astype(int))  # fmt: skip
        for index in chosen:
            lo, hi = ranges[index]
            edges = np.linspace(lo, hi, counts.shape[1] + 1)
            colour = QColor(last)
            colour.setAlphaF(0.25 + 0.75 * (index + 1) / len(counts))
            self.plot.plot(edges, counts[index], stepMode="center", pen=pg.mkPen(colour, width=2),
                           name=f"epoch {index + 1}")  # fmt: skip

    def _on_kind_combo_changed(self, _index: int) -> None:
        self.show_record(self.record)

    def _on_layer_combo_changed(self, _index: int) -> None:
        self._draw()
