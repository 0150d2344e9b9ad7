"""Distributions of weights and activations, as TensorBoard's histograms show them, lighter.

A :class:`Histogram` is a few dozen numbers, cheap to keep per epoch and per
layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.errors import InspectError
from netlab.inspect._common import to_numpy
from netlab.inspect.activations import batch_outputs


@dataclass(frozen=True)
class Histogram:
    """Counts of values in equal bins, and summary statistics of the values.

    Attributes:
        edges: Bin edges, float64 ``(bins + 1,)``, increasing (as
            ``np.histogram`` makes them: a constant input gets the bins of
            ``value - 0.5 .. value + 0.5``).
        counts: Values per bin, int64 ``(bins,)``; the last bin includes its
            right edge.
        min: Smallest finite value (NaN when there is none).
        max: Largest finite value (NaN when there is none).
        mean: Mean of the finite values (NaN when there is none).
        std: Their standard deviation (NaN when there is none).
        nonfinite: How many values were NaN or infinite and left out.
    """

    edges: np.ndarray
    counts: np.ndarray
    min: float
    max: float
    mean: float
    std: float
    nonfinite: int = 0

    @property
    def total(self) -> int:
        """The number of finite values counted."""
        return int(self.counts.sum())


#: Wider float32 ranges are binned in float64 (numpy's float32 bin edges overflow).
FLOAT32_SPAN = 1e37


def histogram(values: Any, bins: int = 30) -> Histogram:
    """The histogram of the finite values of an array of any shape.

    Args:
        values: The numbers; NaN and infinities are counted in ``nonfinite``
            only.
        bins: Number of equal-width bins between the smallest and largest
            finite value.

    Returns:
        The :class:`Histogram`; with no finite values every count is 0 and the
        edges span 0..1.

    Raises:
        InspectError: If ``bins`` is below 1.
    """
    if bins < 1:
        raise InspectError(None, f"bins must be >= 1, not {bins}")
    array = np.asarray(values).reshape(-1)
    # Why no float64 copy of float32 values: ResNet-34's 21 M weights take twice as long.
    if array.dtype not in (np.float32, np.float64):
        array = array.astype("float64")
    finite = array
    low, high = (array.min(), array.max()) if array.size else (np.nan, np.nan)
    if not (np.isfinite(low) and np.isfinite(high)):  # NaN or inf among them: leave them out
        finite = array[np.isfinite(array)]
        if finite.size == 0:
            nan = float("nan")
            edges = np.linspace(0.0, 1.0, bins + 1)
            return Histogram(edges, np.zeros(bins, np.int64), nan, nan, nan, nan, array.size)
        low, high = finite.min(), finite.max()
    nonfinite = int(array.size - finite.size)
    if array.dtype == np.float32 and float(high) - float(low) > FLOAT32_SPAN:
        finite = finite.astype("float64")  # a diverging layer: float32 bins would overflow
        low, high = finite.min(), finite.max()
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))  # numpy's own range
    return Histogram(
        edges.astype("float64"),
        counts.astype(np.int64),
        float(low),
        float(high),
        float(finite.mean(dtype=np.float64)),
        float(finite.std(dtype=np.float64)),
        nonfinite,
    )


def parameters(layer: Any) -> list[Any]:
    """The layer's parameters: the weights created trainable, also while it is frozen.

    That is kernels, biases, embeddings, batch norm's scale and offset, and
    those of nested layers; not the statistics a layer keeps (batch norm's
    moving mean and variance, ``Normalization``'s mean and variance) nor
    random-seed state.
    """
    # Why the private list: `trainable_weights` is empty for a frozen layer, and Keras keeps
    # the variables created trainable in `_trainable_variables` whatever the layer's state.
    seen: set[int] = set()
    found = []
    for part in layer._flatten_layers(include_self=True, recursive=True):
        for variable in part._trainable_variables:
            if id(variable) not in seen:
                seen.add(id(variable))
                found.append(variable)
    return found


def weight_histograms(model: Any, bins: int = 30) -> dict[str, Histogram]:
    """One histogram per layer with parameters, over all of them together.

    Args:
        model: The model.
        bins: Bins per histogram.

    Returns:
        Layer (graph node) name to the histogram of its :func:`parameters`
        (kernel and bias values counted together), in layer order; layers
        without parameters are left out.

    Raises:
        InspectError: If ``bins`` is below 1.
    """
    result = {}
    for layer in model.layers:
        weights = parameters(layer)
        if weights:
            values = np.concatenate([to_numpy(w).reshape(-1) for w in weights])
            result[layer.name] = histogram(values, bins)
    return result


def activation_histograms(model: Any, x_batch: Any, bins: int = 30) -> dict[str, Histogram]:
    """One histogram per layer of its outputs for a batch, from one forward pass.

    Args:
        model: A model with one input.
        x_batch: A small batch of examples ``(n, *input_shape)`` prepared as for
            training (every layer's output for it is held at once).
        bins: Bins per histogram.

    Returns:
        Layer (graph node) name to the histogram of its outputs for all
        examples, in layer order, starting with the input (names as in
        :func:`netlab.inspect.activations.batch_outputs`).

    Raises:
        InspectError: If ``bins`` is below 1, the model has several inputs or
            the batch does not fit it.
    """
    if bins < 1:
        raise InspectError(None, f"bins must be >= 1, not {bins}")
    return {name: histogram(v, bins) for name, v in batch_outputs(model, x_batch).items()}
