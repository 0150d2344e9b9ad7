"""Whether a data set fits a network, as problems tied to the node to change and the fix.

The editor lists these beside the graph's own problems, and the engine refuses
a run for the same reasons, in the same words.
"""

from __future__ import annotations

from netlab import catalog
from netlab.data import Dataset
from netlab.graph.analysis import Analysis, Problem
from netlab.graph.model import Graph, Node

# Layers that keep the width of what they get, looked through to find the layer to change.
_PASS_THROUGH = {"Output", "Activation", "Softmax", "Dropout", "BatchNorm", "LayerNorm"}


def _width_node(graph: Graph, output: Node) -> Node | None:
    """The layer whose ``units`` decide the network's output width, if there is one."""
    node = output
    while node.key in _PASS_THROUGH:
        inputs = graph.inputs_of(node.id)
        if not inputs:
            return None
        node = graph.nodes[inputs[0].src]
    return node if "units" in node.params else None


def data_problems(graph: Graph, analysis: Analysis, dataset: Dataset, loss: str) -> list[Problem]:
    """What does not fit between ``dataset`` and the graph, each with the change that fixes it.

    Nothing is said about a graph without exactly one Input and one Output, or
    with problems of its own (they come first).
    """
    inputs = [n for n in graph.nodes.values() if n.key == "Input"]
    outputs = [n for n in graph.nodes.values() if n.key == "Output"]
    if len(inputs) != 1 or len(outputs) != 1 or inputs[0].id not in analysis.params:
        return []
    found: list[Problem] = []
    source, output = inputs[0], outputs[0]
    params = analysis.params[source.id]
    wanted = catalog.format_value(dataset.input_shape)
    if tuple(params["shape"]) != dataset.input_shape:
        found.append(Problem(source.id, "shape", f"the data's examples have shape {wanted} but "
                             f"this Input takes {catalog.format_value(params['shape'])}: set its "
                             f"shape to {wanted}"))  # fmt: skip
    if dataset.kind == "tokens" and params["dtype"] != "int32":
        found.append(Problem(source.id, "dtype", "the data is token ids: set dtype to int32"))
    shape = analysis.shapes.get(output.id)
    if shape is not None and shape[-1] != dataset.output_width:
        what = f"{dataset.num_classes} classes" if dataset.num_classes else \
            f"targets of width {dataset.output_width}"  # fmt: skip
        layer = _width_node(graph, output)
        fix = f"set units of {layer.name!r} to {dataset.output_width}" if layer else \
            f"end the network in a Dense layer of {dataset.output_width} units"  # fmt: skip
        found.append(Problem(layer.id if layer else output.id, "units" if layer else "input",
                             f"the data has {what} but the network outputs {shape[-1]} "
                             f"values: {fix}"))  # fmt: skip
    if dataset.task == "regression" and "crossentropy" in loss:
        found.append(Problem(None, "loss", f"{loss} needs class labels but this data has "
                             "targets: set the loss to mse or mae"))  # fmt: skip
    if dataset.task == "classification" and loss in ("mse", "mae") and dataset.num_classes < 2:
        found.append(Problem(None, "loss", "classification needs at least two classes"))
    return found
