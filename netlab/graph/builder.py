"""Graph -> ``keras.Model`` (functional API), with errors mapped to nodes."""

from __future__ import annotations

from typing import Any

from netlab import catalog
from netlab.errors import BuildError, GraphError, ShapeError, first_line
from netlab.graph.analysis import Analysis, analyse, used_nodes
from netlab.graph.model import Graph


class InvalidGraphError(GraphError):
    """The graph has problems; ``problems`` lists them all."""

    def __init__(self, graph: Graph, analysis: Analysis) -> None:
        lines = [p.describe(graph) for p in analysis.errors]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        super().__init__(f"the network cannot be built: {lines[0]}{more}")
        self.problems = analysis.errors


def _call(spec: catalog.LayerSpec, layer: Any, inputs: list[Any]) -> Any:
    if spec.call_style == "list":
        return layer(inputs)
    if spec.call_style == "args":
        return layer(*inputs)
    if spec.call_style == "auto" and len(inputs) > 1:
        return layer(inputs)
    return layer(inputs[0])


def build_model(graph: Graph, name: str = "netlab_model") -> Any:
    """Builds the Keras model of a valid graph.

    Keras layer names equal node names, so every weight and every Keras message
    maps back to a node. Nodes that lead to no Output are left out.

    Args:
        graph: The network.
        name: The model's name.

    Returns:
        A ``keras.Model`` with the Input nodes as inputs and the Output nodes as
        outputs (single tensors when there is one of each), in node order.

    Raises:
        InvalidGraphError: If validation finds errors.
        BuildError: If Keras refuses a node; ``node_id`` says which.
    """
    import keras

    analysis = analyse(graph)
    if not analysis.valid:
        raise InvalidGraphError(graph, analysis)
    tensors: dict[str, Any] = {}
    used = used_nodes(graph)
    for node_id in (i for i in analysis.order if i in used):
        node = graph.nodes[node_id]
        spec = catalog.get(node.key)
        params = analysis.params[node_id]
        inputs = [tensors[e.src] for e in graph.inputs_of(node_id) if e.src in tensors]
        if node.key == "Input":
            tensors[node_id] = keras.Input(params["shape"], dtype=params["dtype"], name=node.name)
        elif node.key == "Output":
            tensors[node_id] = inputs[0]
        elif spec.make_layer is not None:
            try:
                layer = spec.make_layer(params, node.name)
                layer.trainable = node.trainable
                tensors[node_id] = _call(spec, layer, inputs)
            except (ValueError, TypeError, ShapeError) as err:
                raise BuildError(node_id, f"{node.name}: {first_line(err, with_type=False)}") \
                    from err  # fmt: skip
    ins = [tensors[n.id] for n in graph.nodes.values() if n.key == "Input" and n.id in used]
    outs = [tensors[n.id] for n in graph.nodes.values() if n.key == "Output"]
    return keras.Model(
        ins[0] if len(ins) == 1 else ins, outs[0] if len(outs) == 1 else outs, name=name
    )


def load_layer_weights(layer: Any, arrays: Any) -> None:
    """``layer.set_weights(arrays)``, and what Keras does after loading a file.

    Layers that derive state from their weights (``Normalization``'s mean and
    variance from its adapted statistics) refresh it in ``finalize_state``, which
    Keras calls when it loads a ``.keras`` file but not in ``set_weights``.
    """
    layer.set_weights(arrays)
    finalize = getattr(layer, "finalize_state", None)
    if callable(finalize):
        finalize()
