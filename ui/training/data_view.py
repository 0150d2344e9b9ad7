"""Choosing the data set, with a preview and whether it fits the network."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from netlab.data import BUILTIN, ONLINE, Dataset, load_dataset
from netlab.graph.analysis import Problem
from netlab.graph.model import Graph
from ui import dialogs, theme
from ui.tasks import run_task

OWN_FILE, OWN_FOLDER = "Own file (CSV, .npz, .npy)…", "Image folder (one subfolder per class)…"


def image_mosaic(x: np.ndarray, count: int = 32, columns: int = 8) -> np.ndarray:
    """The first ``count`` images side by side (grey or RGB), scaled to 0..1."""
    images = np.asarray(x[:count], dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    low, high = float(images.min()), float(images.max())
    images = (images - low) / (high - low or 1.0)
    n, h, w, c = images.shape
    rows = -(-n // columns)
    mosaic = np.ones((rows * (h + 1) - 1, columns * (w + 1) - 1, c), "float32")
    for i, image in enumerate(images):
        r, k = divmod(i, columns)
        mosaic[r * (h + 1) : r * (h + 1) + h, k * (w + 1) : k * (w + 1) + w] = image
    return mosaic[..., 0] if c == 1 else mosaic


class DataView(QWidget):
    """Data set choice, preview and fit check.

    Signals:
        source_changed(str): the data set the user chose (name or path).
        loaded(): the chosen data set was loaded (or failed to load).
    """

    source_changed = Signal(str)
    loaded = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.combo = QComboBox()
        self.combo.setObjectName("datasetChoice")
        for name in BUILTIN:
            self.combo.addItem(f"{name} (built in)", name)
        for name in ONLINE:
            self.combo.addItem(f"{name} (downloads once)", name)
        self.combo.addItem(OWN_FILE, OWN_FILE)
        self.combo.addItem(OWN_FOLDER, OWN_FOLDER)
        self.preview_button = QPushButton("Preview")
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setFixedHeight(150)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.fit = QLabel("")
        self.fit.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.preview_button)
        layout.addWidget(self.plot)
        layout.addWidget(self.info)
        layout.addWidget(self.fit)
        self.source = ""
        self.dataset: Dataset | None = None
        self.combo.activated.connect(self._on_combo_activated)
        self.preview_button.clicked.connect(lambda: self.load(self.source))

    @property
    def loading(self) -> bool:
        """Whether a data set is being loaded for the preview."""
        return self.info.text().startswith("Loading")

    def set_source(self, source: str, preview: bool = True) -> None:
        """Shows ``source`` as chosen (a name or a path) and previews it unless online."""
        if source != self.source:
            self.dataset = None
            self.fit.setText("")
        self.source = source
        index = self.combo.findData(source)
        if index < 0:
            self.combo.insertItem(0, source, source)
            index = 0
        self.combo.setCurrentIndex(index)
        if preview and source not in ONLINE:
            self.load(source)
        elif source in ONLINE:
            self.info.setText(
                f"{source}: downloaded from the internet on first use; press Preview."
            )

    def load(self, source: str) -> None:
        """Loads ``source`` on a worker thread for the preview and the fit check."""
        self.info.setText(f"Loading {source}…")
        run_task(self, "data", lambda: load_dataset(source),
                 lambda dataset: self._on_loaded(source, dataset),
                 lambda message: self._on_failed(source, message))  # fmt: skip

    def show_fit(self, problems: list[Problem], graph: Graph) -> None:
        """Says whether the loaded data fits the network (the problems name the fix)."""
        if self.dataset is None:
            self.fit.setText("")
        elif problems:
            self.fit.setStyleSheet(theme.error_style())
            self.fit.setText("Does not fit the network: " +
                             "; ".join(p.describe(graph) for p in problems))  # fmt: skip
        else:
            self.fit.setStyleSheet(theme.good_style())
            self.fit.setText("Fits the network's input and output.")

    def _on_combo_activated(self, index: int) -> None:
        choice = self.combo.itemData(index)
        if choice == OWN_FILE:
            choice = dialogs.open_path(self, "Data file", "Data (*.csv *.npz *.npy)")
        elif choice == OWN_FOLDER:
            choice = dialogs.folder_path(self, "Image folder")
        if not choice:
            self.set_source(self.source, preview=False)
            return
        self.set_source(choice)
        self.source_changed.emit(choice)

    def _on_loaded(self, source: str, dataset: Dataset) -> None:
        if source != self.source:
            return
        self.dataset = dataset
        classes = f", {dataset.num_classes} classes" if dataset.num_classes else ""
        shape = "x".join(str(d) for d in dataset.input_shape)
        what = f"{dataset.task}; {dataset.storage}"
        self.info.setText(f"{dataset.name}: {len(dataset.x):,} examples of {shape}{classes} "
                          f"({what}). {dataset.description}")  # fmt: skip
        self._draw(dataset)
        self.loaded.emit()

    def _on_failed(self, source: str, message: str) -> None:
        if source == self.source:
            self.dataset = None
            self.plot.clear()
            self.info.setText(message)
            self.loaded.emit()

    def _draw(self, dataset: Dataset) -> None:
        self.plot.clear()
        if dataset.kind == "image":
            mosaic = image_mosaic(dataset.x)
            item = pg.ImageItem(np.swapaxes(mosaic, 0, 1)[:, ::-1] if mosaic.ndim == 2
                                else np.swapaxes(mosaic, 0, 1)[:, ::-1, :])  # fmt: skip
            item.setLevels([0, 1]) if mosaic.ndim == 2 else None
            self.plot.addItem(item)
        elif dataset.kind == "points" and dataset.x.shape[1] == 2:
            colours = [
                pg.intColor(int(c), hues=max(2, dataset.num_classes)) for c in dataset.y[:2000]
            ]
            self.plot.addItem(pg.ScatterPlotItem(dataset.x[:2000, 0], dataset.x[:2000, 1], size=4,
                                                 brush=colours, pen=None))  # fmt: skip
        else:
            rows = "\n".join(" ".join(str(int(v)) for v in row[:24]) + f"  → {dataset.y[i]}"
                             for i, row in enumerate(np.asarray(dataset.x[:8])))  # fmt: skip
            text = pg.TextItem(rows, color=theme.current().node_text, anchor=(0, 0))
            self.plot.addItem(text)
        self.plot.autoRange()

