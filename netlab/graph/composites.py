"""Composite layers (ResidualBlock, TransformerBlock) as recipes of simple nodes.

The templates use the recipes to build expanded networks, and
:func:`expand_node` replaces a composite node on the canvas by its layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netlab import catalog
from netlab.errors import GraphError
from netlab.graph.analysis import analyse
from netlab.graph.commands import AddNode, Command, Compound, Connect, RemoveNodes
from netlab.graph.layout import COLUMN_STEP
from netlab.graph.model import Graph

INPUT = "<input>"


@dataclass(frozen=True)
class Step:
    """One node of a recipe: ``inputs`` name earlier steps' suffixes or INPUT."""

    suffix: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()


def residual_recipe(filters: int, strides: int, project: bool, zero_init: bool) -> list[Step]:
    """ResNet's basic block as conv / batch norm / ReLU / Add steps."""
    bn = {"momentum": 0.9, "epsilon": 1e-5}
    conv = {"filters": filters, "use_bias": False}
    steps = [
        Step("conv1", "Conv2D", {**conv, "kernel_size": 3, "strides": strides, "padding": 1},
             (INPUT,)),
        Step("bn1", "BatchNorm", bn, ("conv1",)),
        Step("relu1", "Activation", {"activation": "relu"}, ("bn1",)),
        Step("conv2", "Conv2D", {**conv, "kernel_size": 3, "padding": 1}, ("relu1",)),
        Step("bn2", "BatchNorm", {**bn, "gamma_initializer": "zeros" if zero_init else "ones"},
             ("conv2",)),
    ]  # fmt: skip
    shortcut = INPUT
    if project:
        steps += [
            Step("proj", "Conv2D", {**conv, "kernel_size": 1, "strides": strides}, (INPUT,)),
            Step("proj_bn", "BatchNorm", bn, ("proj",)),
        ]
        shortcut = "proj_bn"
    return [*steps, Step("add", "Add", {}, ("bn2", shortcut)),
            Step("relu2", "Activation", {"activation": "relu"}, ("add",))]  # fmt: skip


def transformer_recipe(params: dict[str, Any]) -> list[Step]:
    """A TransformerBlock as attention / dropout / Add / LayerNorm / FeedForward steps."""
    attention = {k: params[k] for k in ("num_heads", "key_dim", "dropout", "causal")}
    ff = {"hidden_dim": params["ff_dim"], "activation": params["activation"],
          "dropout": params["dropout"]}  # fmt: skip
    drop = {"rate": params["dropout"]}
    if params["norm_first"]:
        return [
            Step("norm1", "LayerNorm", {}, (INPUT,)),
            Step("attention", "MultiHeadAttention", attention, ("norm1",)),
            Step("drop1", "Dropout", drop, ("attention",)),
            Step("add1", "Add", {}, (INPUT, "drop1")),
            Step("norm2", "LayerNorm", {}, ("add1",)),
            Step("feed_forward", "FeedForward", ff, ("norm2",)),
            Step("drop2", "Dropout", drop, ("feed_forward",)),
            Step("add2", "Add", {}, ("add1", "drop2")),
        ]
    return [
        Step("attention", "MultiHeadAttention", attention, (INPUT,)),
        Step("drop1", "Dropout", drop, ("attention",)),
        Step("add1", "Add", {}, (INPUT, "drop1")),
        Step("norm1", "LayerNorm", {}, ("add1",)),
        Step("feed_forward", "FeedForward", ff, ("norm1",)),
        Step("drop2", "Dropout", drop, ("feed_forward",)),
        Step("add2", "Add", {}, ("norm1", "drop2")),
        Step("norm2", "LayerNorm", {}, ("add2",)),
    ]


def recipe_for(graph: Graph, node_id: str) -> list[Step]:
    """The recipe of a composite node, given its current input.

    Raises:
        GraphError: If the node is not composite, or its input shape is unknown.
    """
    node = graph.node(node_id)
    spec = catalog.get(node.key)
    if not spec.composite:
        raise GraphError(f"{node.name!r} ({spec.display_name}) is not a composite layer")
    params = spec.check_params(node.params)
    if node.key == "TransformerBlock":
        return transformer_recipe(params)
    inputs = graph.inputs_of(node_id)
    shape = analyse(graph).shapes.get(inputs[0].src) if inputs else None
    if shape is None:
        raise GraphError(f"connect {node.name!r} to a valid input before expanding it")
    project = params["strides"] != 1 or shape[-1] != params["filters"]
    return residual_recipe(params["filters"], params["strides"], project, params["zero_init"])


def expand_node(graph: Graph, node_id: str) -> Compound:
    """A command replacing a composite node by its layers, rewired in place."""
    node = graph.node(node_id)
    steps = recipe_for(graph, node_id)
    sources = [e.src for e in graph.inputs_of(node_id)]
    consumers = graph.outputs_of(node_id)
    commands: list[Command] = [RemoveNodes([node_id])]
    ids: dict[str, str] = {}
    fresh = graph.copy()  # hands out new ids without touching the graph itself
    for i, step in enumerate(steps):
        ids[step.suffix] = fresh.new_id()
        name = graph.unique_name(f"{node.name}_{step.suffix}")
        pos = (node.pos[0] + i * COLUMN_STEP / 2, node.pos[1])
        commands.append(AddNode(step.key, pos, name, step.params, ids[step.suffix]))
    for step in steps:
        for port, src in enumerate(step.inputs):
            commands.append(Connect(sources[0] if src == INPUT else ids[src], ids[step.suffix],
                                    port))  # fmt: skip
    last = ids[steps[-1].suffix]
    commands += [Connect(last, e.dst, e.port) for e in consumers]
    return Compound(commands, text=f"Expand {node.name}")
