"""The decision boundary of a classifier of 2-D points, with each hidden unit's own map.

TensorFlow Playground's picture: the plane coloured by the predicted class (paler
where the network is less sure), the data points on top, and for a small MLP a
thumbnail per hidden unit. :class:`BoundaryPlot` draws a
:class:`~netlab.inspect.boundary.DecisionGrid`; :class:`BoundaryView` is the
Inspect sub-tab (the model as trained); the Training tab keeps a
:class:`BoundaryPlot` that follows a run epoch by epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netlab.inspect import channel_grid
from netlab.inspect.boundary import DecisionGrid, decision_grid, input_transform, is_planar
from ui import theme
from ui.inspect.context import InspectContext
from ui.inspect.heatmap import HeatMap
from ui.inspect.images import indexed_image
from ui.inspect.view import InspectView
from ui.training.plots import colour_of

EXPLANATION = ("Each point of the plane coloured by the class the network predicts there, "
               "paler where it is less sure; the data points on top. Below: what each hidden "
               "unit responds to (bright: high activation).")  # fmt: skip
MAX_UNITS = 16  # thumbnails per hidden layer


def class_colours(count: int) -> np.ndarray:
    """float ``(count, 3)`` RGB 0..1 of the plot colours, one per class."""
    return np.array([QColor(colour_of(i)).getRgbF()[:3] for i in range(count)])


def boundary_rgb(grid: DecisionGrid, background: str) -> np.ndarray:
    """uint8 ``(res, res, 3)``: the class colours mixed by probability, over the background.

    Where the network is sure the colour is the class's own (lightened by half);
    where it hesitates between all ``k`` classes it fades into the background.
    """
    probabilities = grid.probabilities.astype("float64")
    k = probabilities.shape[-1]
    mixed = probabilities @ class_colours(k)
    certainty = (probabilities.max(axis=-1, keepdims=True) - 1 / k) / (1 - 1 / k)
    back = np.array(QColor(background).getRgbF()[:3])
    rgb = back + (0.55 * certainty) * (mixed - back)
    return np.round(255 * np.clip(rgb, 0, 1)).astype("uint8")


class BoundaryPlot(QWidget):
    """The plane with the boundary and the points, and the hidden units' thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: DecisionGrid | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)  # a narrow column (the Training tab's) keeps it all
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.points: list[pg.ScatterPlotItem] = []
        self.units = HeatMap("")
        self.units_title = QLabel()
        self.units_title.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.units_title)
        layout.addWidget(self.units, 2)

    def show_grid(self, grid: DecisionGrid, x: np.ndarray, y: np.ndarray, title: str) -> None:
        """Draws ``grid`` under the points ``x`` (raw, ``(n, 2)``) of classes ``y``."""
        self.grid = grid
        colours = theme.current()
        self.plot.setBackground(colours.background)
        rgb = boundary_rgb(grid, colours.background)
        # ImageItem's first axis is x: the grid's rows are y, so it goes transposed.
        self.image.setImage(np.transpose(rgb, (1, 0, 2)), levels=(0, 255))
        dx = (grid.xs[-1] - grid.xs[0]) / max(len(grid.xs) - 1, 1)
        dy = (grid.ys[-1] - grid.ys[0]) / max(len(grid.ys) - 1, 1)
        self.image.setRect(float(grid.xs[0] - dx / 2), float(grid.ys[0] - dy / 2),
                           float(dx * len(grid.xs)), float(dy * len(grid.ys)))  # fmt: skip
        for item in self.points:
            self.plot.removeItem(item)
        self.points = []
        edge = pg.mkPen(colours.node_text, width=1)
        for k, name in enumerate(grid.class_names):
            chosen = np.asarray(y).astype(int) == k
            item = pg.ScatterPlotItem(x[chosen, 0], x[chosen, 1], size=6, pen=edge,
                                      brush=pg.mkBrush(colour_of(k)), name=name)  # fmt: skip
            self.plot.addItem(item)
            self.points.append(item)
        self.title.setText(title)
        self._show_units(grid)

    def _show_units(self, grid: DecisionGrid) -> None:
        if not grid.hidden:
            self.units.clear()
            self.units_title.setText("Hidden units: shown for small MLPs (Dense layers, at most "
                                     "64 units in all)")  # fmt: skip
            return
        rows = []
        width = 0
        for _name, maps in grid.hidden:
            tiles = np.transpose(maps[:MAX_UNITS], (1, 2, 0))[::-1]  # y grows upwards
            mosaic = channel_grid(tiles, columns=min(len(tiles[0, 0]), 8), padding=4)
            rows.append(mosaic)
            width = max(width, mosaic.shape[1])
        gap = np.full((6, width), 255, "uint8")
        padded = [np.pad(r, ((0, 0), (0, width - r.shape[1])), constant_values=255) for r in rows]
        stacked = np.concatenate([p for r in padded for p in (r, gap)][:-1])
        self.units.set_image(indexed_image(stacked, "viridis"))
        names = ", ".join(f"{name} ({len(maps)} units)" for name, maps in grid.hidden)
        self.units_title.setText(f"Each hidden unit over the plane, one row per layer: {names}")


class BoundaryView(InspectView):
    """Inspect > Decision boundary: the model's classes over the plane of a 2-D data set."""

    name = "boundary"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        self.controls.addWidget(explanation, 1)
        self.boundary = BoundaryPlot()
        QVBoxLayout(self.content).addWidget(self.boundary)

    def populate(self, context: InspectContext) -> str:
        if not is_planar(context.dataset):
            return ("The decision boundary is drawn for a classification of 2-D points "
                    "(spirals, moons, circles, or a CSV with two feature columns).")
        return ""

    def work(self) -> Callable[[], Any] | None:
        context = self.context
        transform = input_transform(context.dataset, context.config)
        return lambda: decision_grid(context.model, context.dataset.x, transform,
                                     context.dataset.class_names)  # fmt: skip

    def show_result(self, result: DecisionGrid) -> None:
        data = self.context.dataset
        self.boundary.show_grid(result, data.x, data.y, boundary_title(result, len(data.x)))

    def clear_result(self) -> None:
        self.boundary.units.clear()


def boundary_title(grid: DecisionGrid, points: int, epoch: int | None = None) -> str:
    """The line above the plot: what is drawn, and after which epoch."""
    when = "" if epoch is None else f"after epoch {epoch + 1}: "
    res = len(grid.xs)
    return f"{when}{points} points over a {res}×{len(grid.ys)} grid of the class probabilities"
