"""The Feature maps tab: a layer's output channels and, for a convolution, the sliding window.

The course's picture: the kernel of one output channel lies on a window of the
zero-padded input; their products, summed with the bias, give one output value.
The input can be a data-set example, the lecture's 8x8 image or one the user
paints; a convolution's kernel can be typed in (it becomes the layer's weights,
through the document's undo stack); and the receptive field of the chosen output
position is outlined on the network's input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from netlab.errors import InspectError
from netlab.graph.analysis import analyse
from netlab.inspect import FeatureMaps, channel_grid, feature_maps
from netlab.inspect.kernels import format_kernel, lecture_image, parse_kernel, with_kernel
from netlab.inspect.receptive import ReceptiveField, receptive_field_problems, receptive_fields
from ui.inspect.context import InspectContext, keys_with
from ui.inspect.heatmap import HeatMap, Mark
from ui.inspect.images import indexed_image, map_image, sample_image
from ui.inspect.kernel_dialog import KernelDialog
from ui.inspect.view import InspectView, fill_layer_combo, labelled, layer_combo, sample_spin

MAX_KERNEL_TEXT = 49  # kernels up to 7x7 show their weights in the cells
WINDOW_COLOUR = "#e53935"
PADDING_COLOUR = "#1e88e5"
CHOSEN_COLOUR = "#ff8f00"
FIELD_COLOUR = "#43a047"
#: The inputs the view can show, as (key, label).
SOURCES = (("example", "data-set example"), ("lecture", "lecture 8x8 square"),
           ("drawn", "drawn (click the input on the right to paint)"))  # fmt: skip


def grid_columns(channels: int) -> int:
    """Tiles per row of the channel mosaic: a near-square grid."""
    return max(1, math.ceil(math.sqrt(channels)))


class FeaturesView(InspectView):
    """What a spatial layer computes for one example, channel by channel."""

    name = "features"
    #: A kernel was typed in: (layer name, the layer's new weight arrays).
    weights_edited = Signal(str, object)
    #: The example shown changed (another source, example or painted pixel).
    example_changed = Signal()

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.maps: FeatureMaps | None = None
        self.fields: dict[str, ReceptiveField] = {}
        self.field_problems: dict[str, str] = {}
        self.drawn: np.ndarray | None = None
        self.source_combo = QComboBox()
        for key, text in SOURCES:
            self.source_combo.addItem(text, key)
        self.kernel_button = QPushButton("Set kernel…")
        self.kernel_button.setToolTip("type this output channel's kernel and bias, as the "
                                      "lecture does; they become the layer's weights")
        self.clear_button = QPushButton("Clear drawing")
        self.kernel_dialog: KernelDialog | None = None
        self._kernel_for: str | None = None  # open the dialog once this layer is shown
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
        self.field_map = HeatMap("Receptive field on the input")
        self.formula_label = QLabel()
        self.formula_label.setWordWrap(True)
        layout = QGridLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        second = QHBoxLayout()
        for widget in (*labelled("Input", self.source_combo), self.clear_button,
                       self.kernel_button):  # fmt: skip
            second.addWidget(widget)
        second.addStretch(1)
        layout.addLayout(second, 0, 0, 1, 3)
        for column, widget in enumerate((self.input_map, self.kernel_map, self.output_map)):
            layout.addWidget(widget, 1, column)
            layout.setColumnStretch(column, 1)
        layout.addWidget(self.formula_label, 2, 0, 1, 3)
        layout.addWidget(self.grid_map, 3, 0, 1, 2)
        layout.addWidget(self.field_map, 3, 2)
        layout.setRowStretch(1, 4)
        layout.setRowStretch(3, 5)
        self.grid_map.cell_clicked.connect(self._on_grid_map_clicked)
        self.output_map.cell_clicked.connect(self._on_output_map_clicked)
        self.input_map.cell_clicked.connect(self._on_input_map_clicked)
        self.field_map.cell_clicked.connect(self._on_field_map_clicked)
        self.source_combo.currentIndexChanged.connect(self._on_source_combo_changed)
        self.kernel_button.clicked.connect(self._on_kernel_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.clear_button.setVisible(False)

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
        before = self._kernel_for or self.layer_combo.currentData()  # same after a rebuild
        fill_layer_combo(self.layer_combo, layers)
        names = [name for name, _ in layers]
        convolutions = [i for i, (_, key) in enumerate(layers) if key in keys_with("kernel")]
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(names.index(before) if before in names
                                         else convolutions[0] if convolutions else 0)
        self.layer_combo.blockSignals(False)
        sample_spin(context, self.sample_spin)
        self._show_sample_label()
        analysis = analyse(context.graph)
        by_id = {node.id: node.name for node in context.graph.nodes.values()}
        self.fields = {by_id[i]: f for i, f in receptive_fields(context.graph, analysis).items()}
        self.field_problems = {by_id[i]: reason for i, reason in
                               receptive_field_problems(context.graph, analysis).items()}
        if self.drawn is not None and self.drawn.shape != self._input_shape():
            self.drawn = None
        return ""

    def work(self) -> Callable[[], Any] | None:
        layer = self.layer_combo.currentData()
        if layer is None:
            return None
        try:
            sample = self.sample()
        except InspectError as err:
            self.clear_result()
            self.show_message(str(err), error=True)
            return None
        model = self.context.model
        return lambda: feature_maps(model, layer, sample)

    # The input ---------------------------------------------------------------------------
    def source(self) -> str:
        """``"example"``, ``"lecture"`` or ``"drawn"``."""
        return str(self.source_combo.currentData())

    def set_source(self, source: str) -> None:
        """Chooses the input: a data-set example, the lecture's image, or a drawing."""
        self.source_combo.setCurrentIndex([key for key, _ in SOURCES].index(source))

    def _input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.context.model.inputs[0].shape[1:]) \
            if self.context is not None else ()  # fmt: skip

    def sample(self) -> np.ndarray:
        """The example the maps are computed for, shaped as the model's input.

        Raises:
            InspectError: If the lecture's 8x8 image does not fit the network's input.
        """
        source = self.source()
        if source == "example":
            return self.context.x[self.sample_spin.value()]
        if source == "drawn":
            if self.drawn is None:
                self.drawn = np.zeros(self._input_shape(), "float32")
            return self.drawn
        shape = self._input_shape()
        if len(shape) != 3 or shape[:2] != (8, 8):
            raise InspectError(None, f"the lecture's image is 8x8 but this network's input is "
                                     f"{'x'.join(map(str, shape))}")  # fmt: skip
        return np.repeat(lecture_image()[..., None], shape[2], axis=2)

    def paint(self, row: int, col: int) -> None:
        """Toggles a pixel of the drawing (0 or 1, every channel) and computes again."""
        if self.source() != "drawn" or self.context is None:
            return
        drawn = self.sample().copy()
        drawn[row, col, :] = 0.0 if drawn[row, col, 0] > 0.5 else 1.0
        self.drawn = drawn
        self.request()
        self.example_changed.emit()

    # Kernels by hand ---------------------------------------------------------------------
    def can_set_kernel(self) -> bool:
        """Whether the layer shown is a 2-D convolution whose kernel can be typed in."""
        maps = self.maps
        return maps is not None and maps.kernel is not None and maps.kernel.ndim == 4 \
            and maps.layer_type != "PatchEmbedding"  # fmt: skip

    def set_kernel(self, text: str, bias_text: str = "") -> None:
        """Applies a typed kernel (rows of numbers) and bias to the chosen channels.

        Raises:
            InspectError: If the text is not a kernel of the layer's size, or the bias
                not a number.
        """
        maps = self.maps
        if maps is None or not self.can_set_kernel():
            raise InspectError(None, "choose a convolution to set its kernel")
        kernel = parse_kernel(text, maps.kernel_size, maps.layer)
        bias = None
        if bias_text.strip():
            try:
                bias = float(bias_text.replace("−", "-"))
            except ValueError:
                raise InspectError(maps.layer, f"the bias {bias_text!r} is not a number") \
                    from None  # fmt: skip
            if not math.isfinite(bias):
                raise InspectError(maps.layer, "the bias must be a finite number")
        layer = self.context.model.get_layer(maps.layer)
        arrays = with_kernel([np.asarray(w) for w in layer.get_weights()], kernel,
                             min(self.input_channel_spin.value(), maps.kernel.shape[2] - 1),
                             self.channel_spin.value(), bias, maps.layer)  # fmt: skip
        self.weights_edited.emit(maps.layer, arrays)

    def show_result(self, result: FeatureMaps) -> None:
        self.maps = result
        height, width, channels = result.output.shape
        convolution = result.is_convolution
        inputs = 0 if result.input is None else result.input.shape[2]
        for spin, top, enabled in (
            (self.channel_spin, channels - 1, True), (self.row_spin, height - 1, True),
            (self.col_spin, width - 1, True),
            (self.input_channel_spin, max(0, inputs - 1), inputs > 1),
        ):  # fmt: skip
            spin.blockSignals(True)
            spin.setRange(0, top)
            spin.setEnabled(enabled)
            spin.blockSignals(False)
        self.kernel_button.setEnabled(self.can_set_kernel())
        del convolution
        self._redraw()
        if self._kernel_for == result.layer:
            self._kernel_for = None
            self._on_kernel_button_clicked()

    def ask_kernel(self, layer: str) -> None:
        """Shows ``layer`` and opens its kernel dialog as soon as its maps are computed."""
        self._kernel_for = layer
        index = self.layer_combo.findData(layer)
        if index >= 0 and index != self.layer_combo.currentIndex():
            self.layer_combo.setCurrentIndex(index)  # computes, then show_result opens it
        elif index >= 0 and self.maps is not None and self.maps.layer == layer:
            self._kernel_for = None
            self._on_kernel_button_clicked()

    def clear_result(self) -> None:
        self.maps = None
        for heat_map in (self.input_map, self.kernel_map, self.output_map, self.grid_map,
                         self.field_map):  # fmt: skip
            heat_map.clear()
        self.formula_label.clear()
        self.kernel_button.setEnabled(False)

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
        self.output_map.set_marks([Mark(row, col, row + 1, col + 1, WINDOW_COLOUR)])
        self.formula_label.setText(self._formula(maps, channel, row, col))
        self._draw_field(maps, row, col)

    def _draw_field(self, maps: FeatureMaps, row: int, col: int) -> None:
        """The network's input with the pixels output ``(row, col)`` can see outlined."""
        example = self._shown_input()
        if example is None:
            self.field_map.clear()
            self.field_map.set_title("Receptive field: the input is not an image")
            return
        rgb = example.shape[2] == 3
        picked = min(self.input_channel_spin.value(), example.shape[2] - 1) if not rgb else 0
        image = sample_image(example) if rgb else map_image(example[..., picked])
        self.field_map.set_image(image or QImage(), None if rgb else example[..., picked])
        field = self.fields.get(maps.layer)
        painting = " Click to paint." if self.source() == "drawn" else ""
        if field is None:
            reason = self.field_problems.get(maps.layer, "it is not known exactly")
            self.field_map.set_marks([])
            self.field_map.set_title(f"Receptive field: none ({reason}).{painting}")
            return
        (top, bottom), (left, right) = field.region(row, col, *example.shape[:2])
        self.field_map.set_marks([Mark(top, left, bottom, right, FIELD_COLOUR)])
        size = "×".join(str(s) for s in field.size)
        where = "every output position" if field.whole else f"({row}, {col})"
        clipped = (bottom - top, right - left) != field.size
        inside = f", {bottom - top}×{right - left} inside the image" if clipped else ""
        self.field_map.set_title(f"Receptive field of {where}: {size} input pixels{inside} "
                                 f"(green).{painting}")  # fmt: skip

    def _shown_input(self) -> np.ndarray | None:
        """The example as the network takes it, if it is an image ``(H, W, C)``."""
        try:
            example = np.asarray(self.sample())
        except InspectError:
            return None
        return example if example.ndim == 3 else None

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
        self.example_changed.emit()

    def _on_choice_spin_changed(self, _value: int) -> None:
        self._redraw()

    def _on_grid_map_clicked(self, row: int, col: int) -> None:
        channel = self._grid_channel(row, col)
        if channel is not None:
            self._set_spins(channel=channel)

    def _on_output_map_clicked(self, row: int, col: int) -> None:
        if self.maps is not None and self.maps.is_convolution:
            self._set_spins(row=row, col=col)

    def _on_field_map_clicked(self, row: int, col: int) -> None:
        self.paint(row, col)

    def _on_source_combo_changed(self, _index: int) -> None:
        self.clear_button.setVisible(self.source() == "drawn")
        self.sample_spin.setEnabled(self.source() == "example")
        self.request()
        self.example_changed.emit()

    def _on_clear_button_clicked(self) -> None:
        self.drawn = None
        self.request()
        self.example_changed.emit()

    def _on_kernel_button_clicked(self) -> None:
        maps = self.maps
        if maps is None or not self.can_set_kernel():
            return
        picked = min(self.input_channel_spin.value(), maps.kernel.shape[2] - 1)
        channel = self.channel_spin.value()
        bias = "" if maps.bias is None else f"{float(maps.bias[channel]):g}"
        self.kernel_dialog = KernelDialog(self, maps.layer, channel, picked,
                                          format_kernel(maps.kernel[:, :, picked, channel]),
                                          bias)  # fmt: skip
        self.kernel_dialog.open()

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
