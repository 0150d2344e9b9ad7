"""Positional embeddings: the fixed sin/cos table and a learned table."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.errors import LayerArgumentError
from netlab.layers import _checks


def sinusoidal_table(length: Any, dim: int, max_wavelength: float = 10000.0) -> Any:
    """The ``(length, dim)`` sin/cos table of the original Transformer.

    ``PE(pos, 2i) = sin(pos / max_wavelength^(2i/dim))`` and
    ``PE(pos, 2i+1) = cos(pos / max_wavelength^(2i/dim))``; an odd ``dim``
    ends with a sine column.
    """
    positions = ops.expand_dims(ops.arange(length, dtype="float32"), -1)
    columns = ops.arange(dim)
    even = ops.cast(columns - columns % 2, "float32")
    rates = ops.power(max_wavelength, -even / dim)
    angles = positions * ops.expand_dims(rates, 0)
    return ops.where(ops.expand_dims(columns % 2 == 0, 0), ops.sin(angles), ops.cos(angles))


def _sequence_shape(layer: keras.layers.Layer, input_shape: Any) -> tuple[Any, int]:
    name = layer.__class__.__name__
    _checks.rank(name, "sequence", input_shape, 3)
    return input_shape[1], _checks.last_dim(name, input_shape)


@keras.saving.register_keras_serializable(package="netlab")
class SinusoidalPositionEmbedding(keras.layers.Layer):
    """Adds the fixed sin/cos position table to a sequence of vectors.

    Position ``pos`` gets the vector ``PE(pos, 2i) = sin(pos / 10000^(2i/d))``,
    ``PE(pos, 2i+1) = cos(pos / 10000^(2i/d))``: each pair of dimensions turns at
    its own frequency, so every position has a distinct code and relative
    offsets are linear maps of it. No weights; any sequence length works.

    Args:
        max_wavelength: The base of the wavelengths (10000 in the paper).
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor ``(batch, length, dim)``; the table is added to it.

    Example:

    >>> SinusoidalPositionEmbedding().compute_output_shape((None, 50, 64))
    (None, 50, 64)
    """

    def __init__(self, max_wavelength: float = 10000.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_wavelength = _checks.positive_float("max_wavelength", max_wavelength)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        _sequence_shape(self, input_shape)

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        table = sinusoidal_table(shape[1], inputs.shape[-1], self.max_wavelength)
        return ops.add(inputs, ops.cast(table, inputs.dtype))

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _sequence_shape(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_wavelength": self.max_wavelength}


@keras.saving.register_keras_serializable(package="netlab")
class LearnedPositionEmbedding(keras.layers.Layer):
    """Adds a trainable vector per position, for up to ``max_length`` positions.

    The table ``embeddings`` has shape ``(max_length, dim)``; row ``pos`` is added
    to the input at position ``pos``. Unlike the sin/cos table it cannot be used
    past ``max_length``: a longer input is an error.

    Args:
        max_length: Number of positions in the table, > 0.
        initializer: Initializer of the table.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor ``(batch, length, dim)`` with ``length <= max_length``.

    Example:

    >>> LearnedPositionEmbedding(max_length=64).compute_output_shape((None, 50, 32))
    (None, 50, 32)
    """

    def __init__(self, max_length: int, initializer: Any = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = _checks.positive_int("max_length", max_length)
        self.initializer = keras.initializers.get(initializer)

    def _check_length(self, input_shape: Any) -> int:
        length, dim = _sequence_shape(self, input_shape)
        if length is not None and length > self.max_length:
            raise LayerArgumentError(
                f"{self.__class__.__name__} '{self.name}': the input sequence has "
                f"{length} positions but `max_length`={self.max_length}; raise "
                "`max_length` or shorten the sequence"
            )
        return dim

    def build(self, input_shape: tuple[Any, ...]) -> None:
        dim = self._check_length(input_shape)
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.max_length, dim), initializer=self.initializer
        )

    def call(self, inputs: Any) -> Any:
        self._check_length(inputs.shape)
        table = ops.slice(
            ops.convert_to_tensor(self.embeddings), (0, 0), (ops.shape(inputs)[1], inputs.shape[-1])
        )
        return ops.add(inputs, ops.cast(table, inputs.dtype))

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        self._check_length(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_length": self.max_length,
            "initializer": keras.initializers.serialize(self.initializer),
        }
