"""Position-wise feed-forward network of the Transformer."""

from __future__ import annotations

from typing import Any

import keras

from netlab.layers import _checks


@keras.saving.register_keras_serializable(package="netlab")
class FeedForward(keras.layers.Layer):
    """Two dense layers applied to every position alike: ``act(x W1 + b1) W2 + b2``.

    The hidden layer is usually wider than the model (``hidden_dim`` = 4 x model
    width in the original Transformer); the output has the input's width, so
    the block can sit inside a residual connection.

    Args:
        hidden_dim: Width of the hidden layer, > 0.
        activation: Activation of the hidden layer (``"relu"`` gives the paper's
            ``max(0, x W1 + b1) W2 + b2``; ``"gelu"`` is common today).
        dropout: Dropout rate after the hidden activation during training.
        kernel_initializer: Initializer of both kernels.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor ``(..., dim)``.
        training: Whether dropout is active.

    Example:

    >>> FeedForward(hidden_dim=1024).compute_output_shape((None, 128, 256))
    (None, 128, 256)
    """

    def __init__(
        self,
        hidden_dim: int,
        activation: Any = "relu",
        dropout: float = 0.0,
        kernel_initializer: Any = "glorot_uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hidden_dim = _checks.positive_int("hidden_dim", hidden_dim)
        self.activation = keras.activations.get(activation)
        self.dropout = _checks.rate("dropout", dropout)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        dim = _checks.last_dim(self.__class__.__name__, input_shape)
        self.hidden = keras.layers.Dense(
            self.hidden_dim,
            activation=self.activation,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="hidden",
        )
        self.hidden.build(input_shape)
        self.dropout_layer = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)
        self.projection = keras.layers.Dense(
            dim,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="projection",
        )
        self.projection.build((*input_shape[:-1], self.hidden_dim))
        _checks.keep_frozen(self)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = self.dropout_layer(self.hidden(inputs), training=training)
        return self.projection(x)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.last_dim(self.__class__.__name__, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "activation": keras.activations.serialize(self.activation),
            "dropout": self.dropout,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
