"""The Augmentation tab: a few examples as an augmentation layer changes them in training."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QSpinBox, QVBoxLayout, QWidget

from netlab.inspect import augmented_examples, preview_mosaic
from ui.inspect.context import InspectContext, keys_with
from ui.inspect.heatmap import HeatMap
from ui.inspect.images import rgb_image
from ui.inspect.view import InspectView, fill_layer_combo, labelled, layer_combo

EXAMPLES = 4
REPEATS = 5


class AugmentationView(InspectView):
    """Rows of examples: as the layer receives them, then random versions of each."""

    name = "augmentation"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.layer_combo = layer_combo([])
        self.layer_combo.currentIndexChanged.connect(lambda _i: self.request())
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("another seed draws other random versions")
        self.seed_spin.valueChanged.connect(lambda _v: self.request())
        for widget in (*labelled("Layer", self.layer_combo), *labelled("Seed", self.seed_spin)):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.mosaic = HeatMap("Original, then random versions")
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note_label)
        layout.addWidget(self.mosaic, 1)

    def populate(self, context: InspectContext) -> str:
        keys = keys_with("augmentation")
        layers = [(n.name, n.key) for n in context.graph.nodes.values() if n.key in keys]
        if not layers:
            return ("This network has no augmentation layer (RandomFlip, RandomRotation, ...): "
                    "add one in front to see what it does to the examples.")  # fmt: skip
        fill_layer_combo(self.layer_combo, layers)
        return ""

    def work(self) -> Callable[[], Any] | None:
        layer = self.layer_combo.currentData()
        if layer is None or self.context is None:
            return None
        model, seed = self.context.model, self.seed_spin.value()
        examples = self.context.x[:EXAMPLES]
        graph = self.context.graph
        sources = graph.inputs_of(graph.node_by_name(layer).id)
        if sources and graph.nodes[sources[0].src].key == "Input":
            # Straight after the input: the examples as they are in the data set, not
            # standardised, so they look like themselves (a digit, a photo).
            examples = self.context.x_raw[:EXAMPLES]
        return lambda: preview_mosaic(augmented_examples(model, layer, examples, REPEATS, seed))

    def show_result(self, result: np.ndarray) -> None:
        self.mosaic.set_image(rgb_image(result))
        layer = self.layer_combo.currentData()
        self.note_label.setText(
            f"{layer}: each row is one example of the {self.context.split} set (left), then "
            f"{REPEATS} random versions of it as the layer makes them. It changes its input in "
            "training only; evaluation and prediction see the left column.")  # fmt: skip

    def clear_result(self) -> None:
        self.mosaic.clear()
        self.note_label.clear()
