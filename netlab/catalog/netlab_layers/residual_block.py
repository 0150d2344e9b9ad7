"""Catalog entry of :class:`netlab.layers.ResidualBlock`, with its recipe (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import IMAGE, ours
from netlab.catalog.recipes import INPUT, Recipe, Step, composite_shape, composite_weights
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, need_rank

MOMENTUM, EPSILON = 0.9, 1e-5  # the layer's defaults, which the entry does not expose


def needs_projection(filters: int, strides: int, in_channels: int | None) -> bool:
    """Whether the shortcut must be a 1x1 convolution (size or channels change)."""
    return strides != 1 or in_channels != filters


def recipe(params: dict[str, Any], input_shape: Shape) -> Recipe:
    """ResNet's basic block as conv / batch norm / ReLU / Add steps.

    The steps with weights come in the order the layer holds them (conv1, its
    norm, conv2, its norm, then the projection and its norm), so the block's
    weights divide among them in ``weight_order``.
    """
    filters, strides = params["filters"], params["strides"]
    bn = {"momentum": MOMENTUM, "epsilon": EPSILON}
    conv = {"filters": filters, "use_bias": False}
    steps = [
        Step("conv1", "Conv2D", {**conv, "kernel_size": 3, "strides": strides, "padding": 1},
             (INPUT,)),
        Step("bn1", "BatchNorm", bn, ("conv1",)),
        Step("relu1", "Activation", {"activation": "relu"}, ("bn1",)),
        Step("conv2", "Conv2D", {**conv, "kernel_size": 3, "padding": 1}, ("relu1",)),
        Step("bn2", "BatchNorm",
             {**bn, "gamma_initializer": "zeros" if params["zero_init"] else "ones"}, ("conv2",)),
    ]  # fmt: skip
    shortcut = INPUT
    if needs_projection(filters, strides, input_shape[-1] if input_shape else None):
        steps += [
            Step("proj", "Conv2D", {**conv, "kernel_size": 1, "strides": strides}, (INPUT,)),
            Step("proj_bn", "BatchNorm", bn, ("proj",)),
        ]
        shortcut = "proj_bn"
    steps += [Step("add", "Add", {}, ("bn2", shortcut)),
              Step("relu2", "Activation", {"activation": "relu"}, ("add",))]  # fmt: skip
    order = tuple(s.suffix for s in steps if s.key in ("Conv2D", "BatchNorm"))
    return Recipe(tuple(steps), order)


def _shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return composite_shape(recipe(params, need_rank(ins, 3, IMAGE)), ins[0])


def _weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    return composite_weights(recipe(params, ins[0]), ins[0])


def _guesses(nodes: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    guesses = []
    for key, params in nodes:
        if key != "Conv2D" or params.get("kernel_size") not in (3, (3, 3), [3, 3]):
            continue
        strides = params["strides"]
        strides = strides[0] if isinstance(strides, (tuple, list)) else strides
        for zero_init in (False, True):
            guesses.append({"filters": params["filters"], "strides": strides,
                            "zero_init": zero_init})  # fmt: skip
    return guesses


ENTRIES = (
    LayerSpec("ResidualBlock", "Residual block", "Convolution",
              "ResNet's basic block: two 3x3 convolutions with batch norm and ReLU, plus a "
              "shortcut (identity, or a 1x1 convolution when size or channels change); "
              "output relu(F(x) + x).",
              (Param("filters", "int", 64, "output channels", 1, 65536),
               Param("strides", "int", 1, "stride of the first convolution", 1, 64),
               Param("zero_init", "bool", True, "start the block as the identity")),
              ("input",), _shape, _weights, ours("ResidualBlock"), "netlab>ResidualBlock",
              key_params=("filters", "strides"), recipe=recipe, collapse_guesses=_guesses),
)  # fmt: skip
