"""The Attention tab: for one example, where each position looks, one heat map per head.

For a Vision Transformer the class token's attention can be laid on the patch
grid instead, next to the image.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from netlab.inspect import attention_maps, class_token_attention
from ui.inspect.context import ATTENTION_KEYS, InspectContext
from ui.inspect.heatmap import HeatMap
from ui.inspect.images import describe_example, fraction_image, sample_image
from ui.inspect.view import InspectView, fill_layer_combo, labelled, layer_combo, sample_spin


class AttentionView(InspectView):
    """Attention weights of one attention layer, per head."""

    name = "attention"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.layer_combo = layer_combo([])
        self.sample_spin = QSpinBox()
        self.sample_label = QLabel()
        self.patch_check = QCheckBox("class token on the patch grid")
        self.patch_check.setChecked(True)
        self.patch_check.setToolTip("Vision Transformer: show where the class token looks, "
                                    "laid out on the image's patches")  # fmt: skip
        for widget in (*labelled("Layer", self.layer_combo), *labelled("Example", self.sample_spin),
                       self.sample_label, self.patch_check):  # fmt: skip
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.sample_spin.valueChanged.connect(self._on_sample_spin_changed)
        self.patch_check.toggled.connect(self._on_patch_check_toggled)
        self.head_maps: list[HeatMap] = []
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.heads = QGridLayout()
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note_label)
        layout.addLayout(self.heads, 1)

    # InspectView ---------------------------------------------------------------------
    def populate(self, context: InspectContext) -> str:
        layers = context.layers.get("attention", [])
        if not layers:
            return (f"This network has no attention layer ({', '.join(ATTENTION_KEYS)}): "
                    "there are no attention weights to show.")  # fmt: skip
        fill_layer_combo(self.layer_combo, layers)
        self.patch_check.setVisible(bool(context.patch_nodes))
        sample_spin(context, self.sample_spin)
        self._show_sample_label()
        return ""

    def work(self) -> Callable[[], Any] | None:
        layer = self.layer_combo.currentData()
        if layer is None:
            return None
        model, sample = self.context.model, self.context.x[self.sample_spin.value()]
        if self._patch_mode():
            return lambda: ("patches", class_token_attention(model, layer, sample))
        return lambda: ("tokens", attention_maps(model, layer, sample))

    def show_result(self, result: tuple[str, np.ndarray]) -> None:
        mode, weights = result
        self.clear_result()
        peak = float(weights.max()) or 1.0
        maps = [HeatMap(f"head {h + 1}") for h in range(len(weights))]
        for heat_map, head in zip(maps, weights, strict=True):
            heat_map.set_image(fraction_image(head / peak, "viridis"), head)
            self._label(heat_map, mode, head)
        extra = self._input_map() if mode == "patches" else None
        shown = ([extra] if extra is not None else []) + maps
        columns = max(1, math.ceil(math.sqrt(len(shown))))
        for i, widget in enumerate(shown):
            self.heads.addWidget(widget, i // columns, i % columns)
        self.head_maps = maps
        self.note_label.setText(self._note(mode, weights, peak))

    def clear_result(self) -> None:
        while self.heads.count():
            widget = self.heads.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.head_maps = []
        self.note_label.clear()

    # Pieces --------------------------------------------------------------------------
    def _patch_mode(self) -> bool:
        return bool(self.context and self.context.patch_nodes) and self.patch_check.isChecked()

    def _tokens(self, count: int) -> list[str]:
        sample = np.asarray(self.context.x_raw[self.sample_spin.value()]).reshape(-1)
        if self.context.dataset.kind == "tokens" and sample.size == count:
            return [str(int(t)) for t in sample]
        if self.context.patch_nodes and count > 1:
            return ["cls", *(str(i) for i in range(1, count))]
        return [str(i) for i in range(count)]

    def _label(self, heat_map: HeatMap, mode: str, head: np.ndarray) -> None:
        if mode == "patches":
            heat_map.set_describe(lambda r, c: f"patch ({r}, {c}): {float(head[r, c]):.3f}")
            return
        names = self._tokens(head.shape[1])
        is_tokens = self.context.dataset.kind == "tokens"
        what = "token id" if is_tokens else "position"
        heat_map.set_labels(names, names, f"query ({what})", f"key ({what})")
        heat_map.set_describe(
            lambda r, c: f"query {r} ({names[r]}) → key {c} ({names[c]}): {float(head[r, c]):.3f}"
        )

    def _input_map(self) -> HeatMap | None:
        image = sample_image(self.context.x_raw[self.sample_spin.value()])
        if image is None:
            return None
        heat_map = HeatMap("the example")
        heat_map.set_image(image or QImage())
        return heat_map

    def _note(self, mode: str, weights: np.ndarray, peak: float) -> str:
        layer = self.layer_combo.currentData()
        if mode == "patches":
            return (f"Where the class token looks in {layer}, per head, on the "
                    f"{weights.shape[1]}×{weights.shape[2]} patch grid (bright: much attention; "
                    f"brightest = {peak:.3f}).")  # fmt: skip
        return (f"Attention weights of {layer}: row = the position that looks (query), column = "
                f"where it looks (key); each row sums to 1. {len(weights)} heads, "
                f"{weights.shape[1]} positions; brightest = {peak:.3f}.")  # fmt: skip

    def _show_sample_label(self) -> None:
        context = self.context
        if context is None or not context.size:
            return
        index = self.sample_spin.value()
        text = f"(true: {context.label(index)})"
        if context.dataset.kind == "tokens":
            text = f"{describe_example(context.x_raw[index])}  {text}"
        self.sample_label.setText(text)

    # Slots ---------------------------------------------------------------------------
    def _on_layer_combo_changed(self, _index: int) -> None:
        self.request()

    def _on_sample_spin_changed(self, _value: int) -> None:
        self._show_sample_label()
        self.request()

    def _on_patch_check_toggled(self, _checked: bool) -> None:
        self.request()
