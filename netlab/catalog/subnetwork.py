"""The group node: several layers as one node (a nested Keras model, or a collapsed selection).

Its one parameter, ``network``, lists the layers as data (see
:class:`netlab.layers.Subnetwork`); the recipe is read from it, so shapes and
weights come from the layers' own entries, Expand puts the layers on the canvas
and Collapse makes a group of any selection with one input and one output.
"""

from __future__ import annotations

from typing import Any

from netlab.catalog.recipes import INPUT, Recipe, Step, composite_shape, composite_weights, infer
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, layer_maker
from netlab.errors import ShapeError

KEY = "Subnetwork"
GROUP_INPUT = "<input>"  # the group's input, as its layers name it


def check_network(network: Any) -> list[dict[str, Any]]:
    """The group's layers, checked for form: names unique, inputs earlier, types known.

    Raises:
        ValueError: What is wrong, in one line.
    """
    from netlab import catalog

    layers = network.get("layers") if isinstance(network, dict) else None
    if not isinstance(layers, list) or not layers:
        raise ValueError("a group needs a non-empty list 'layers'")
    seen = {GROUP_INPUT}
    for item in layers:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError("each layer of a group needs a 'name'")
        name, key = item["name"], item.get("type")
        if key not in catalog.CATALOG or key in ("Input", "Output"):
            raise ValueError(f"layer {name!r} of the group has an unknown type {key!r}")
        inputs = item.get("inputs")
        if not isinstance(inputs, list) or not inputs or any(i not in seen for i in inputs):
            raise ValueError(f"layer {name!r} of the group takes inputs {inputs!r}; each must "
                             "be an earlier layer of the group or '<input>'")  # fmt: skip
        if name in seen:
            raise ValueError(f"the group has two layers named {name!r}")
        if not isinstance(item.get("params", {}), dict):
            raise ValueError(f"layer {name!r} of the group needs 'params' as an object")
        seen.add(name)
    return layers


def _layers(params: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        return check_network(params["network"])
    except ValueError as err:
        raise ShapeError("network", str(err)) from None


def recipe(params: dict[str, Any], input_shape: Shape) -> Recipe:
    """The group's layers as recipe steps; the steps with weights, in order, hold its weights."""
    steps = tuple(
        Step(item["name"], item["type"], dict(item.get("params", {})),
             tuple(INPUT if i == GROUP_INPUT else i for i in item["inputs"]))
        for item in _layers(params)
    )  # fmt: skip
    results = infer(Recipe(steps, ()), input_shape)
    return Recipe(steps, tuple(s.suffix for s in steps if results[s.suffix].weights))


def _shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return composite_shape(recipe(params, ins[0]), ins[0])


def _weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    return composite_weights(recipe(params, ins[0]), ins[0])


def network_of(steps: list[tuple[str, str, dict[str, Any], list[str]]]) -> dict[str, Any]:
    """``network`` from ``(name, type, params, inputs)``; ``inputs`` use :data:`GROUP_INPUT`."""
    return {"layers": [{"name": name, "type": key, "params": params, "inputs": inputs}
                       for name, key, params, inputs in steps]}  # fmt: skip


IDENTITY = network_of([("identity", "Activation", {"activation": "linear"}, [GROUP_INPUT])])

ENTRY = LayerSpec(
    KEY, "Group of layers", "Keras",
    "Several layers shown as one node: a nested Keras model (a Sequential or functional model "
    "used as a layer, as in transfer learning) or layers collapsed with Edit > Collapse. Expand "
    "shows and edits its layers; freezing it freezes them all.",
    (Param("network", "json", IDENTITY, "the group's layers: type, parameters and inputs of "
           "each"),),
    ("input",), _shape, _weights, layer_maker("Subnetwork", "netlab"), "netlab>Subnetwork",
    recipe=recipe)  # fmt: skip
ENTRIES = (ENTRY,)
