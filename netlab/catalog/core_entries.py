"""Catalog entries of Keras's own layers (and the Input / Output markers)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from netlab.catalog.spec import (
    ACTIVATIONS,
    LayerSpec,
    Param,
    Shape,
    WeightSpec,
    axis_index,
    format_shape,
    known,
    layer_maker,
    need_rank,
    no_weights,
    same_shape,
    same_shape_on_axis,
)
from netlab.errors import LayerArgumentError, ShapeError
from netlab.shapes import conv_output_length


def _input_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return tuple(params["shape"])


def _dense_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    if not ins[0] or ins[0][-1] is None:
        raise ShapeError("input", f"needs a known last dimension, gets {format_shape(ins[0])}")
    return (*ins[0][:-1], params["units"])


def _dense_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    units = params["units"]
    kernel = WeightSpec("kernel", (known(ins[0][-1], "last dimension"), units))
    return [kernel, WeightSpec("bias", (units,))] if params["use_bias"] else [kernel]


def _flatten_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    dims = [d for d in ins[0] if d is not None]
    if len(dims) != len(ins[0]):
        return (None,)
    return (math.prod(dims),)


def _reshape_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    target = params["target_shape"]
    if 0 in target or target.count(-1) > 1:
        raise ShapeError("target_shape", "target_shape may hold one -1 and no 0")
    dims = [d for d in ins[0] if d is not None]
    size = math.prod(dims) if len(dims) == len(ins[0]) else None
    known = math.prod(d for d in target if d != -1)
    if size is None:
        return tuple(None if d == -1 else d for d in target)
    if (-1 in target and size % known) or (-1 not in target and size != known):
        raise ShapeError(
            "target_shape",
            f"cannot reshape {format_shape(ins[0])} ({size} values) to {list(target)}",
        )
    return tuple(size // known if d == -1 else d for d in target)


def _pool_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, channels = need_rank(ins, 3, "an image (height, width, channels)")
    pool = params["pool_size"]
    strides = pool if params["strides"] is None else (params["strides"],) * 2
    try:
        out = [
            None if size is None else conv_output_length(size, k, s, params["padding"])
            for size, k, s in zip((height, width), pool, strides, strict=True)
        ]
    except LayerArgumentError as err:
        raise ShapeError("pool_size", f"pool {err}") from None
    return (*out, channels)


def _global_pool(rank: int, what: str) -> Callable[[dict[str, Any], list[Shape]], Shape]:
    def shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
        channels = need_rank(ins, rank, what)[-1]
        return (*(1,) * (rank - 1), channels) if params["keepdims"] else (channels,)

    return shape


def _keepdims() -> Param:
    return Param("keepdims", "bool", False, "keep the pooled axes with size 1")


def batch_norm_weights(params: dict[str, Any], ins: list[Shape],
                       out: Shape) -> list[WeightSpec]:  # fmt: skip
    """Scale and shift (trained, unless switched off), moving mean and variance (not
    trained), per entry of the normalised axis (the channels)."""
    channels = (known(ins[0][axis_index(params, ins[0])], "number of channels"),)
    learned = [WeightSpec(name, channels) for name, flag in (("gamma", "scale"),
               ("beta", "center")) if params.get(flag, True)]  # fmt: skip
    return [*learned, WeightSpec("moving_mean", channels, False),
            WeightSpec("moving_variance", channels, False)]  # fmt: skip


def _embedding_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return (*ins[0], params["output_dim"])


def _embedding_weights(params: dict[str, Any], ins: list[Shape],
                       out: Shape) -> list[WeightSpec]:  # fmt: skip
    return [WeightSpec("embeddings", (params["input_dim"], params["output_dim"]))]


def _add_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    for port, shape in enumerate(ins[1:], start=1):
        if shape != ins[0]:
            raise ShapeError(
                "input",
                f"Add needs equal shapes, but input 1 is {format_shape(ins[0])} and input "
                f"{port + 1} is {format_shape(shape)}",
            )
    return ins[0]


def _concat_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    rank = len(ins[0])
    # Keras counts the batch as axis 0; our shapes leave it out.
    if params["axis"] == 0 or not -rank <= params["axis"] <= rank:
        raise ShapeError(
            "axis", f"axis {params['axis']} cannot join tensors of shape {format_shape(ins[0])}"
        )
    axis = params["axis"] - 1 if params["axis"] > 0 else params["axis"] % rank
    for port, shape in enumerate(ins[1:], start=1):
        if len(shape) != rank or any(
            a != b for i, (a, b) in enumerate(zip(shape, ins[0], strict=True)) if i != axis
        ):
            raise ShapeError(
                "input",
                f"Concatenate needs equal shapes except on axis {params['axis']}, but input 1 "
                f"is {format_shape(ins[0])} and input {port + 1} is {format_shape(shape)}",
            )
    sizes = [s[axis] for s in ins]
    return (*ins[0][:axis], None if None in sizes else sum(sizes), *ins[0][axis + 1 :])


def _activation(default: str = "linear") -> Param:
    return Param("activation", "choice", default, "function applied to the output",
                 choices=ACTIVATIONS)  # fmt: skip


def _rate() -> Param:
    return Param("rate", "float", 0.5, "fraction of values zeroed in training", 0.0, 1.0,
                 exclusive_max=True)  # fmt: skip


CORE_ENTRIES = (
    LayerSpec("Input", "Input", "Input / output",
              "The data entering the network. Its shape leaves out the batch: (28, 28, 1) for "
              "grey 28x28 images, (64,) for 64 numbers, (32,) for a sequence of 32 tokens.",
              (Param("shape", "shape", (8, 8, 1), "shape of one example, without the batch", 1,
                     1_000_000),
               Param("dtype", "choice", "float32", "float32 for numbers, int32 for token ids",
                     choices=("float32", "int32"))),
              (), _input_shape, no_weights, None, "InputLayer", key_params=("shape",)),
    LayerSpec("Output", "Output", "Input / output",
              "Marks a tensor as an output of the network; the loss is computed on it.",
              (), ("input",), same_shape, no_weights, None, None),
    LayerSpec("Dense", "Dense (fully connected)", "Core",
              "Every output is a weighted sum of all inputs plus a bias, then the activation. On "
              "a sequence it acts on each position separately.",
              (Param("units", "int", 64, "number of outputs", 1, 1_000_000), _activation(),
               Param("use_bias", "bool", True, "add a learned bias to each output")),
              ("input",), _dense_shape, _dense_weights, layer_maker("Dense"), "Dense",
              key_params=("units", "activation")),
    LayerSpec("Activation", "Activation", "Core",
              "Applies a function to every value: relu keeps positives, sigmoid squashes to "
              "(0, 1), tanh to (-1, 1), softmax turns a vector into probabilities.",
              (_activation("relu"),), ("input",), same_shape, no_weights,
              layer_maker("Activation"), "Activation", key_params=("activation",)),
    LayerSpec("Softmax", "Softmax", "Core",
              "Turns scores into probabilities that sum to 1 along an axis (the last by default).",
              (Param("axis", "int", -1, "axis whose entries sum to 1, -1 for the last", -8, 8),),
              ("input",), same_shape_on_axis, no_weights, layer_maker("Softmax"), "Softmax"),
    LayerSpec("Dropout", "Dropout", "Regularisation",
              "During training sets a random fraction of values to zero (and scales the rest up), "
              "so the network cannot rely on any single unit. Does nothing at inference.",
              (_rate(),), ("input",), same_shape, no_weights, layer_maker("Dropout"), "Dropout",
              key_params=("rate",)),
    LayerSpec("Flatten", "Flatten", "Reshaping",
              "Lays all values of each example out in one long vector, e.g. (7, 7, 32) -> (1568,).",
              (), ("input",), _flatten_shape, no_weights, layer_maker("Flatten"), "Flatten"),
    LayerSpec("Reshape", "Reshape", "Reshaping",
              "Gives each example a new shape with the same number of values; one entry may be "
              "-1 to be inferred.",
              (Param("target_shape", "shape", (-1,), "new shape without the batch", -1,
                     1_000_000),),
              ("input",), _reshape_shape, no_weights, layer_maker("Reshape"), "Reshape",
              key_params=("target_shape",)),
    *(
        LayerSpec(key, title, "Pooling",
                  f"Slides a window over each channel and keeps the {what} of each window, "
                  "shrinking the image (2x2 with stride 2 halves it).",
                  (Param("pool_size", "int_pair", 2, "window height and width", 1, 1024),
                   Param("strides", "optional_int", None, "step; empty means the pool size",
                         1, 1024),
                   Param("padding", "choice", "valid", "valid: no padding; same: ceil(size / "
                         "stride) outputs", choices=("valid", "same"))),
                  ("input",), _pool_shape, no_weights, layer_maker(cls), cls,
                  key_params=("pool_size",))
        for key, title, what, cls in (
            ("MaxPool2D", "Max pooling 2D", "largest value", "MaxPooling2D"),
            ("AvgPool2D", "Average pooling 2D", "average", "AveragePooling2D"),
        )
    ),
    LayerSpec("GlobalAvgPool2D", "Global average pooling 2D", "Pooling",
              "Averages each channel over the whole image: (H, W, C) -> (C,).",
              (_keepdims(),), ("input",), _global_pool(2 + 1, "an image (height, width, channels)"),
              no_weights, layer_maker("GlobalAveragePooling2D"), "GlobalAveragePooling2D"),
    LayerSpec("GlobalAvgPool1D", "Global average pooling 1D", "Pooling",
              "Averages a sequence over its positions: (T, D) -> (D,).",
              (_keepdims(),), ("input",), _global_pool(2, "a sequence (length, features)"),
              no_weights,
              layer_maker("GlobalAveragePooling1D"), "GlobalAveragePooling1D"),
    LayerSpec("BatchNorm", "Batch normalisation", "Normalisation",
              "Normalises each channel with the mean and variance of the batch (moving averages "
              "at inference), then scales and shifts it with learned values.",
              (Param("momentum", "float", 0.99, "weight of the old moving average", 0.0, 1.0,
                     exclusive_max=True),
               Param("epsilon", "float", 1e-3, "added to the variance", 1e-12, 1.0),
               Param("gamma_initializer", "choice", "ones", "initial scale; zeros starts a "
                     "residual branch at zero", choices=("ones", "zeros")),
               Param("axis", "int", -1, "axis normalised (the channels), -1 for the last", -8, 8),
               Param("center", "bool", True, "learn a shift (beta)"),
               Param("scale", "bool", True, "learn a scale (gamma)")),
              ("input",), same_shape, batch_norm_weights, layer_maker("BatchNormalization"),
              "BatchNormalization"),
    LayerSpec("Embedding", "Embedding", "Core",
              "Looks up a learned vector for each token id: a sequence of T ids becomes T "
              "vectors of width output_dim.",
              (Param("input_dim", "int", 1000, "vocabulary size (ids 0 .. input_dim-1)", 1,
                     10_000_000),
               Param("output_dim", "int", 64, "width of each vector", 1, 1_000_000)),
              ("input",), _embedding_shape, _embedding_weights, layer_maker("Embedding"),
              "Embedding", key_params=("input_dim", "output_dim")),
    LayerSpec("Add", "Add", "Merging",
              "Adds its inputs element by element (skip connections); all must have one shape.",
              (), ("input",), _add_shape, no_weights, layer_maker("Add"), "Add",
              min_inputs=2, variadic=True, call_style="list"),
    LayerSpec("Concatenate", "Concatenate", "Merging",
              "Joins its inputs along one axis (the channels by default).",
              (Param("axis", "int", -1, "axis to join along, -1 for the last", -8, 8),),
              ("input",), _concat_shape, no_weights, layer_maker("Concatenate"), "Concatenate",
              min_inputs=2, variadic=True, call_style="list"),
)  # fmt: skip
