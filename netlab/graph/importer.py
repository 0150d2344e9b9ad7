"""``keras.Model`` or ``.keras`` file -> editable graph, with its weights.

Every layer becomes a node: the catalog's entry for its class where that entry
computes exactly what the layer computes (checked by rebuilding the layer from
the node's parameters and comparing Keras's configurations), a generic Keras-layer
node otherwise (:mod:`netlab.catalog.keras_layer`). A nested model (a
``Sequential`` or functional model used as a layer, as in transfer learning) with
one input and one output becomes a group node (:mod:`netlab.catalog.subnetwork`)
that Expand opens; others are imported layer by layer in their place. Names,
weights and trainable flags are kept; a shared layer (one layer called twice) is
refused by name, for a node holds one call.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from netlab import catalog
from netlab.catalog import keras_layer, keras_recurrent, subnetwork
from netlab.errors import GraphError, ModelImportError, first_line
from netlab.graph.builder import load_layer_weights
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge, Graph, Node, topological_order

_INITIALIZERS = {"Ones": "ones", "Zeros": "zeros"}
_IGNORED = {"name", "trainable", "dtype", "seed", "build_config"}
"""Configuration keys that do not change what a layer computes from its weights."""

# Keras built-ins that one of NetLab's own layers computes exactly (same weights, same
# arithmetic), with the settings they must have for that to hold.
_KERAS_EQUIVALENTS: dict[str, tuple[str, dict[str, list[Any]]]] = {
    "Conv2D": ("Conv2D", {"data_format": ["channels_last"]}),
    "LayerNormalization": ("LayerNorm", {"center": [True], "scale": [True],
                                         "rms_scaling": [False], "axis": [-1, (-1,)]}),
    "MultiHeadAttention": ("MultiHeadAttention", {"output_shape": [None],
                                                  "attention_axes": [None, (1,)]}),
}  # fmt: skip


def _scale_and_offset(name: str, constant: float, tensor_first: bool) -> tuple[float, float] | None:
    """A ``keras.ops`` call on a tensor and a number, as a functional model records it
    (``x * 0.5``, ``2.0 - x``), as ``Rescaling``'s ``x * scale + offset``, if it is one."""
    if name == "Add":
        return 1.0, constant
    if name == "Multiply":
        return constant, 0.0
    if name == "Subtract":
        return (1.0, -constant) if tensor_first else (-1.0, constant)
    if name in ("Divide", "TrueDivide") and tensor_first and constant != 0:
        return 1.0 / constant, 0.0
    return None


_TENSOR_OPS = {"Add": "Add", "Subtract": "Subtract", "Multiply": "Multiply",
               "Maximum": "Maximum", "Minimum": "Minimum"}  # fmt: skip


def _plain(value: Any) -> Any:
    """A configuration as JSON data: tuples as lists, nested names dropped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in _IGNORED}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _plain_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON data (tuples as lists), as a group's network keeps them."""
    return json.loads(json.dumps(params))


def _differs(original: dict[str, Any], rebuilt: dict[str, Any], params: set[str]) -> str | None:
    """The first setting that differs (initializers only where they are parameters)."""
    for key in sorted(set(original) | set(rebuilt)):
        if key in _IGNORED or (key.endswith("_initializer") and key not in params):
            continue
        if _plain(original.get(key)) != _plain(rebuilt.get(key)):
            return key
    return None


def _value(param: catalog.Param, config: dict[str, Any]) -> Any:
    value = config[param.name]
    if param.name == "gamma_initializer" and isinstance(value, dict):
        name = str(value.get("class_name"))
        return _INITIALIZERS.get(name, name)
    if param.name == "strides" and param.kind == "optional_int" and value is not None:
        pool = config.get("pool_size", ())
        pool = tuple(pool) if isinstance(pool, (list, tuple)) else (pool,)
        if tuple(value) == pool:
            return None
        return value[0] if len(set(value)) == 1 else value
    one = param.kind in ("int", "optional_int", "float", "optional_float")
    if one and isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    if one and isinstance(value, (list, tuple)) and len(value) == 2 and value[0] in (-value[1], 0):
        return value[1]  # a range Keras keeps as (-f, f) or (0, f): RandomRotation(f); the
        # rebuilt layer's configuration is compared with the original, so no guess stays wrong
    return value


def _equivalent(registered: str, layer: Any) -> tuple[catalog.LayerSpec | None, str]:
    """The NetLab layer that computes this Keras layer, or ``None`` and why not."""
    key, required = _KERAS_EQUIVALENTS[registered]
    config = layer.get_config()
    for name, allowed in required.items():
        found = config.get(name, allowed[0])
        found = tuple(found) if isinstance(found, list) else found
        if found not in allowed:
            return None, f"{name}={found!r}"
    for name, value in config.items():
        if name.endswith(("_regularizer", "_constraint")) and value is not None:
            return None, name
    return catalog.get(key), ""


def _catalog_node(layer: Any, registered: str) -> tuple[str, dict[str, Any]] | None:
    """The catalog entry and parameters that compute exactly what ``layer`` does, if any."""
    config = layer.get_config()
    if registered in _KERAS_EQUIVALENTS:
        spec, _ = _equivalent(registered, layer)
        rebuild = False
    else:
        spec, rebuild = catalog.spec_for_keras_class(registered), True
    if spec is None or spec.make_layer is None:
        return None
    if registered == "Bidirectional":
        inner = config["layer"]["config"]
        config = {**inner, "cell": config["layer"]["class_name"],
                  "merge_mode": config["merge_mode"]}  # fmt: skip
        if config["cell"] not in keras_recurrent.GATES:
            return None
    values = {p.name: _value(p, config) for p in spec.params if p.name in config}
    try:
        params = spec.check_params(values)
    except GraphError:
        return None
    if rebuild:
        try:
            again = spec.make_layer(params, layer.name).get_config()
        except (ValueError, TypeError):
            return None
        if _differs(layer.get_config(), again, {p.name for p in spec.params}):
            return None
    return spec.key, params


def _generic_params(layer: Any) -> dict[str, Any]:
    import keras

    data = keras.saving.serialize_keras_object(layer)
    data = {k: data[k] for k in ("module", "class_name", "registered_name", "config") if k in data}
    config = {k: v for k, v in data["config"].items() if k not in ("name", "trainable")}
    policy = config.get("dtype")
    if isinstance(policy, dict) and policy.get("config") == {"name": "float32"}:
        del config["dtype"]  # the default: the layer follows the training's precision
    data["config"] = config
    return {"layer": json.loads(json.dumps(data))}


def _history(tensor: Any) -> tuple[str, int, int]:
    name, node_index, tensor_index = tensor["config"]["keras_history"]
    return name, int(node_index), int(tensor_index)


def _tensors(args: Any) -> list[tuple[str, int, int]]:
    """The (layer, call, output) of every tensor a serialized call received, in order."""
    found: list[tuple[str, int, int]] = []
    for arg in args if isinstance(args, (list, tuple)) else [args]:
        if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
            found.append(_history(arg))
        elif isinstance(arg, (list, tuple)):
            found += _tensors(arg)
        elif isinstance(arg, dict):
            found += _tensors(list(arg.values()))
    return found


class _Importer:
    def __init__(self, groups: bool = True) -> None:
        self.graph = Graph()
        self.weights: dict[str, list[Any]] = {}
        self.groups = groups  # nested models as group nodes (else their layers inlined)

    def node(self, name: str, key: str, params: dict[str, Any], layer: Any = None) -> str:
        node_id = self.graph.new_id()
        name = self.graph.unique_name(name) if any(
            n.name == name for n in self.graph.nodes.values()) else name  # fmt: skip
        try:
            self.graph.insert_node(Node(node_id, name, key, params))
        except GraphError:  # a Keras name NetLab does not allow (spaces, length)
            name = self.graph.unique_name("layer")
            self.graph.insert_node(Node(node_id, name, key, params))
        if layer is not None:
            self.graph.set_trainable(node_id, bool(layer.trainable))
            self.weights[name] = layer.get_weights()
        return node_id

    def connect(self, sources: list[str], node_id: str) -> None:
        for port, src in enumerate(sources):
            self.graph.insert_edge(Edge(src, node_id, port))

    def input_node(self, layer: Any) -> str:
        shape = tuple(layer.batch_shape[1:])
        if any(d is None for d in shape):
            raise ModelImportError(f"input {layer.name!r} has shape {shape}: NetLab needs every "
                                   "size but the batch")  # fmt: skip
        dtype = "int32" if "int" in str(layer.dtype) else "float32"
        return self.node(layer.name, "Input", {"shape": shape, "dtype": dtype})

    def model(self, model: Any, sources: list[str] | None) -> list[str]:
        """Adds ``model``'s layers; returns the node of each of its outputs."""
        import keras

        if isinstance(model, keras.Sequential):
            if sources is None:
                sources = [self.input_node(model.inputs[0]._keras_history[0])]
            current = sources
            for layer in model.layers:
                current = self.layer(layer, current, [])
            return current
        config = model.get_config()
        operations = {op.name: op for op in model.operations}
        made: dict[str, list[str]] = {}
        input_names = [t._keras_history[0].name for t in model.inputs]
        for item in config["layers"]:
            name = item["name"]
            if item.get("class_name") == "InputLayer":
                if sources is None:
                    made[name] = [self.input_node(operations[name])]
                else:
                    made[name] = [sources[input_names.index(name)]]
                continue
            calls = item.get("inbound_nodes", [])
            if len(calls) > 1:
                raise ModelImportError(f"layer {name!r} is used {len(calls)} times; a shared "
                                       "layer (one weight set called twice) has no NetLab "
                                       "node: give each call its own layer")  # fmt: skip
            call = calls[0] if calls else {}
            ins = []
            for src, _, tensor in _tensors(call.get("args", [])) + _tensors(
                    list(call.get("kwargs", {}).values())):  # fmt: skip
                if tensor >= len(made[src]):
                    raise ModelImportError(f"layer {name!r} uses output {tensor + 1} of {src!r}; "
                                           "NetLab nodes have one output")  # fmt: skip
                ins.append(made[src][tensor])
            made[name] = self.layer(operations[name], ins, call.get("args", []), call)
        outputs = config["output_layers"]
        outputs = [outputs] if outputs and isinstance(outputs[0], str) else outputs
        return [made[name][tensor] for name, _, tensor in outputs]

    def layer(self, layer: Any, sources: list[str], args: Any,
              call: dict[str, Any] | None = None) -> list[str]:  # fmt: skip
        import keras

        if isinstance(layer, keras.Model):
            group = self.group(layer) if self.groups and len(sources) == 1 else None
            if group is None:
                return self.model(layer, sources)  # its layers in its place
            node_id = self.node(layer.name, subnetwork.KEY, {"network": group[0]})
            self.graph.set_trainable(node_id, group[2])
            self.weights[self.graph.nodes[node_id].name] = group[1]
            self.connect(sources, node_id)
            return [node_id]
        if not isinstance(layer, keras.layers.Layer):
            return [self.operation(layer, sources, args)]
        registered = keras.saving.get_registered_name(type(layer))
        kwargs = (call or {}).get("kwargs", {})
        tensor_kwargs = [k for k, v in kwargs.items() if _tensors(v)]
        if tensor_kwargs and registered == "MultiHeadAttention":
            raise ModelImportError(f"layer {layer.name!r}: attention masks passed as "
                                   f"{', '.join(tensor_kwargs)} are not supported")  # fmt: skip
        found = _catalog_node(layer, registered)
        if found is None:
            if registered.split(">")[-1] in keras_layer.REFUSED:
                raise ModelImportError(f"layer {layer.name!r} is a {type(layer).__name__}, which "
                                       "holds Python code; NetLab never runs code from a file "
                                       "(Keras's safe mode)")  # fmt: skip
            key, params = keras_layer.KEY, _generic_params(layer)
        else:
            key, params = found
        if registered == "MultiHeadAttention" and kwargs.get("use_causal_mask"):
            params["causal"] = True
        node_id = self.node(layer.name, key, params, layer)
        self.connect(sources, node_id)
        return [node_id]

    def group(self, model: Any) -> tuple[dict[str, Any], list[Any], bool] | None:
        """A nested model with one input and one output as a group node's network, its
        weights (in the group's order) and whether it trains; None when it cannot be one
        (several inputs or outputs, or some of its layers frozen and others not)."""
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            return None
        inner = _Importer(groups=self.groups)
        with inner.graph.batch():
            inner.model(model, None)
        graph = inner.graph
        nodes = [graph.nodes[i] for i in topological_order(graph)[0]]
        layers = [n for n in nodes if n.key not in ("Input", "Output")]
        flags = {n.trainable for n in layers}
        if not layers or len(flags) > 1:
            return None
        entry = next(n.id for n in nodes if n.key == "Input")
        steps = [(n.name, n.key, _plain_params(n.params),
                  [subnetwork.GROUP_INPUT if e.src == entry else graph.nodes[e.src].name
                   for e in graph.inputs_of(n.id)]) for n in layers]  # fmt: skip
        weights = [a for n in layers for a in inner.weights.get(n.name, [])]
        return subnetwork.network_of(steps), weights, flags.pop()

    def operation(self, op: Any, sources: list[str], args: Any) -> str:
        """A ``keras.ops`` call recorded in a functional model, as the node computing it."""
        name = type(op).__name__
        numbers = [a for a in (args if isinstance(args, (list, tuple)) else [args])
                   if isinstance(a, (int, float)) and not isinstance(a, bool)]  # fmt: skip
        if len(sources) == 1 and len(numbers) == 1:
            first = args[0] if isinstance(args, (list, tuple)) and args else args
            linear = _scale_and_offset(name, float(numbers[0]), isinstance(first, dict))
            if linear is not None:
                scale, offset = linear
                node_id = self.node(op.name, "Rescaling", {"scale": scale, "offset": offset})
                self.connect(sources, node_id)
                return node_id
        if len(sources) >= 2 and not numbers and name in _TENSOR_OPS:
            node_id = self.node(op.name, _TENSOR_OPS[name], {})
            self.connect(sources, node_id)
            return node_id
        raise ModelImportError(f"{op.name!r} is the keras.ops operation {name}, which NetLab "
                               "has no node for; wrap it in a layer")  # fmt: skip


def _refuse_subclassed(model: Any) -> None:
    import keras
    from keras.src.models.functional import Functional

    if not isinstance(model, (keras.Sequential, Functional)):
        raise ModelImportError(f"the model is a subclassed {type(model).__name__}: its layers "
                               "are wired in Python code, not in a graph NetLab can read; save "
                               "a functional or Sequential model instead")  # fmt: skip


def graph_from_keras(model: Any, groups: bool = True) -> tuple[Graph, dict[str, list[Any]]]:
    """Turns a functional or sequential Keras model into a graph.

    Args:
        model: The model.
        groups: A nested model with one input and one output becomes one group node
            (``Subnetwork``, which Expand opens); ``False``, or a nested model with
            several inputs or outputs: its layers take its place.

    Returns:
        The graph (laid out automatically) and each layer's weights by node
        name, for :func:`netlab.graph.builder.build_model` models to load.

    Raises:
        ModelImportError: For a subclassed model, a shared layer, a layer that
            holds code (``Lambda``) or an operation NetLab has no node for; the
            message names the layer.
    """
    _refuse_subclassed(model)
    importer = _Importer(groups)
    with importer.graph.batch():
        outputs = importer.model(model, None)
        for node_id in outputs:
            last = importer.graph.nodes[node_id]
            out = importer.node(f"{last.name}_output", "Output", {})
            importer.graph.insert_edge(Edge(node_id, out, 0))
    auto_layout(importer.graph)
    return importer.graph, importer.weights


def compile_settings(path: str | Path) -> dict[str, Any]:
    """The Training tab's settings that a ``.keras`` file's compile configuration gives.

    Only what maps exactly: the optimizer (its learning rate, momentum and weight
    decay where they are numbers, not schedules), the loss and the metrics that
    NetLab knows; the rest is left to the defaults.
    """
    from netlab.project.config import TRAINING_PARAMS

    try:
        with zipfile.ZipFile(path) as archive:
            compiled = json.loads(archive.read("config.json")).get("compile_config") or {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}
    choices = {p.name: p for p in TRAINING_PARAMS}
    found: dict[str, Any] = {}
    optimizer = compiled.get("optimizer")
    if isinstance(optimizer, dict):
        name = str(optimizer.get("class_name", "")).lower()
        if name in choices["optimizer"].choices:
            found["optimizer"] = name
        config = optimizer.get("config") or {}
        for field in ("learning_rate", "momentum", "weight_decay"):
            value = config.get(field)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found[field] = float(value)
    elif isinstance(optimizer, str) and optimizer.lower() in choices["optimizer"].choices:
        found["optimizer"] = optimizer.lower()
    loss = compiled.get("loss")
    if isinstance(loss, dict):
        loss = loss.get("config", {}).get("name") or loss.get("class_name")
    if isinstance(loss, str) and loss in choices["loss"].choices:
        found["loss"] = loss
    metrics = compiled.get("metrics")
    if isinstance(metrics, list) and all(isinstance(m, str) for m in metrics) and metrics:
        found["metrics"] = tuple(metrics)
    for name, value in list(found.items()):
        try:
            found[name] = choices[name].check(value)
        except GraphError:
            del found[name]
    return found


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _load_failure(err: Exception) -> str:
    """Why Keras could not load a model file, in the user's terms."""
    text = str(err)
    if "Lambda" in text and "safe_mode" in text:
        return ("the model holds a Lambda layer (Python code), which NetLab never runs from "
                "a file; rebuild the model without Lambda layers")  # fmt: skip
    function = re.search(r"Could not locate function '([^']+)'", text)
    if function:
        return (f"the model calls the Python function {function.group(1)!r} (a Lambda layer, "
                "or a custom activation or loss), which NetLab never runs from a file; "
                "rebuild the model without it")  # fmt: skip
    unknown = re.search(r"Could not locate class '([^']+)'", text)
    if unknown:
        return (f"the model uses {unknown.group(1)!r}, a class Keras does not know here: a "
                "subclassed model (save a functional or Sequential model instead) or a custom "
                "layer whose package is not installed")  # fmt: skip
    return f"cannot load the model: {first_line(err)}"


def import_keras_file(path: str | Path) -> tuple[Graph, dict[str, list[Any]]]:
    """Loads a ``.keras`` or ``.h5`` model (Keras safe mode on) and imports it.

    Raises:
        ModelImportError: One line naming the file and what is wrong.
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise ModelImportError(f"{path}: no such file")
    with path.open("rb") as file:
        head = file.read(8)
    if path.suffix == ".keras" and not zipfile.is_zipfile(path):
        raise ModelImportError(f"{path}: not a Keras model file (a .keras file is a zip "
                               "archive; this one is not)")  # fmt: skip
    if path.suffix == ".h5" and head != _HDF5_SIGNATURE:
        raise ModelImportError(f"{path}: not an HDF5 model file (no HDF5 signature)")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, OSError, KeyError, AttributeError) as err:
        raise ModelImportError(f"{path}: {_load_failure(err)}") from None
    try:
        return graph_from_keras(model)
    except ModelImportError as err:
        raise ModelImportError(f"{path}: {err}") from None


def apply_weights(model: Any, weights: dict[str, list[Any]]) -> None:
    """Loads imported weights into a model built from the imported graph."""
    for name, values in weights.items():
        if values:
            load_layer_weights(model.get_layer(name), values)
