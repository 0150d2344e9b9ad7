"""The Positions tab: how alike the position vectors of a positional embedding are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netlab.inspect import position_similarity
from ui.inspect.context import POSITION_KEYS, InspectContext
from ui.inspect.heatmap import HeatMap
from ui.inspect.images import map_image
from ui.inspect.view import InspectView, fill_layer_combo, labelled, layer_combo

MAX_LABELS = 64


class PositionsView(InspectView):
    """The cosine similarity of every pair of position vectors, as a heat map."""

    name = "positions"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.layer_combo = layer_combo([])
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        for widget in labelled("Layer", self.layer_combo):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.similarity_map = HeatMap("Cosine similarity of the position vectors")
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note_label)
        layout.addWidget(self.similarity_map, 1)

    def populate(self, context: InspectContext) -> str:
        layers = context.layers.get("positions", [])
        if not layers:
            return (f"This network has no positional embedding ({', '.join(POSITION_KEYS)}): "
                    "there are no position vectors to compare.")  # fmt: skip
        fill_layer_combo(self.layer_combo, layers)
        return ""

    def work(self) -> Callable[[], Any] | None:
        layer = self.layer_combo.currentData()
        if layer is None:
            return None
        model = self.context.model
        return lambda: position_similarity(model, layer)

    def show_result(self, result: np.ndarray) -> None:
        count = len(result)
        # The diagonal is 1, so the symmetric scale is -1..1 with 0 white.
        image = map_image(result, "diverging", symmetric=True)
        self.similarity_map.set_image(image, result)
        names = [str(i) for i in range(count)] if count <= MAX_LABELS else []
        self.similarity_map.set_labels(names, names, "position", "position")
        self.similarity_map.set_describe(
            lambda r, c: f"positions {r} and {c}: similarity {float(result[r, c]):.3f}"
        )
        layer = self.layer_combo.currentData()
        self.note_label.setText(
            f"{layer}: {count} positions. Each cell is the cosine similarity of two position "
            "vectors (red: alike, white: unrelated, blue: opposite); the diagonal is 1. In a "
            "good embedding nearby positions are alike."
        )

    def clear_result(self) -> None:
        self.similarity_map.clear()
        self.similarity_map.set_labels()
        self.note_label.clear()

    def _on_layer_combo_changed(self, _index: int) -> None:
        self.request()
