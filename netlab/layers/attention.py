"""Scaled dot-product attention: ``softmax(Q K^T / sqrt(d_k)) V``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

from netlab.errors import LayerArgumentError
from netlab.layers import _checks


def _large_negative(dtype: Any) -> float:
    # Why: -1e9 overflows float16 to -inf, and a row of -inf gives NaN softmax.
    return -3e4 if keras.backend.standardize_dtype(dtype) in ("float16", "bfloat16") else -1e9


def causal_mask(query_length: Any, key_length: Any) -> Any:
    """Boolean ``(query_length, key_length)`` mask: position i sees keys 0..i."""
    rows = ops.expand_dims(ops.arange(query_length), -1)
    cols = ops.expand_dims(ops.arange(key_length), 0)
    return ops.greater_equal(rows, cols)


def attention_weights(scores: Any, mask: Any | None = None, causal: bool = False) -> Any:
    """Softmax over the last axis of ``scores``, with masked positions excluded.

    Args:
        scores: Tensor ``(..., query_length, key_length)`` of attention logits.
        mask: Optional boolean tensor broadcastable to ``scores``; ``True`` means
            "may attend".
        causal: Also hide every key after the query's own position.

    Returns:
        The attention weights, same shape as ``scores``, rows summing to 1.
    """
    if causal:
        shape = ops.shape(scores)
        causal_part = causal_mask(shape[-2], shape[-1])
        mask = causal_part if mask is None else ops.logical_and(mask, causal_part)
    if mask is not None:
        negative = ops.cast(_large_negative(scores.dtype), scores.dtype)
        scores = ops.where(ops.cast(mask, "bool"), scores, negative)
    return ops.softmax(scores, axis=-1)


@keras.saving.register_keras_serializable(package="netlab")
class ScaledDotProductAttention(keras.layers.Layer):
    """Scaled dot-product attention over ``[query, key, value]`` inputs.

    Every query position takes a weighted average of the value vectors; the
    weights are ``softmax(q . k / sqrt(d_k))`` over all key positions, so keys
    similar to the query count more. Dividing by ``sqrt(d_k)`` keeps the logits'
    scale independent of the key width. The layer has no weights.

    Args:
        causal: Hide from each query position all later key positions (for
            autoregressive models).
        dropout: Dropout rate on the attention weights during training.
        scaled: Divide the logits by ``sqrt(d_k)`` (the default, as in Vaswani et
            al.); ``False`` leaves them unscaled, to see why the scaling is there.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A list ``[query, key, value]`` of shapes ``(batch, T_q, d_k)``,
            ``(batch, T_k, d_k)`` and ``(batch, T_k, d_v)``.
        attention_mask: Optional boolean ``(batch, T_q, T_k)`` mask, ``True``
            where a query may attend to a key.
        return_attention_scores: Also return the ``(batch, T_q, T_k)`` weights.
        training: Whether dropout is active.

    Example:

    >>> layer = ScaledDotProductAttention(causal=True)
    >>> layer.compute_output_shape([(None, 5, 16), (None, 7, 16), (None, 7, 8)])
    (None, 5, 8)
    """

    def __init__(self, causal: bool = False, dropout: float = 0.0, scaled: bool = True,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.causal = _checks.boolean("causal", causal)
        self.dropout = _checks.rate("dropout", dropout)
        self.scaled = _checks.boolean("scaled", scaled)
        self.dropout_layer = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)

    def _check_shapes(self, shapes: Sequence[Any]) -> None:
        name = self.__class__.__name__
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 3:
            raise LayerArgumentError(
                f"{name} takes a list of 3 inputs [query, key, value]; received {shapes!r}"
            )
        query, key, value = (tuple(s) for s in shapes)
        for label, shape in (("query", query), ("key", key), ("value", value)):
            _checks.rank(name, label, shape, 3)
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise LayerArgumentError(
                f"{name}: query and key must have the same last dimension; "
                f"received query {query} and key {key}"
            )
        if key[1] is not None and value[1] is not None and key[1] != value[1]:
            raise LayerArgumentError(
                f"{name}: key and value must have the same length; "
                f"received key {key} and value {value}"
            )

    def build(self, input_shape: Sequence[Any]) -> None:
        self._check_shapes(input_shape)

    def call(
        self,
        inputs: Sequence[Any],
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        query, key, value = inputs
        scale = 1.0 / math.sqrt(query.shape[-1]) if self.scaled else 1.0
        scores = ops.matmul(query, ops.swapaxes(key, -1, -2)) * scale
        weights = attention_weights(scores, attention_mask, self.causal)
        outputs = ops.matmul(self.dropout_layer(weights, training=training), value)
        return (outputs, weights) if return_attention_scores else outputs

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        self._check_shapes(input_shape)
        query, _, value = input_shape
        return (query[0], query[1], value[2])

    def compute_output_spec(
        self,
        inputs: Sequence[Any],
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        shapes = [tuple(x.shape) for x in inputs]
        outputs = keras.KerasTensor(self.compute_output_shape(shapes), inputs[0].dtype)
        if not return_attention_scores:
            return outputs
        query, key, _ = shapes
        weights = keras.KerasTensor((query[0], query[1], key[1]), inputs[0].dtype)
        return outputs, weights

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "causal": self.causal, "dropout": self.dropout,
                "scaled": self.scaled}
