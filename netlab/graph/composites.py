"""Expanding a composite node into the layers of its recipe, and collapsing them back.

Each composite layer type carries its recipe in its catalog entry
(:mod:`netlab.catalog.recipes`); this module turns recipes into graph commands.
Trained weights go along both ways: the block's arrays divide among its layers
on expand and join again on collapse.
"""

from __future__ import annotations

import json
import os
from typing import Any

from netlab import catalog
from netlab.catalog import subnetwork
from netlab.catalog.recipes import INPUT, Recipe, Step, split_weights
from netlab.errors import GraphError, ShapeError
from netlab.graph.analysis import Analysis, analyse
from netlab.graph.commands import AddNode, Command, Compound, Connect, RemoveNodes
from netlab.graph.geometry import flow_direction
from netlab.graph.model import Graph, topological_order
from netlab.graph.placement import make_room, place_steps


def _input_shape(graph: Graph, node_id: str, analysis: Analysis) -> Any:
    node = graph.node(node_id)
    inputs = graph.inputs_of(node_id)
    shape = analysis.shapes.get(inputs[0].src) if inputs else None
    if shape is None:
        raise GraphError(f"connect {node.name!r} to a valid input before expanding it")
    return shape


def recipe_for(graph: Graph, node_id: str, analysis: Analysis | None = None) -> Recipe:
    """The recipe of a composite node, given its current input.

    Raises:
        GraphError: If the node is not composite, or its input is missing or unknown.
    """
    node = graph.node(node_id)
    spec = catalog.get(node.key)
    if spec.recipe is None:
        raise GraphError(f"{node.name!r} ({spec.display_name}) is not a composite layer")
    params = spec.check_params(node.params)
    shape = _input_shape(graph, node_id, analysis or analyse(graph))
    return spec.recipe(params, shape)


def _step_weights(graph: Graph, node_id: str, recipe: Recipe,
                  analysis: Analysis) -> dict[str, list[Any]]:  # fmt: skip
    """The node's trained weights divided among the steps (none if it has none that fit)."""
    node = graph.nodes[node_id]
    if not node.weights or node_id in analysis.reinitialised:
        return {}
    try:
        return split_weights(recipe, _input_shape(graph, node_id, analysis), list(node.weights))
    except ShapeError:
        return {}


def expand_node(graph: Graph, node_id: str, direction: str | None = None) -> Compound:
    """A command replacing a composite node by its layers, rewired and laid out in place.

    The new layers keep the block's trained weights; the nodes after the block
    move aside to make room for it (along ``direction``, by default the way the
    graph flows).

    Raises:
        GraphError: If the node is not composite or has no valid input.
    """
    direction = direction or flow_direction(graph)
    analysis = analyse(graph)
    node = graph.node(node_id)
    recipe = recipe_for(graph, node_id, analysis)
    shares = _step_weights(graph, node_id, recipe, analysis)
    sources = [e.src for e in graph.inputs_of(node_id)]
    consumers = graph.outputs_of(node_id)
    ids = {step.suffix: graph.new_id() for step in recipe.steps}
    positions = place_steps(graph, node_id, recipe.steps, direction)
    commands: list[Command] = [RemoveNodes([node_id])]
    taken: set[str] = set()
    for step in recipe.steps:
        wanted = f"{node.name}_{step.suffix}"
        name = graph.unique_name(wanted if len(wanted) <= 64 else step.suffix, taken)
        taken.add(name)
        commands.append(AddNode(step.key, positions[step.suffix], name, step.params,
                                ids[step.suffix], weights=shares.get(step.suffix),
                                trainable=node.trainable))  # fmt: skip
    for step in recipe.steps:
        for port, src in enumerate(step.inputs):
            commands.append(Connect(sources[0] if src == INPUT else ids[src], ids[step.suffix],
                                    port))  # fmt: skip
    last = ids[recipe.steps[-1].suffix]
    commands += [Connect(last, e.dst, e.port) for e in consumers]
    moves = make_room(graph, node_id, positions.values(), direction)
    if moves is not None:
        commands.append(moves)
    return Compound(commands, text=f"Expand {node.name}")


def _canonical(key: str, params: dict[str, Any]) -> dict[str, Any]:
    spec = catalog.get(key)
    return spec.check_params({**spec.defaults(), **params})


def _match(graph: Graph, chosen: set[str], source: str,
           steps: tuple[Step, ...]) -> dict[str, str] | None:  # fmt: skip
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
            and [e.src for e in graph.inputs_of(n)] == want
            and _canonical(step.key, graph.nodes[n].params) == params
        ]  # fmt: skip
        if len(found) != 1:
            return None
        mapped[step.suffix] = found[0]
    return mapped


def _joined_weights(graph: Graph, recipe: Recipe, mapped: dict[str, str],
                    analysis: Analysis) -> list[Any] | None:  # fmt: skip
    """The block's weights gathered from its layers, if every layer with weights has them."""
    arrays: list[Any] = []
    for suffix in recipe.weight_order:
        node = graph.nodes[mapped[suffix]]
        if not node.weights or node.id in analysis.reinitialised:
            return None
        arrays += list(node.weights)
    return arrays


def collapse_nodes(graph: Graph, node_ids: list[str]) -> Compound:
    """A command replacing layers by one node: the composite they were expanded from, or a group.

    Chosen nodes that are exactly what :func:`expand_node` makes for a residual or
    Transformer block (same types, parameters and wiring) become that block again;
    any other selection with one input from outside and one node feeding the rest
    of the graph becomes a group (``Subnetwork``), as an imported nested model is.
    Their trained weights become the block's or the group's.

    Raises:
        GraphError: If they do not form such a block.
    """
    chosen = set(node_ids)
    refuse = GraphError("the selected layers do not form a block or a group: they need one "
                        "input from outside, with a known shape")  # fmt: skip
    incoming = {e.src for n in chosen for e in graph.inputs_of(n) if e.src not in chosen}
    outgoing = [e for n in chosen for e in graph.outputs_of(n) if e.dst not in chosen]
    if len(incoming) != 1:
        raise refuse
    if len({graph.nodes[n].trainable for n in chosen}) > 1:
        raise GraphError("some of the selected layers are frozen and others not; freeze or "
                         "unfreeze them all before collapsing them")  # fmt: skip
    source = incoming.pop()
    analysis = analyse(graph)
    shape = analysis.shapes.get(source)
    if shape is None:
        raise refuse
    nodes = [(graph.nodes[n].key, graph.nodes[n].params) for n in sorted(chosen)]
    for spec in catalog.CATALOG.values():
        if spec.recipe is None or spec.collapse_guesses is None:
            continue
        for guess in spec.collapse_guesses(nodes):
            params = _canonical(spec.key, guess)
            try:
                recipe = spec.recipe(params, shape)
            except ShapeError:
                continue
            mapped = _match(graph, chosen, source, recipe.steps)
            if mapped is None or any(e.src != mapped[recipe.steps[-1].suffix] for e in outgoing):
                continue
            return _collapse(graph, chosen, source, spec.key, params, recipe, mapped, analysis,
                             outgoing)  # fmt: skip
    return _group(graph, chosen, source, outgoing, analysis)


def _group(graph: Graph, chosen: set[str], source: str, outgoing: list[Any],
           analysis: Analysis) -> Compound:  # fmt: skip
    """The chosen layers as one group node (a nested model, as the importer makes it)."""
    ends = {e.src for e in outgoing}
    if len(chosen) < 2:
        raise GraphError("the selected layers do not form a block, and one layer makes no "
                         "group: select two or more")  # fmt: skip
    if len(ends) != 1 or any(graph.nodes[n].key in ("Input", "Output") for n in chosen):
        raise GraphError("the selected layers do not form a block or a group: a group needs "
                         "one input from outside, one layer feeding the rest, and no Input or "
                         "Output")  # fmt: skip
    order = [n for n in topological_order(graph)[0] if n in chosen]
    if order[-1] not in ends:
        raise GraphError("the selected layers do not form a group: the layer that feeds the "
                         "rest of the network must come last")  # fmt: skip
    names = [graph.nodes[n].name for n in order]
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""
    base = prefix[:-1] if len(prefix) > 1 and all(len(n) > len(prefix) for n in names) else ""
    inner = {n: graph.nodes[n].name[len(base) + 1 if base else 0:] for n in order}
    steps = [(inner[n], graph.nodes[n].key, json.loads(json.dumps(graph.nodes[n].params)),
              [subnetwork.GROUP_INPUT if e.src == source else inner[e.src]
               for e in graph.inputs_of(n)]) for n in order]  # fmt: skip
    params = {"network": subnetwork.network_of(steps)}
    recipe = subnetwork.recipe(params, analysis.shapes[source])
    mapped = {INPUT: source, **{inner[n]: n for n in order}}
    return _collapse(graph, chosen, source, subnetwork.KEY, params, recipe, mapped, analysis,
                     outgoing, name=base or "group")  # fmt: skip


def _collapse(graph: Graph, chosen: set[str], source: str, key: str, params: dict[str, Any],
              recipe: Recipe, mapped: dict[str, str], analysis: Analysis,
              outgoing: list[Any], name: str | None = None) -> Compound:  # fmt: skip
    first = graph.nodes[mapped[recipe.steps[0].suffix]]
    suffix = recipe.steps[0].suffix
    base = first.name[: -len(suffix) - 1] if first.name.endswith(f"_{suffix}") else key.lower()
    base = name or base
    node_id = graph.new_id()
    others = {graph.nodes[n].name for n in graph.nodes if n not in chosen}
    name = graph.unique_name(base) if base in others else base
    weights = _joined_weights(graph, recipe, mapped, analysis)
    commands: list[Command] = [RemoveNodes(sorted(chosen)),
                               AddNode(key, first.pos, name, params, node_id, weights=weights,
                                       trainable=first.trainable),
                               Connect(source, node_id, 0)]  # fmt: skip
    commands += [Connect(node_id, e.dst, e.port) for e in outgoing]
    return Compound(commands, text=f"Collapse into {name}")
