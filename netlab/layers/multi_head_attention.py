"""Multi-head attention with the same eight weights as Keras's own layer."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from netlab.catalog.netlab_layers.multi_head_attention import head_widths
from netlab.errors import LayerArgumentError
from netlab.layers import _checks
from netlab.layers.attention import attention_weights, causal_mask

# Backends whose `ops.dot_product_attention` is a fused (flash / cuDNN) kernel.
_FUSED_BACKENDS = ("jax", "torch")


@keras.saving.register_keras_serializable(package="netlab")
class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention: several scaled dot-product attentions side by side.

    The query, key and value are each projected to ``num_heads`` heads of width
    ``key_dim`` (``value_dim`` for the values); every head attends on its own,
    and the heads' outputs are concatenated and projected back to the query's
    width. The weights are, in this order, the query, key, value and output
    kernels and biases with the shapes of ``keras.layers.MultiHeadAttention``:
    ``(d_query, heads, key_dim)``, ``(heads, key_dim)``, ..., ``(heads,
    value_dim, d_query)``, ``(d_query,)``, so ``set_weights(get_weights())``
    copies weights between the two layers.

    Args:
        num_heads: Number of attention heads, > 0.
        key_dim: Width of each head's query and key, > 0. ``None`` (the
            default) uses ``d_query / num_heads``, as in the original
            Transformer; ``num_heads`` must then divide ``d_query``.
        value_dim: Width of each head's value; defaults to the key width.
        dropout: Dropout rate on the attention weights during training.
        causal: Hide from each query position all later positions.
        use_bias: Whether the four projections have biases.
        kernel_initializer: Initializer of the projection kernels.
        bias_initializer: Initializer of the projection biases.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        query: Tensor ``(batch, T_q, d_query)``.
        value: Tensor ``(batch, T_k, d_value)``; defaults to ``query``
            (self-attention).
        key: Tensor ``(batch, T_k, d_key)``; defaults to ``value``.
        attention_mask: Optional boolean ``(batch, T_q, T_k)`` mask, ``True``
            where a query may attend to a key.
        return_attention_scores: Also return the ``(batch, num_heads, T_q,
            T_k)`` attention weights.
        training: Whether dropout is active.

    Example:

    >>> mha = MultiHeadAttention(num_heads=8)
    >>> mha.compute_output_shape((None, 128, 256))
    (None, 128, 256)
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int | None = None,
        value_dim: int | None = None,
        dropout: float = 0.0,
        causal: bool = False,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_heads = _checks.positive_int("num_heads", num_heads)
        self.key_dim = None if key_dim is None else _checks.positive_int("key_dim", key_dim)
        self.value_dim = None if value_dim is None else _checks.positive_int("value_dim", value_dim)
        self.dropout = _checks.rate("dropout", dropout)
        self.causal = _checks.boolean("causal", causal)
        self.use_bias = _checks.boolean("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.dropout_layer = keras.layers.Dropout(self.dropout, dtype=self.dtype_policy)

    def _projection(self, name: str, in_dim: int, heads: int, width: int) -> None:
        kernel = self.add_weight(
            name=f"{name}_kernel",
            shape=(in_dim, heads, width),
            initializer=self.kernel_initializer,
        )
        bias = (
            self.add_weight(
                name=f"{name}_bias", shape=(heads, width), initializer=self.bias_initializer
            )
            if self.use_bias
            else None
        )
        setattr(self, f"{name}_kernel", kernel)
        setattr(self, f"{name}_bias", bias)

    def build(
        self,
        query_shape: tuple[Any, ...],
        value_shape: tuple[Any, ...] | None = None,
        key_shape: tuple[Any, ...] | None = None,
    ) -> None:
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        heads = self.num_heads
        self.key_width, self.value_width = self.head_widths(query_shape[-1])
        self._projection("query", query_shape[-1], heads, self.key_width)
        self._projection("key", key_shape[-1], heads, self.key_width)
        self._projection("value", value_shape[-1], heads, self.value_width)
        out_dim = query_shape[-1]
        self.output_kernel = self.add_weight(
            name="output_kernel",
            shape=(heads, self.value_width, out_dim),
            initializer=self.kernel_initializer,
        )
        self.output_bias = (
            self.add_weight(name="output_bias", shape=(out_dim,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def head_widths(self, model_width: int) -> tuple[int, int]:
        """Returns each head's key and value width for a query of this width.

        Raises:
            LayerArgumentError: If ``key_dim`` is ``None`` and ``num_heads``
                does not divide ``model_width``.
        """
        return head_widths(self.num_heads, self.key_dim, self.value_dim, model_width)

    def _check_shapes(self, query: Any, value: Any, key: Any) -> None:
        name = self.__class__.__name__
        for label, shape in (("query", query), ("value", value), ("key", key)):
            _checks.rank(name, label, shape, 3)
            _checks.last_dim(name, shape)
        if key[1] is not None and value[1] is not None and key[1] != value[1]:
            raise LayerArgumentError(
                f"{name}: key and value must have the same length; "
                f"received key {tuple(key)} and value {tuple(value)}"
            )
        self.head_widths(query[-1])

    def _project(self, x: Any, name: str) -> Any:
        y = ops.einsum("btd,dhk->bthk", x, getattr(self, f"{name}_kernel"))
        bias = getattr(self, f"{name}_bias")
        return y if bias is None else ops.add(y, bias)

    def call(
        self,
        query: Any,
        value: Any | None = None,
        key: Any | None = None,
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        value = query if value is None else value
        key = value if key is None else key
        q = self._project(query, "query")  # (batch, T_q, heads, key_dim)
        k = self._project(key, "key")
        v = self._project(value, "value")
        # The fused kernel returns no weights, has no dropout, and (on JAX)
        # needs values as wide as keys. On TensorFlow it is no kernel but the
        # same einsums, measured 4-10% slower than `_attend` (docs/performance.md).
        fused = (
            keras.backend.backend() in _FUSED_BACKENDS
            and not (return_attention_scores or (self.dropout > 0 and training))
            and self.key_width == self.value_width
        )
        if not fused:
            outputs, weights = self._attend(q, k, v, attention_mask, training)
        else:
            outputs, weights = self._attend_fused(q, k, v, attention_mask), None
        outputs = ops.einsum("bthv,hvd->btd", outputs, self.output_kernel)
        if self.output_bias is not None:
            outputs = ops.add(outputs, self.output_bias)
        return (outputs, weights) if return_attention_scores else outputs

    def _attend(self, q: Any, k: Any, v: Any, mask: Any, training: Any) -> tuple[Any, Any]:
        q = ops.multiply(q, ops.cast(1.0 / math.sqrt(self.key_width), q.dtype))
        scores = ops.einsum("bthk,bshk->bhts", q, k)
        if mask is not None:
            mask = ops.expand_dims(mask, 1)  # one mask for every head
        weights = attention_weights(scores, mask, self.causal)
        dropped = self.dropout_layer(weights, training=training)
        return ops.einsum("bhts,bshv->bthv", dropped, v), weights

    def _attend_fused(self, q: Any, k: Any, v: Any, mask: Any) -> Any:
        if self.causal and mask is not None:
            mask = ops.logical_and(
                ops.cast(mask, "bool"), causal_mask(ops.shape(q)[1], ops.shape(k)[1])
            )
            causal = False
        else:
            causal = self.causal
        if mask is not None:
            mask = ops.expand_dims(ops.cast(mask, "bool"), 1)
        return ops.dot_product_attention(
            q, k, v, mask=mask, scale=1.0 / math.sqrt(self.key_width), is_causal=causal
        )

    def compute_output_shape(
        self,
        query_shape: tuple[Any, ...],
        value_shape: tuple[Any, ...] | None = None,
        key_shape: tuple[Any, ...] | None = None,
    ) -> tuple[Any, ...]:
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        return tuple(query_shape)

    def compute_output_spec(
        self,
        query: Any,
        value: Any | None = None,
        key: Any | None = None,
        attention_mask: Any | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        value = query if value is None else value
        key = value if key is None else key
        shape = self.compute_output_shape(query.shape, value.shape, key.shape)
        outputs = keras.KerasTensor(shape, query.dtype)
        if not return_attention_scores:
            return outputs
        weights_shape = (query.shape[0], self.num_heads, query.shape[1], key.shape[1])
        return outputs, keras.KerasTensor(weights_shape, query.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "causal": self.causal,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
