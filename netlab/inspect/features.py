"""Feature maps: what a convolution (or any layer with an image-shaped output) computes.

For a convolution the result also holds its kernel, stride and padding, enough to
draw the course's picture: the kernel sliding over the zero-padded input, each
output value the dot product of the kernel with one window, plus the bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.errors import InspectError
from netlab.inspect._common import (
    find_layer,
    layer_inputs,
    run_to,
    sample_batch,
    to_numpy,
)
from netlab.shapes import same_padding

Pair = tuple[int, int]


@dataclass(frozen=True)
class FeatureMaps:
    """One example's input and output of a layer, and its kernel if it is a convolution.

    Attributes:
        layer: The layer's (node's) name.
        layer_type: Its class name (``"Conv2D"``, ``"MaxPooling2D"``, ...).
        input: The layer's input ``(H, W, C_in)``; ``None`` if it has several
            inputs or its input is not image-shaped.
        output: The output channels ``(H', W', C_out)``; for a
            ``PatchEmbedding`` the tokens laid out on the patch grid.
        kernel: ``(kh, kw, C_in, C_out)`` for a convolution, else ``None``.
        bias: ``(C_out,)`` when the convolution has one, else ``None``.
        strides: ``(stride_h, stride_w)`` for a convolution, else ``None``.
        padding: Zero rows and columns added ``((top, bottom), (left, right))``
            for a convolution, else ``None``.
        dilation: Spacing of the kernel taps ``(d_h, d_w)``.
        activation: Name of the activation applied after the bias, if any.
    """

    layer: str
    layer_type: str
    input: np.ndarray | None
    output: np.ndarray
    kernel: np.ndarray | None = None
    bias: np.ndarray | None = None
    strides: Pair | None = None
    padding: tuple[Pair, Pair] | None = None
    dilation: Pair = (1, 1)
    activation: str | None = None

    @property
    def is_convolution(self) -> bool:
        """Whether kernel, strides and padding are known (and windows can be drawn)."""
        return self.kernel is not None and self.input is not None

    @property
    def kernel_size(self) -> Pair | None:
        """``(kh, kw)`` of a convolution, else ``None``."""
        return None if self.kernel is None else (self.kernel.shape[0], self.kernel.shape[1])

    def _require_convolution(self) -> tuple[np.ndarray, np.ndarray, Pair, tuple[Pair, Pair]]:
        """Input, kernel, strides and padding, or an InspectError for another layer."""
        if self.input is None or self.kernel is None or self.strides is None or \
                self.padding is None:  # fmt: skip
            raise InspectError(self.layer, f"{self.layer_type} is not a convolution; no windows")
        return self.input, self.kernel, self.strides, self.padding

    def padded_input(self) -> np.ndarray:
        """The input with the convolution's zero padding around it.

        Raises:
            InspectError: If the layer is not a convolution.
        """
        image, _, _, ((top, bottom), (left, right)) = self._require_convolution()
        return np.pad(image, ((top, bottom), (left, right), (0, 0)))

    def window(self, row: int, col: int) -> tuple[slice, slice]:
        """Rows and columns of :meth:`padded_input` that output ``(row, col)`` sees.

        ``padded_input()[rows, cols]`` is the ``(kh, kw, C_in)`` window; the
        slices' ``start`` and ``stop`` give the rectangle to draw.

        Raises:
            InspectError: If the layer is not a convolution or the position is
                outside the output.
        """
        _, kernel, strides, _ = self._require_convolution()
        height, width = self.output.shape[:2]
        if not (0 <= row < height and 0 <= col < width):
            raise InspectError(
                self.layer, f"output position ({row}, {col}) is outside {height}x{width}"
            )
        spans = []
        for start, k, d in zip(
            (row * strides[0], col * strides[1]),
            kernel.shape[:2],
            self.dilation,
            strict=True,
        ):
            spans.append(slice(start, start + (k - 1) * d + 1, d))
        return spans[0], spans[1]

    def window_value(self, row: int, col: int, channel: int) -> float:
        """Kernel ``channel`` times the window at ``(row, col)``, summed, plus the bias.

        This is the output value before the activation.

        Raises:
            InspectError: If the layer is not a convolution or the position is
                outside the output.
        """
        rows, cols = self.window(row, col)
        window = self.padded_input()[rows, cols].astype("float64")
        _, kernel, _, _ = self._require_convolution()
        value = float(np.sum(window * kernel[..., channel]))
        return value + (float(self.bias[channel]) if self.bias is not None else 0.0)


def _axis_padding(size: int, kernel: int, stride: int, dilation: int, padding: Any) -> Pair:
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        return same_padding(size, (kernel - 1) * dilation + 1, stride)
    return (int(padding), int(padding))


def _convolution(layer: Any) -> tuple[Any, Pair, Pair, Pair, Any] | None:
    """The convolution inside ``layer``: (conv layer, kernel size, strides, dilation, padding)."""
    import keras

    from netlab.layers import Conv2D, PatchEmbedding

    if isinstance(layer, PatchEmbedding):
        size = (layer.patch_size, layer.patch_size)
        return layer.projection, size, size, (1, 1), ("valid", "valid")
    if isinstance(layer, Conv2D):
        padding = layer.padding
        pads = (padding, padding) if isinstance(padding, str) else padding
        return layer, layer.kernel_size, layer.strides, (1, 1), pads
    if isinstance(layer, keras.layers.Conv2D):
        if layer.data_format != "channels_last" or layer.groups != 1:
            raise InspectError(
                layer.name, "only channels-last convolutions without groups can be shown"
            )
        padding = (layer.padding, layer.padding)
        return layer, tuple(layer.kernel_size), tuple(layer.strides), \
            tuple(layer.dilation_rate), padding  # fmt: skip
    return None


def _convolution_facts(layer: Any, input_hw: tuple[int, int]) -> dict[str, Any]:
    found = _convolution(layer)
    if found is None:
        return {}
    conv, size, strides, dilation, padding = found
    pads = tuple(
        _axis_padding(input_hw[a], size[a], strides[a], dilation[a], padding[a]) for a in (0, 1)
    )
    return {
        "kernel": to_numpy(conv.kernel),
        "bias": None if conv.bias is None else to_numpy(conv.bias),
        "strides": tuple(int(s) for s in strides),
        "padding": pads,
        "dilation": tuple(int(d) for d in dilation),
        "activation": getattr(conv.activation, "__name__", None),
    }


def feature_maps(model: Any, layer_name: str, sample: Any) -> FeatureMaps:
    """The input and output channels of one layer for one example.

    Works for every layer whose output is image-shaped ``(H, W, C)``
    (convolutions, pooling, batch norm, residual blocks, ...) and for a
    ``PatchEmbedding``; kernel, strides and padding are filled in for
    convolutions (NetLab's or Keras's ``Conv2D``, and the projection of a
    ``PatchEmbedding``).

    Args:
        model: The model (``TrainingRun.model``).
        layer_name: The layer's (graph node's) name.
        sample: One example shaped like the model's input, prepared as for
            training.

    Returns:
        The :class:`FeatureMaps`.

    Raises:
        InspectError: If there is no such layer, its output is not image-shaped,
            or the sample does not fit the model.
    """
    from netlab.layers import PatchEmbedding

    layer = find_layer(model, layer_name)
    is_patches = isinstance(layer, PatchEmbedding)
    output = layer.output
    if not is_patches and (isinstance(output, (list, tuple)) or len(output.shape) != 4):
        shape = [tuple(o.shape[1:]) for o in output] if isinstance(output, (list, tuple)) \
            else tuple(output.shape[1:])  # fmt: skip
        raise InspectError(
            layer_name, f"{type(layer).__name__} has no (height, width, channels) output "
            f"(its output is {shape}); choose a convolution or pooling layer"
        )  # fmt: skip
    batch = sample_batch(model, sample, layer_name)
    inputs = layer_inputs(layer)
    values = run_to(model, [*inputs, output], batch)
    layer_input = values[0][0] if len(inputs) == 1 and values[0].ndim == 4 else None
    result = values[-1][0]
    facts: dict[str, Any] = {}
    if layer_input is not None:
        facts = _convolution_facts(layer, layer_input.shape[:2])
    if is_patches and layer_input is not None:
        rows, cols = (s // layer.patch_size for s in layer_input.shape[:2])
        result = result.reshape(rows, cols, result.shape[-1])
    return FeatureMaps(layer_name, type(layer).__name__, layer_input, result, **facts)
