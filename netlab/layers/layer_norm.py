"""Layer normalisation: each example normalised over its last axis."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.layers import _checks


@keras.saving.register_keras_serializable(package="netlab")
class LayerNorm(keras.layers.Layer):
    """Normalises each example over its last axis, then scales and shifts.

    ``y = (x - mean) / sqrt(var + epsilon) * gamma + beta``, with the mean and
    variance taken over the last axis of each example separately (not across
    the batch, unlike batch norm), so it behaves the same in training and
    inference and for any batch size. The variance is computed in two passes
    (mean first, then the mean of squared deviations), which stays accurate for
    inputs far from zero. Half-precision inputs are normalised in float32.
    Weights ``gamma`` and ``beta`` match ``keras.layers.LayerNormalization``.

    Args:
        epsilon: Small number added to the variance, > 0.
        center: Whether to add the learned offset ``beta``.
        scale: Whether to multiply by the learned scale ``gamma``.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor of any rank >= 2; normalised over its last axis.

    Example:

    >>> LayerNorm().compute_output_shape((None, 128, 256))
    (None, 128, 256)
    """

    def __init__(
        self, epsilon: float = 1e-6, center: bool = True, scale: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.epsilon = _checks.positive_float("epsilon", epsilon)
        self.center = _checks.boolean("center", center)
        self.scale = _checks.boolean("scale", scale)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        dim = _checks.last_dim(self.__class__.__name__, input_shape)
        self.gamma = (
            self.add_weight(name="gamma", shape=(dim,), initializer="ones") if self.scale else None
        )
        self.beta = (
            self.add_weight(name="beta", shape=(dim,), initializer="zeros") if self.center else None
        )

    def call(self, inputs: Any) -> Any:
        dtype = keras.backend.standardize_dtype(inputs.dtype)
        x = ops.cast(inputs, "float32") if dtype in ("float16", "bfloat16") else inputs
        centred = ops.subtract(x, ops.mean(x, axis=-1, keepdims=True))
        variance = ops.mean(ops.square(centred), axis=-1, keepdims=True)
        outputs = ops.multiply(centred, ops.rsqrt(ops.add(variance, self.epsilon)))
        if self.gamma is not None:
            outputs = ops.multiply(outputs, ops.cast(self.gamma, outputs.dtype))
        if self.beta is not None:
            outputs = ops.add(outputs, ops.cast(self.beta, outputs.dtype))
        return ops.cast(outputs, inputs.dtype)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }
