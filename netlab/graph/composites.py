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


def _canonical(key: str, params: dict[str, Any]) -> dict[str, Any]:
    spec = catalog.get(key)
    return spec.check_params({**spec.defaults(), **params})


def _candidates(graph: Graph, chosen: set[str]) -> list[tuple[str, dict[str, Any], list[Step]]]:
    """Composite parameters the chosen nodes could have been expanded from, with recipes."""
    nodes = [graph.nodes[n] for n in chosen]
    out = []
    for conv in (
        n for n in nodes if n.key == "Conv2D" and n.params.get("kernel_size") in (3, (3, 3))
    ):
        filters, strides = conv.params["filters"], conv.params["strides"]
        strides = strides[0] if isinstance(strides, (tuple, list)) else strides
        for project in (False, True):
            for zero_init in (False, True):
                params = {"filters": filters, "strides": strides, "zero_init": zero_init}
                out.append(("ResidualBlock", params,
                            residual_recipe(filters, strides, project, zero_init)))  # fmt: skip
    attention = [n for n in nodes if n.key == "MultiHeadAttention"]
    forward = [n for n in nodes if n.key == "FeedForward"]
    if len(attention) == 1 and len(forward) == 1:
        a, f = attention[0].params, forward[0].params
        for norm_first in (False, True):
            params = {"num_heads": a["num_heads"], "key_dim": a["key_dim"],
                      "ff_dim": f["hidden_dim"], "dropout": a["dropout"], "norm_first": norm_first,
                      "causal": a["causal"], "activation": f["activation"]}  # fmt: skip
            params = _canonical("TransformerBlock", params)
            out.append(("TransformerBlock", params, transformer_recipe(params)))
    return out


def _match(graph: Graph, chosen: set[str], source: str, steps: list[Step]) -> dict[str, str] | None:
    """Maps each recipe step to a chosen node with the same type, parameters and inputs."""
    if len(steps) != len(chosen):
        return None
    mapped: dict[str, str] = {INPUT: source}
    for step in steps:
        want = [mapped[s] for s in step.inputs]
        params = _canonical(step.key, step.params)
        found = [
            n for n in chosen - set(mapped.values())
            if graph.nodes[n].key == step.key
            and [e.src for e in sorted(graph.inputs_of(n), key=lambda e: e.port)] == want
            and _canonical(step.key, graph.nodes[n].params) == params
        ]  # fmt: skip
        if len(found) != 1:
            return None
        mapped[step.suffix] = found[0]
    return mapped


def collapse_nodes(graph: Graph, node_ids: list[str]) -> Compound:
    """A command replacing the layers of an expanded block by the composite node again.

    The chosen nodes must be exactly what :func:`expand_node` makes for some
    ResidualBlock or TransformerBlock (same types, parameters and wiring), with
    one input from outside and one node feeding the rest of the graph.

    Raises:
        GraphError: If they do not form such a block.
    """
    chosen = set(node_ids)
    refuse = GraphError("the selected layers do not form a residual or Transformer block as "
                        "Expand makes it (same layers, parameters and connections)")  # fmt: skip
    incoming = {e.src for n in chosen for e in graph.inputs_of(n) if e.src not in chosen}
    outgoing = [e for n in chosen for e in graph.outputs_of(n) if e.dst not in chosen]
    if len(incoming) != 1:
        raise refuse
    source = incoming.pop()
    for key, params, steps in _candidates(graph, chosen):
        mapped = _match(graph, chosen, source, steps)
        if mapped is None or any(e.src != mapped[steps[-1].suffix] for e in outgoing):
            continue
        first = graph.nodes[mapped[steps[0].suffix]]
        base = first.name.rsplit("_", 1)[0] if "_" in first.name else key.lower()
        node_id = graph.copy().new_id()
        others = {graph.nodes[n].name for n in graph.nodes if n not in chosen}
        name = graph.unique_name(base) if base in others else base
        commands: list[Command] = [RemoveNodes(sorted(chosen)),
                                   AddNode(key, first.pos, name, params, node_id),
                                   Connect(source, node_id, 0)]  # fmt: skip
        commands += [Connect(node_id, e.dst, e.port) for e in outgoing]
        return Compound(commands, text=f"Collapse into {name}")
    raise refuse
