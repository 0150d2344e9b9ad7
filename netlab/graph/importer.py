"""``keras.Model`` or ``.keras`` file -> editable graph, with its weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netlab import catalog
from netlab.errors import GraphError, ModelImportError, first_line
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge, Graph, Node

_INITIALIZERS = {"Ones": "ones", "Zeros": "zeros"}

# Keras built-ins that a catalog entry computes exactly (same weights, same
# arithmetic), with the settings they must have for that to hold.
_KERAS_EQUIVALENTS: dict[str, tuple[str, dict[str, list[Any]]]] = {
    "Conv2D": ("Conv2D", {"dilation_rate": [(1, 1)], "groups": [1],
                          "data_format": ["channels_last"]}),
    "LayerNormalization": ("LayerNorm", {"center": [True], "scale": [True],
                                         "rms_scaling": [False], "axis": [-1, (-1,)]}),
    "MultiHeadAttention": ("MultiHeadAttention", {"output_shape": [None],
                                                  "attention_axes": [None, (1,)]}),
}  # fmt: skip


def _equivalent(registered: str, layer: Any) -> catalog.LayerSpec | None:
    if registered not in _KERAS_EQUIVALENTS:
        return None
    key, required = _KERAS_EQUIVALENTS[registered]
    config = layer.get_config()
    for name, allowed in required.items():
        found = config.get(name, allowed[0])
        found = tuple(found) if isinstance(found, list) else found
        if found not in allowed:
            raise ModelImportError(f"layer {layer.name!r}: {registered} with {name}={found!r} "
                                   f"has no NetLab equivalent (needs {allowed[0]!r})")  # fmt: skip
    return catalog.get(key)


def _value(param: catalog.Param, config: dict[str, Any]) -> Any:
    value = config[param.name]
    if param.name == "gamma_initializer" and isinstance(value, dict):
        name = str(value.get("class_name"))
        return _INITIALIZERS.get(name, name)
    if param.name == "strides" and param.kind == "optional_int" and value is not None:
        pool = tuple(config.get("pool_size", ()))
        if tuple(value) == pool:
            return None
        return value[0] if len(set(value)) == 1 else value
    return value


def _params(spec: catalog.LayerSpec, layer: Any) -> dict[str, Any]:
    config = layer.get_config()
    values = {p.name: _value(p, config) for p in spec.params if p.name in config}
    try:
        return spec.check_params(values)
    except GraphError as err:
        raise ModelImportError(f"layer {layer.name!r}: {err}") from None


def _history(tensor: Any) -> str:
    return tensor["config"]["keras_history"][0]


def _sources(args: Any) -> list[str]:
    """Names of the layers whose outputs a serialized call received, in order."""
    found: list[str] = []
    for arg in args if isinstance(args, (list, tuple)) else [args]:
        if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
            found.append(_history(arg))
        elif isinstance(arg, (list, tuple)):
            found += _sources(arg)
    return found


def _layer_inputs(model: Any) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    import keras

    if isinstance(model, keras.Sequential):
        names = [layer.name for layer in model.layers]
        first = model.inputs[0]._keras_history[0].name  # the implicit InputLayer
        chain = {name: [prev] for prev, name in zip([first, *names], names, strict=False)}
        return chain, {}
    wiring: dict[str, list[str]] = {}
    kwargs: dict[str, dict[str, Any]] = {}
    for item in model.get_config()["layers"]:
        nodes = item.get("inbound_nodes", [])
        if len(nodes) > 1:
            raise ModelImportError(f"layer {item['name']!r} is used {len(nodes)} times; shared "
                                   "layers are not supported")  # fmt: skip
        call = nodes[0] if nodes else {}
        kwargs[item["name"]] = call.get("kwargs", {})
        tensor_kwargs = [k for k, v in kwargs[item["name"]].items() if _sources(v)]
        if tensor_kwargs and item.get("class_name") == "MultiHeadAttention":
            raise ModelImportError(f"layer {item['name']!r}: attention masks passed as "
                                   f"{', '.join(tensor_kwargs)} are not supported")  # fmt: skip
        wiring[item["name"]] = _sources(call.get("args", [])) + _sources(
            list(kwargs[item["name"]].values())
        )
    return wiring, kwargs


def graph_from_keras(model: Any) -> tuple[Graph, dict[str, list[Any]]]:
    """Turns a functional or sequential Keras model into a graph.

    Returns:
        The graph (laid out automatically) and each layer's weights by node
        name, for :func:`netlab.graph.builder.build_model` models to load.

    Raises:
        ModelImportError: For a layer type NetLab does not know (named), a
            shared layer, or parameters NetLab cannot represent.
    """
    import keras

    wiring, call_kwargs = _layer_inputs(model)
    graph = Graph()
    weights: dict[str, list[Any]] = {}
    layers = {layer.name: layer for layer in model.layers}
    input_names = [t._keras_history[0].name for t in model.inputs]
    for tensor in model.inputs:  # a Sequential model's Input is not in its layers
        layers.setdefault(tensor._keras_history[0].name, tensor._keras_history[0])
    for name in [*input_names, *(n for n in layers if n not in input_names)]:
        layer = layers[name]
        node_id = graph.new_id()
        if isinstance(layer, keras.layers.InputLayer):
            shape = tuple(layer.batch_shape[1:])
            dtype = "int32" if "int" in str(layer.dtype) else "float32"
            graph.insert_node(Node(node_id, name, "Input", {"shape": shape, "dtype": dtype}))
            continue
        registered = keras.saving.get_registered_name(type(layer))
        spec = catalog.spec_for_keras_class(registered) or _equivalent(registered, layer)
        if spec is None:
            raise ModelImportError(f"layer {name!r} is a {type(layer).__name__}, which NetLab has "
                                   "no layer type for")  # fmt: skip
        params = _params(spec, layer)
        if registered == "MultiHeadAttention" and call_kwargs.get(name, {}).get("use_causal_mask"):
            params["causal"] = True
        graph.insert_node(Node(node_id, name, spec.key, params))
        weights[name] = layer.get_weights()
    for name, sources in wiring.items():
        for port, src in enumerate(sources):
            graph.insert_edge(Edge(graph.node_by_name(src).id, graph.node_by_name(name).id, port))
    for tensor in model.outputs:
        last = graph.node_by_name(tensor._keras_history[0].name)
        out_id = graph.new_id()
        graph.insert_node(Node(out_id, graph.unique_name(f"{last.name}_output"), "Output", {}))
        graph.insert_edge(Edge(last.id, out_id, 0))
    auto_layout(graph)
    return graph, weights


def import_keras_file(path: str | Path) -> tuple[Graph, dict[str, list[Any]]]:
    """Loads a ``.keras`` or ``.h5`` model (Keras safe mode on) and imports it.

    Raises:
        ModelImportError: One line naming the file and what is wrong.
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise ModelImportError(f"{path}: no such file")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, OSError, KeyError) as err:
        raise ModelImportError(f"{path}: cannot load the model: {first_line(err)}") from None
    try:
        return graph_from_keras(model)
    except ModelImportError as err:
        raise ModelImportError(f"{path}: {err}") from None


def apply_weights(model: Any, weights: dict[str, list[Any]]) -> None:
    """Loads imported weights into a model built from the imported graph."""
    for name, values in weights.items():
        if values:
            model.get_layer(name).set_weights(values)
