"""Catalog entries of Keras's activation, normalisation, merging, reshaping and noise layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netlab.catalog.spec import (
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
from netlab.errors import ShapeError

Maker = Callable[[dict[str, Any], str], Any]


def broadcast_shape(what: str) -> Callable[[dict[str, Any], list[Shape]], Shape]:
    """Shape of an element-wise merge: equal ranks; per axis equal sizes, or 1 (stretched)."""

    def shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
        out = list(ins[0])
        for port, other in enumerate(ins[1:], start=1):
            if len(other) != len(out):
                raise ShapeError("input", f"{what} needs inputs of one rank, but input 1 is "
                                 f"{format_shape(ins[0])} and input {port + 1} is "
                                 f"{format_shape(other)}")  # fmt: skip
            for axis, (a, b) in enumerate(zip(out, other, strict=True)):
                if a == 1 or a is None:
                    out[axis] = b if a == 1 or b not in (1, None) else a
                elif b not in (1, None, a):
                    raise ShapeError("input", f"{what} needs equal shapes (or size 1 to stretch), "
                                     f"but input 1 is {format_shape(ins[0])} and input {port + 1} "
                                     f"is {format_shape(other)}")  # fmt: skip
        return tuple(out)

    return shape


def _per_channel(*names: str) -> Callable[[dict[str, Any], list[Shape], Shape], list[WeightSpec]]:
    def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
        channels = (known(ins[0][axis_index(params, ins[0])], "number of channels"),)
        return [WeightSpec(name, channels) for name in names if params.get(_FLAG[name], True)]

    return weights


_FLAG = {"gamma": "scale", "beta": "center"}


def _prelu_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    shape = [known(d, "shape") for d in ins[0]]
    for axis in params["shared_axes"]:
        if not 1 <= axis <= len(shape):
            raise ShapeError("shared_axes", f"axis {axis} is not an axis of "
                             f"{format_shape(ins[0])} (1 to {len(shape)})")  # fmt: skip
        shape[axis - 1] = 1
    return [WeightSpec("alpha", tuple(shape))]


def _make_prelu(params: dict[str, Any], name: str) -> Any:
    import keras

    return keras.layers.PReLU(shared_axes=list(params["shared_axes"]) or None, name=name)


def _normalization_weights(params: dict[str, Any], ins: list[Shape],
                           out: Shape) -> list[WeightSpec]:  # fmt: skip
    channels = (known(ins[0][axis_index(params, ins[0])], "number of features"),)
    return [WeightSpec("mean", channels, False), WeightSpec("variance", channels, False),
            WeightSpec("count", (), False)]  # fmt: skip


def _group_norm_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    channels = ins[0][axis_index(params, ins[0])]
    if channels is not None and channels % params["groups"]:
        raise ShapeError("groups", f"groups ({params['groups']}) must divide the channels "
                         f"({channels})")  # fmt: skip
    return ins[0]


def _permute_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    dims = params["dims"]
    if sorted(dims) != list(range(1, len(ins[0]) + 1)):
        raise ShapeError("dims", f"dims must order the axes 1 to {len(ins[0])} of "
                         f"{format_shape(ins[0])}, e.g. {tuple(range(len(ins[0]), 0, -1))}")
    return tuple(ins[0][d - 1] for d in dims)


def _repeat_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    (features,) = need_rank(ins, 1, "a vector (features,)")
    return (params["n"], features)


def _subtract_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return broadcast_shape("Subtract")(params, ins)


def _merge(key: str, title: str, text: str) -> LayerSpec:
    return LayerSpec(key, title, "Merging", text, (), ("input",), broadcast_shape(key),
                     no_weights, layer_maker(key), key, min_inputs=2, variadic=True,
                     call_style="list")


def _spatial_dropout(rank: int, what: str) -> Callable[[dict[str, Any], list[Shape]], Shape]:
    def shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
        return need_rank(ins, rank, what)

    return shape


def _rate() -> Param:
    return Param("rate", "float", 0.5, "fraction of channels zeroed in training", 0.0, 1.0,
                 exclusive_max=True)  # fmt: skip


def _axis(help_text: str = "axis normalised, -1 for the last (the channels)") -> Param:
    return Param("axis", "int", -1, help_text, -8, 8)


ENTRIES = (
    LayerSpec("ReLU", "ReLU", "Activations",
              "max(x, 0), optionally capped (max_value 6 is MobileNet's ReLU6) and with a slope "
              "below the threshold.",
              (Param("max_value", "optional_float", None, "cap of the output; empty: none", 0.0),
               Param("negative_slope", "float", 0.0, "slope below the threshold", 0.0),
               Param("threshold", "float", 0.0, "values below it are zeroed (or sloped)")),
              ("input",), same_shape, no_weights, layer_maker("ReLU"), "ReLU",
              key_params=("max_value",)),
    LayerSpec("LeakyReLU", "Leaky ReLU", "Activations",
              "x for positives, negative_slope * x for negatives: gradients never vanish fully.",
              (Param("negative_slope", "float", 0.3, "slope for negative inputs", 0.0),),
              ("input",), same_shape, no_weights, layer_maker("LeakyReLU"), "LeakyReLU",
              key_params=("negative_slope",)),
    LayerSpec("PReLU", "Parametric ReLU", "Activations",
              "A leaky ReLU whose negative slope is learned, per value or shared along axes "
              "(shared_axes 1, 2 learns one slope per channel of an image).",
              (Param("shared_axes", "int_list", (), "axes sharing one slope (1 = first axis "
                     "after the batch)", 1, 8),),
              ("input",), same_shape, _prelu_weights, _make_prelu, "PReLU"),
    LayerSpec("ELU", "ELU", "Activations",
              "x for positives, alpha * (exp(x) - 1) for negatives: smooth, mean near zero.",
              (Param("alpha", "float", 1.0, "scale of the negative part", 0.0),),
              ("input",), same_shape, no_weights, layer_maker("ELU"), "ELU"),
    LayerSpec("Rescaling", "Rescaling", "Normalisation",
              "Multiplies by scale and adds offset: 1/255 maps pixel values to [0, 1], scale "
              "1/127.5 with offset -1 to [-1, 1].",
              (Param("scale", "float", 1 / 255, "factor"), Param("offset", "float", 0.0, "added")),
              ("input",), same_shape, no_weights, layer_maker("Rescaling"), "Rescaling",
              key_params=("scale",)),
    LayerSpec("Normalization", "Normalization (standardise)", "Normalisation",
              "Subtracts a mean and divides by a standard deviation per feature, both computed "
              "from the data (adapted) and kept as weights that training does not change.",
              (_axis("axis whose entries get their own mean, -1 for the last"),
               Param("invert", "bool", False, "undo a normalisation instead")),
              ("input",), same_shape_on_axis, _normalization_weights,
              layer_maker("Normalization"),
              "Normalization"),
    LayerSpec("GroupNorm", "Group normalisation", "Normalisation",
              "Normalises each example over groups of channels (with every position), then "
              "scales and shifts per channel: batch-size independent, unlike batch norm.",
              (Param("groups", "int", 8, "number of channel groups (divides the channels)", 1,
                     65536),
               _axis(), Param("epsilon", "float", 1e-3, "added to the variance", 1e-12, 1.0),
               Param("center", "bool", True, "learn a shift (beta)"),
               Param("scale", "bool", True, "learn a scale (gamma)")),
              ("input",), _group_norm_shape, _per_channel("gamma", "beta"),
              layer_maker("GroupNormalization"), "GroupNormalization", key_params=("groups",)),
    LayerSpec("UnitNorm", "Unit normalisation", "Normalisation",
              "Scales each vector along the axis to length 1 (L2 norm).",
              (_axis("axis along which the length is 1"),), ("input",), same_shape_on_axis,
              no_weights,
              layer_maker("UnitNormalization"), "UnitNormalization"),
    _merge("Multiply", "Multiply", "Multiplies its inputs element by element (gates, "
           "squeeze-and-excitation); a size-1 axis is stretched to match."),
    LayerSpec("Subtract", "Subtract", "Merging",
              "Input 1 minus input 2, element by element; a size-1 axis is stretched.",
              (), ("a", "b"), _subtract_shape, no_weights, layer_maker("Subtract"), "Subtract",
              call_style="list"),
    _merge("Average", "Average", "The element-wise mean of its inputs."),
    _merge("Maximum", "Maximum", "The element-wise largest of its inputs."),
    _merge("Minimum", "Minimum", "The element-wise smallest of its inputs."),
    LayerSpec("Permute", "Permute", "Reshaping",
              "Reorders the axes: dims (2, 1) swaps the two axes of a (T, D) sequence.",
              (Param("dims", "shape", (2, 1), "the new order of the axes, counting from 1", 1,
                     8),),
              ("input",), _permute_shape, no_weights, layer_maker("Permute"), "Permute",
              key_params=("dims",)),
    LayerSpec("RepeatVector", "Repeat vector", "Reshaping",
              "Repeats a vector n times: (D,) -> (n, D), e.g. to feed a decoder RNN.",
              (Param("n", "int", 4, "number of repetitions", 1, 1_000_000),),
              ("input",), _repeat_shape, no_weights, layer_maker("RepeatVector"), "RepeatVector",
              key_params=("n",)),
    LayerSpec("SpatialDropout1D", "Spatial dropout 1D", "Regularisation",
              "In training zeroes whole features of a sequence (not single values), for "
              "neighbouring positions are strongly correlated.",
              (_rate(),), ("input",), _spatial_dropout(2, "a sequence (length, features)"),
              no_weights, layer_maker("SpatialDropout1D"), "SpatialDropout1D",
              key_params=("rate",)),
    LayerSpec("SpatialDropout2D", "Spatial dropout 2D", "Regularisation",
              "In training zeroes whole channels of an image (not single pixels).",
              (_rate(),), ("input",), _spatial_dropout(3, "an image (height, width, channels)"),
              no_weights, layer_maker("SpatialDropout2D"), "SpatialDropout2D",
              key_params=("rate",)),
    LayerSpec("GaussianNoise", "Gaussian noise", "Regularisation",
              "In training adds noise of mean 0 and the given standard deviation; nothing at "
              "inference.",
              (Param("stddev", "float", 0.1, "standard deviation of the noise (Keras: 0 to 1)",
                     0.0, 1.0),),
              ("input",), same_shape, no_weights, layer_maker("GaussianNoise"), "GaussianNoise",
              key_params=("stddev",)),
)  # fmt: skip
