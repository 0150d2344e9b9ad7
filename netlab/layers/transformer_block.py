"""The Transformer encoder block: attention and feed-forward, each residual."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.layers import _checks
from netlab.layers.feed_forward import FeedForward
from netlab.layers.layer_norm import LayerNorm
from netlab.layers.multi_head_attention import MultiHeadAttention


@keras.saving.register_keras_serializable(package="netlab")
class TransformerBlock(keras.layers.Layer):
    """Self-attention then a feed-forward network, each in a residual sub-block.

    Post-norm (the original Transformer, ``norm_first=False``)::

        x = norm1(x + dropout(attention(x)))
        x = norm2(x + dropout(feed_forward(x)))

    Pre-norm (``norm_first=True``, as in ViT and GPT-2; trains more stably when
    deep)::

        x = x + dropout(attention(norm1(x)))
        x = x + dropout(feed_forward(norm2(x)))

    Args:
        num_heads: Number of attention heads, > 0.
        key_dim: Width of each head; ``None`` uses ``model width / num_heads``.
        ff_dim: Hidden width of the feed-forward network, > 0.
        dropout: Dropout rate in attention, feed-forward and on each sub-block's
            output during training.
        norm_first: Pre-norm instead of post-norm.
        causal: Each position attends only to itself and earlier positions.
        activation: Activation of the feed-forward network.
        epsilon: Epsilon of both layer norms.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor ``(batch, length, dim)``.
        attention_mask: Optional boolean ``(batch, length, length)`` mask.
        return_attention_scores: Also return the ``(batch, num_heads, length,
            length)`` attention weights.
        training: Whether dropout is active.

    Example:

    >>> TransformerBlock(num_heads=8, key_dim=None, ff_dim=1024).compute_output_shape(
    ...     (None, 128, 256))
    (None, 128, 256)
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int | None,
        ff_dim: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        causal: bool = False,
        activation: Any = "relu",
        epsilon: float = 1e-6,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_heads = _checks.positive_int("num_heads", num_heads)
        self.key_dim = None if key_dim is None else _checks.positive_int("key_dim", key_dim)
        self.ff_dim = _checks.positive_int("ff_dim", ff_dim)
        self.dropout = _checks.rate("dropout", dropout)
        self.norm_first = _checks.boolean("norm_first", norm_first)
        self.causal = _checks.boolean("causal", causal)
        self.activation = keras.activations.get(activation)
        self.epsilon = _checks.positive_float("epsilon", epsilon)

    def _attention_layer(self) -> MultiHeadAttention:
        return MultiHeadAttention(
            self.num_heads,
            self.key_dim,
            dropout=self.dropout,
            causal=self.causal,
            dtype=self.dtype_policy,
            name="attention",
        )

    def build(self, input_shape: tuple[Any, ...]) -> None:
        _checks.rank(self.__class__.__name__, "sequence", input_shape, 3)
        policy = self.dtype_policy
        self.attention = self._attention_layer()
        self.attention.build(input_shape)
        self.norm1 = LayerNorm(self.epsilon, dtype=policy, name="norm1")
        self.norm1.build(input_shape)
        self.feed_forward = FeedForward(
            self.ff_dim, self.activation, self.dropout, dtype=policy, name="feed_forward"
        )
        self.feed_forward.build(input_shape)
        self.norm2 = LayerNorm(self.epsilon, dtype=policy, name="norm2")
        self.norm2.build(input_shape)
        self.dropout_layer = keras.layers.Dropout(self.dropout, dtype=policy)
        _checks.keep_frozen(self)

    def call(
        self,
        inputs: Any,
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        # Attention block.
        residual = inputs
        x = self.norm1(inputs) if self.norm_first else inputs
        attended = self.attention(
            x,
            attention_mask=attention_mask,
            return_attention_scores=return_attention_scores,
            training=training,
        )
        x, weights = attended if return_attention_scores else (attended, None)
        x = ops.add(residual, self.dropout_layer(x, training=training))
        if not self.norm_first:
            x = self.norm1(x)
        # Feed-forward block.
        residual = x
        if self.norm_first:
            x = self.norm2(x)
        x = self.feed_forward(x, training=training)
        x = ops.add(residual, self.dropout_layer(x, training=training))
        if not self.norm_first:
            x = self.norm2(x)
        return (x, weights) if return_attention_scores else x

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.rank(self.__class__.__name__, "sequence", input_shape, 3)
        return self._attention_layer().compute_output_shape(input_shape)

    def compute_output_spec(
        self,
        inputs: Any,
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        return self._attention_layer().compute_output_spec(
            inputs, return_attention_scores=return_attention_scores
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "ff_dim": self.ff_dim,
            "dropout": self.dropout,
            "norm_first": self.norm_first,
            "causal": self.causal,
            "activation": keras.activations.serialize(self.activation),
            "epsilon": self.epsilon,
        }
