"""Every layer's output for an example in one forward pass, and small pictures of them.

One multi-output ``keras.Model`` per model returns the outputs of all layers at
once; it is built the first time and kept as long as the model lives (building
it for ResNet-34 costs more than running it).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.errors import InspectError, first_line
from netlab.inspect._common import sample_batch, to_numpy
from netlab.inspect.images import channel_grid, to_image

PREVIEW_KINDS = ("image", "channels", "bars", "tokens", "value")

# model -> (input name, output names, multi-output model); weak so a finished run's model goes.
_ALL_OUTPUTS: weakref.WeakKeyDictionary[Any, tuple[str, list[str], Any]] = (
    weakref.WeakKeyDictionary()
)


def _all_outputs_model(model: Any) -> tuple[str, list[str], Any]:
    """The cached model returning every layer's output, with the input's and outputs' names."""
    cached = _ALL_OUTPUTS.get(model)
    if cached is not None:
        return cached
    import keras

    if len(model.inputs) != 1:
        raise InspectError(None, f"the model has {len(model.inputs)} inputs; inspection needs one")
    input_name, names, tensors = model.inputs[0].name, [], []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            input_name = layer.name
            continue
        # Why `output`: Keras gives the tensor of the layer's first call, the one in this graph.
        outputs = keras.tree.flatten(layer.output)
        single = len(outputs) == 1
        names += [layer.name if single else f"{layer.name}:{i}" for i in range(len(outputs))]
        tensors += outputs
    try:
        sub = keras.Model(model.inputs[0], tensors, name=f"{model.name}_all_outputs")
    except ValueError as err:
        raise InspectError(None, f"the layers' outputs cannot be read: {first_line(err)}") \
            from None  # fmt: skip
    # Run compiled (predict_on_batch): eager, the digits CNN took 5.3 ms a batch, compiled
    # 0.9 ms after a 35 ms trace. XLA only where it is the backend's way (JAX): on
    # TensorFlow it made convolutions slower on CPU and costs seconds to compile.
    sub.jit_compile = keras.backend.backend() == "jax"
    cached = (input_name, names, sub)
    _ALL_OUTPUTS[model] = cached
    return cached


def batch_outputs(model: Any, x_batch: Any) -> dict[str, np.ndarray]:
    """Every layer's output for a batch, from one forward pass in inference mode.

    Args:
        model: A model with one input (``TrainingRun.model``).
        x_batch: Examples ``(n, *input_shape)``, prepared as for training. Every
            layer's output for all of them is kept in memory: keep ``n`` small
            for big models.

    Returns:
        Layer (graph node) name to its output ``(n, ...)`` as NumPy, in layer
        order, starting with the input itself under the Input node's name. A
        layer with several outputs gives ``"<name>:0"``, ``"<name>:1"``, ...

    Raises:
        InspectError: If the model has several inputs, the batch does not fit
            it, or Keras cannot read the layers' outputs.
    """
    batch = np.asarray(x_batch)
    if batch.ndim == 0 or len(batch) == 0:
        raise InspectError(None, f"the batch of shape {batch.shape} holds no examples")
    input_name, names, sub = _all_outputs_model(model)
    sample_batch(model, batch[0], input_name)  # the shape check, with its message
    batch = batch.astype(model.inputs[0].dtype)
    values = sub.predict_on_batch(batch)  # inference mode, compiled once per model
    values = values if isinstance(values, (list, tuple)) else [values]
    result = {input_name: batch}
    result.update((name, to_numpy(v)) for name, v in zip(names, values, strict=True))
    return result


def layer_outputs(model: Any, sample: Any) -> dict[str, np.ndarray]:
    """Every layer's output for one example, from one forward pass in inference mode.

    Args:
        model: A model with one input (``TrainingRun.model``).
        sample: One example shaped like the model's input (no batch axis),
            prepared as for training.

    Returns:
        Layer (graph node) name to its output without the batch axis, as in
        :func:`batch_outputs`; the first entry is the sample itself.

    Raises:
        InspectError: If the model has several inputs or the sample does not fit.
    """
    input_name, _, _ = _all_outputs_model(model)
    batch = sample_batch(model, sample, input_name)
    return {name: value[0] for name, value in batch_outputs(model, batch).items()}


@dataclass(frozen=True)
class Preview:
    """A small picture of one layer's output for one example.

    Attributes:
        kind: ``"image"`` (an ``(H, W, 1)`` or ``(H, W, 3)`` output),
            ``"channels"`` (``(H, W, C)`` with another ``C``: the channels as a
            near-square grid), ``"bars"`` (a vector), ``"tokens"`` (``(T, D)``: one row per
            token) or ``"value"`` (a scalar).
        pixels: uint8, ``(h, w)`` grey or ``(h, w, 3)`` colour. ``"image"`` and
            ``"channels"`` map each map's minimum to 0 and maximum to 255;
            ``"bars"``, ``"tokens"`` and ``"value"`` map 0 to 128 and the largest
            absolute value to 0 or 255, one column per value (bars: one row).
        shape: The shape of the array shown.
    """

    kind: str
    pixels: np.ndarray
    shape: tuple[int, ...]


def _group_means(values: np.ndarray, limit: int) -> np.ndarray:
    """The last axis cut to at most ``limit`` entries by averaging runs of neighbours."""
    size = values.shape[-1]
    if size <= limit:
        return values
    group = math.ceil(size / limit)
    starts = np.arange(0, size, group)
    sums = np.add.reduceat(values, starts, axis=-1)
    return sums / np.diff(np.append(starts, size))


def preview(array: Any, max_channels: int = 16, max_bars: int = 64) -> Preview:
    """A picture of one example's layer output (one value of :func:`layer_outputs`).

    Args:
        array: The output without the batch axis. More than three axes are
            shown as channels of ``(H, W, rest)``.
        max_channels: At most this many channels in a ``"channels"`` grid (the
            first ones).
        max_bars: At most this many bars (and token columns); longer vectors
            are averaged in groups of neighbours.

    Returns:
        The :class:`Preview`.

    Raises:
        InspectError: If the array is empty or a limit is below 1.
    """
    values = np.nan_to_num(np.asarray(array, dtype="float64"), nan=0.0, posinf=0.0, neginf=0.0)
    if values.size == 0:
        raise InspectError(None, f"an output of shape {values.shape} has nothing to show")
    if max_channels < 1 or max_bars < 1:
        raise InspectError(None, f"max_channels and max_bars must be >= 1, not "
                           f"{max_channels} and {max_bars}")  # fmt: skip
    shape = tuple(int(d) for d in values.shape)
    if values.ndim == 0:
        return Preview("value", to_image(values.reshape(1, 1), symmetric=True), shape)
    if values.ndim == 1:
        bars = _group_means(values, max_bars).reshape(1, -1)
        return Preview("bars", to_image(bars, symmetric=True), shape)
    if values.ndim == 2:
        return Preview("tokens", to_image(_group_means(values, max_bars), symmetric=True), shape)
    maps = values.reshape(*values.shape[:2], -1)
    height, width, channels = maps.shape
    if channels == 1:
        return Preview("image", to_image(maps[..., 0]), shape)
    if channels == 3:  # scaled together so the colours keep their balance
        return Preview("image", to_image(maps.reshape(height, -1)).reshape(maps.shape), shape)
    return Preview("channels", channel_grid(maps[..., :max_channels]), shape)
