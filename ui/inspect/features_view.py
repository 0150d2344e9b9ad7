"""The Feature maps tab: a layer's output channels and, for a convolution, the sliding window.

The course's picture: the kernel of one output channel lies on a window of the
zero-padded input; their products, summed with the bias, give one output value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QLabel, QSpinBox, QWidget

from netlab.inspect import FeatureMaps, channel_grid, feature_maps
from ui.inspect.context import InspectContext, keys_with
from ui.inspect.heatmap import HeatMap, Mark
from ui.inspect.images import indexed_image, map_image, sample_image
from ui.inspect.view import InspectView, fill_layer_combo, labelled, layer_combo, sample_spin

MAX_KERNEL_TEXT = 49  # kernels up to 7x7 show their weights in the cells
WINDOW_COLOUR = "#e53935"
PADDING_COLOUR = "#1e88e5"
CHOSEN_COLOUR = "#ff8f00"


def grid_columns(channels: int) -> int:
    """Tiles per row of the channel mosaic: a near-square grid."""
    return max(1, math.ceil(math.sqrt(channels)))


class FeaturesView(InspectView):
    """What a spatial layer computes for one example, channel by channel."""

    name = "features"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.maps: FeatureMaps | None = None
        self.layer_combo = layer_combo([])
        self.sample_spin = QSpinBox()
        self.sample_label = QLabel()
        self.channel_spin = QSpinBox()
        self.row_spin, self.col_spin = QSpinBox(), QSpinBox()
        self.input_channel_spin = QSpinBox()
        self._add_controls()
        self.input_map = HeatMap("Input")
        self.kernel_map = HeatMap("Kernel")
        self.output_map = HeatMap("Output channel")
        self.grid_map = HeatMap("All output channels")
        self.formula_label = QLabel()
        self.formula_label.setWordWrap(True)
        layout = QGridLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        for column, widget in enumerate((self.input_map, self.kernel_map, self.output_map)):
            layout.addWidget(widget, 0, column)
            layout.setColumnStretch(column, 1)
        layout.addWidget(self.formula_label, 1, 0, 1, 3)
        layout.addWidget(self.grid_map, 2, 0, 1, 3)
        layout.setRowStretch(0, 4)
        layout.setRowStretch(2, 5)
        self.grid_map.cell_clicked.connect(self._on_grid_map_clicked)
        self.output_map.cell_clicked.connect(self._on_output_map_clicked)
        self.input_map.cell_clicked.connect(self._on_input_map_clicked)

    def _add_controls(self) -> None:
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.sample_spin.valueChanged.connect(self._on_sample_spin_changed)
        for spin in (self.channel_spin, self.row_spin, self.col_spin, self.input_channel_spin):
            spin.valueChanged.connect(self._on_choice_spin_changed)
        widgets = [
            *labelled("Layer", self.layer_combo), *labelled("Example", self.sample_spin),
            self.sample_label, *labelled("Channel", self.channel_spin),
            *labelled("Output row", self.row_spin), *labelled("column", self.col_spin),
            *labelled("Input channel", self.input_channel_spin),
        ]  # fmt: skip
        for widget in widgets:
            self.controls.addWidget(widget)
        self.controls.addStretch(1)

    # InspectView ---------------------------------------------------------------------
    def populate(self, context: InspectContext) -> str:
        layers = context.layers.get("features", [])
        if not layers:
            return ("This network has no layer with an image-shaped output (height, width, "
                    "channels): no convolution, pooling or patch embedding to look into.")
        fill_layer_combo(self.layer_combo, layers)
        convolutions = [i for i, (_, key) in enumerate(layers) if key in keys_with("kernel")]
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(convolutions[0] if convolutions else 0)
        self.layer_combo.blockSignals(False)
        sample_spin(context, self.sample_spin)
        self._show_sample_label()
        return ""

    def work(self) -> Callable[[], Any] | None:
        layer = self.layer_combo.currentData()
        if layer is None:
            return None
        model, sample = self.context.model, self.context.x[self.sample_spin.value()]
        return lambda: feature_maps(model, layer, sample)

    def show_result(self, result: FeatureMaps) -> None:
        self.maps = result
        height, width, channels = result.output.shape
        convolution = result.is_convolution
        inputs = 0 if result.input is None else result.input.shape[2]
        for spin, top, enabled in (
            (self.channel_spin, channels - 1, True), (self.row_spin, height - 1, convolution),
            (self.col_spin, width - 1, convolution),
            (self.input_channel_spin, max(0, inputs - 1), inputs > 1),
        ):  # fmt: skip
            spin.blockSignals(True)
            spin.setRange(0, top)
            spin.setEnabled(enabled)
            spin.blockSignals(False)
        self._redraw()

    def clear_result(self) -> None:
        self.maps = None
        for heat_map in (self.input_map, self.kernel_map, self.output_map, self.grid_map):
            heat_map.clear()
        self.formula_label.clear()

    # Drawing -------------------------------------------------------------------------
    def _redraw(self) -> None:
        maps = self.maps
        if maps is None:
            return
        channel = self.channel_spin.value()
        self._draw_grid(maps, channel)
        self._draw_input(maps)
        self._draw_kernel(maps, channel)
        output = maps.output[..., channel]
        self.output_map.set_image(map_image(output), output)
        self.output_map.set_title(f"Output channel {channel} ({output.shape[0]}×{output.shape[1]})")
        row, col = self.row_spin.value(), self.col_spin.value()
        marks = [Mark(row, col, row + 1, col + 1, WINDOW_COLOUR)] if maps.is_convolution else []
        self.output_map.set_marks(marks)
        self.formula_label.setText(self._formula(maps, channel, row, col))

    def _draw_grid(self, maps: FeatureMaps, channel: int) -> None:
        height, width, channels = maps.output.shape
        columns = grid_columns(channels)
        self.grid_map.set_image(indexed_image(channel_grid(maps.output, columns)))
        top, left = (channel // columns) * (height + 1), (channel % columns) * (width + 1)
        self.grid_map.set_marks([Mark(top, left, top + height, left + width, CHOSEN_COLOUR)])
        self.grid_map.set_title(f"All {channels} output channels of {maps.layer} "
                                "(each scaled on its own; click one)")  # fmt: skip
        self.grid_map.set_describe(lambda r, c: self._grid_text(r, c))

    def _draw_input(self, maps: FeatureMaps) -> None:
        if maps.input is None:
            self.input_map.clear()
            self.input_map.set_title("Input: not image-shaped")
            return
        padded = maps.padded_input() if maps.is_convolution else maps.input
        picked = self.input_channel_spin.value()
        rgb = padded.shape[2] == 3
        image = sample_image(padded) if rgb else map_image(padded[..., picked])
        self.input_map.set_image(image or QImage(), None if rgb else padded[..., picked])
        what = "padded input" if maps.is_convolution and np.any(maps.padding) else "input"
        shown = "colour" if rgb else f"channel {picked}"
        self.input_map.set_title(f"{what.capitalize()} ({padded.shape[0]}×{padded.shape[1]}, "
                                 f"{shown})")  # fmt: skip
        self.input_map.set_marks(self._input_marks(maps))

    def _input_marks(self, maps: FeatureMaps) -> list[Mark]:
        if not maps.is_convolution:
            return []
        (top, _), (left, _) = maps.padding
        height, width = maps.input.shape[:2]
        marks = [Mark(top, left, top + height, left + width, PADDING_COLOUR, dashed=True)] \
            if np.any(maps.padding) else []  # fmt: skip
        rows, cols = maps.window(self.row_spin.value(), self.col_spin.value())
        return [*marks, Mark(rows.start, cols.start, rows.stop, cols.stop, WINDOW_COLOUR)]

    def _draw_kernel(self, maps: FeatureMaps, channel: int) -> None:
        if maps.kernel is None:
            self.kernel_map.clear()
            self.kernel_map.set_title(f"{maps.layer_type}: no kernel")
            return
        picked = min(self.input_channel_spin.value(), maps.kernel.shape[2] - 1)
        weights = maps.kernel[:, :, picked, channel]
        self.kernel_map.set_image(map_image(weights, "diverging", symmetric=True), weights)
        small = weights.size <= MAX_KERNEL_TEXT
        texts = [[f"{v:.2f}".replace("-0.00", "0.00") for v in row] for row in weights] \
            if small else None  # fmt: skip
        self.kernel_map.set_cell_texts(texts)
        self.kernel_map.set_title(f"Kernel of channel {channel}, input channel {picked} "
                                  "(red +, blue −)")  # fmt: skip

    def _formula(self, maps: FeatureMaps, channel: int, row: int, col: int) -> str:
        if not maps.is_convolution:
            shape = "×".join(str(s) for s in maps.output.shape)
            return f"{maps.layer} ({maps.layer_type}) has no kernel; its output is {shape}."
        value = maps.window_value(row, col, channel)
        output = float(maps.output[row, col, channel])
        inputs = maps.kernel.shape[2]
        over = f" over all {inputs} input channels" if inputs > 1 else ""
        bias = "" if maps.bias is None else f" + bias {float(maps.bias[channel]):.3f}"
        linear = maps.activation in (None, "linear")
        after = "" if linear else f"; after {maps.activation}: {output:.4f}"
        frame = "; the dashed blue frame is the input without padding" if np.any(maps.padding) \
            else ""  # fmt: skip
        return (f"Output ({row}, {col}) of channel {channel} = sum of kernel × red window"
                f"{over}{bias} = <b>{value:.4f}</b>{after}. Stride {maps.strides[0]}×"
                f"{maps.strides[1]}{frame}. Click the output or the input to move the window.")

    def _grid_text(self, row: int, col: int) -> str:
        channel = self._grid_channel(row, col)
        return "" if channel is None else f"channel {channel}"

    def _grid_channel(self, row: int, col: int) -> int | None:
        if self.maps is None:
            return None
        height, width, channels = self.maps.output.shape
        columns = grid_columns(channels)
        if row % (height + 1) == height or col % (width + 1) == width:
            return None  # the padding between tiles
        channel = (row // (height + 1)) * columns + col // (width + 1)
        return channel if channel < channels else None

    def _show_sample_label(self) -> None:
        if self.context is not None and self.context.size:
            self.sample_label.setText(f"(true: {self.context.label(self.sample_spin.value())})")

    def _set_spins(self, **values: int) -> None:
        for name, value in values.items():
            spin = getattr(self, f"{name}_spin")
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._redraw()

    # Slots ---------------------------------------------------------------------------
    def _on_layer_combo_changed(self, _index: int) -> None:
        self.request()

    def _on_sample_spin_changed(self, _value: int) -> None:
        self._show_sample_label()
        self.request()

    def _on_choice_spin_changed(self, _value: int) -> None:
        self._redraw()

    def _on_grid_map_clicked(self, row: int, col: int) -> None:
        channel = self._grid_channel(row, col)
        if channel is not None:
            self._set_spins(channel=channel)

    def _on_output_map_clicked(self, row: int, col: int) -> None:
        if self.maps is not None and self.maps.is_convolution:
            self._set_spins(row=row, col=col)

    def _on_input_map_clicked(self, row: int, col: int) -> None:
        maps = self.maps
        if maps is None or not maps.is_convolution:
            return
        spans = [(k - 1) * d / 2 for k, d in zip(maps.kernel_size, maps.dilation, strict=True)]
        limits = maps.output.shape[:2]
        at = [
            min(max(int(round((p - s) / stride)), 0), limit - 1)
            for p, s, stride, limit in zip((row, col), spans, maps.strides, limits, strict=True)
        ]
        self._set_spins(row=at[0], col=at[1])
