"""Attention maps: where each position of a sequence looks, per head.

For a Vision Transformer, the class token's attention over the patches can be
laid back on the image's patch grid.
"""

from __future__ import annotations

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

ATTENTION_TYPES = (
    "MultiHeadAttention, TransformerBlock or ScaledDotProductAttention (NetLab), "
    "or keras MultiHeadAttention"
)


def _attention_style(layer: Any) -> str:
    """How to call the layer: ``"list"`` (one list argument) or ``"args"``."""
    import keras

    from netlab.layers import MultiHeadAttention, ScaledDotProductAttention, TransformerBlock

    if isinstance(layer, ScaledDotProductAttention):
        return "list"
    if isinstance(layer, (MultiHeadAttention, TransformerBlock, keras.layers.MultiHeadAttention)):
        return "args"
    raise InspectError(
        layer.name, f"{type(layer).__name__} has no attention weights; choose a {ATTENTION_TYPES}"
    )


def _call_options(layer: Any) -> dict[str, Any]:
    """The non-tensor keyword arguments the model called the layer with.

    Why: Keras's MultiHeadAttention takes ``use_causal_mask`` at call time; a
    re-call without it would show attention the model never computed.
    """
    import keras

    nodes = getattr(layer, "_inbound_nodes", None) or []
    arguments = getattr(nodes[0], "arguments", None) if nodes else None
    kwargs = dict(getattr(arguments, "kwargs", None) or {})
    if any(isinstance(v, keras.KerasTensor) for v in kwargs.values()):
        raise InspectError(layer.name, "attention with a mask input cannot be shown")
    for name in ("training", "return_attention_scores"):
        kwargs.pop(name, None)
    return kwargs


def attention_maps(model: Any, layer_name: str, sample: Any) -> np.ndarray:
    """The attention weights of one attention layer for one example.

    The model runs up to the layer's input; then the layer is called again on
    that input with ``return_attention_scores=True`` (inference mode, so no
    dropout).

    Args:
        model: The model (``TrainingRun.model``).
        layer_name: A MultiHeadAttention or TransformerBlock node (NetLab's or
            Keras's MultiHeadAttention; a ScaledDotProductAttention counts as one
            head).
        sample: One example shaped like the model's input.

    Returns:
        Float32 ``(heads, T_q, T_k)``: row ``i`` of head ``h`` is how query
        position ``i`` shares its attention over the key positions; each row
        sums to 1.

    Raises:
        InspectError: If there is no such layer, it is not an attention layer,
            or the sample does not fit the model.
    """
    layer = find_layer(model, layer_name)
    style = _attention_style(layer)
    options = _call_options(layer)
    batch = sample_batch(model, sample, layer_name)
    inputs = run_to(model, layer_inputs(layer), batch)
    if style == "list":
        _, scores = layer(inputs, return_attention_scores=True, training=False, **options)
    else:
        _, scores = layer(*inputs, return_attention_scores=True, training=False, **options)
    weights = to_numpy(scores)[0].astype("float32")
    weights = weights[None] if weights.ndim == 2 else weights
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-2):
        raise InspectError(layer_name, "the attention weights' rows do not sum to 1")
    return weights


def patch_grid(weights_row: Any, grid_h: int, grid_w: int) -> np.ndarray:
    """One row of attention over patch tokens, laid out on the patch grid.

    Args:
        weights_row: Attention over ``grid_h * grid_w`` patch tokens, or over
            one more, in which case the first (the class token) is left out.
        grid_h: Patch rows of the image.
        grid_w: Patch columns of the image.

    Returns:
        ``(grid_h, grid_w)``: the weight of the patch at each grid position
        (patches are read row by row, as ``PatchEmbedding`` makes them).

    Raises:
        InspectError: If the row's length fits neither count.
    """
    row = np.asarray(weights_row).reshape(-1)
    patches = int(grid_h) * int(grid_w)
    if row.size == patches + 1:
        row = row[1:]
    elif row.size != patches:
        raise InspectError(
            None, f"{row.size} attention weights do not fit a {grid_h}x{grid_w} patch grid "
            f"({patches} patches, or {patches + 1} with a class token)"
        )  # fmt: skip
    return row.reshape(int(grid_h), int(grid_w))


def patch_grid_shape(model: Any, layer_name: str) -> tuple[int, int]:
    """The patch grid ``(rows, columns)`` of the ``PatchEmbedding`` before a layer.

    Raises:
        InspectError: If there is no such layer or no ``PatchEmbedding`` feeds it.
    """
    import keras

    from netlab.layers import PatchEmbedding

    layer = find_layer(model, layer_name)
    # Why: a functional model made up to the layer's input holds exactly its ancestors.
    ancestors = keras.Model(model.inputs[0], layer_inputs(layer)).layers
    patches = [a for a in ancestors if isinstance(a, PatchEmbedding)]
    if not patches:
        raise InspectError(layer_name, "no PatchEmbedding layer comes before it")
    nearest = patches[-1]
    height, width = nearest.input.shape[1:3]
    return height // nearest.patch_size, width // nearest.patch_size


def class_token_attention(model: Any, layer_name: str, sample: Any, token: int = 0) -> np.ndarray:
    """Where one token (the class token by default) looks, per head, on the patch grid.

    Args:
        model: A Vision Transformer (a ``PatchEmbedding`` before the layer).
        layer_name: An attention layer after the ``PatchEmbedding``.
        sample: One image shaped like the model's input.
        token: The query position whose attention is shown (0: ViT's class token).

    Returns:
        Float32 ``(heads, grid_h, grid_w)``.

    Raises:
        InspectError: As :func:`attention_maps` and :func:`patch_grid_shape`, or
            if ``token`` is not a position of the sequence.
    """
    grid_h, grid_w = patch_grid_shape(model, layer_name)
    maps = attention_maps(model, layer_name, sample)
    if not 0 <= token < maps.shape[1]:
        raise InspectError(layer_name, f"token {token} is outside the {maps.shape[1]} positions")
    return np.stack([patch_grid(head[token], grid_h, grid_w) for head in maps])
