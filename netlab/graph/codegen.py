"""Graph -> a standalone Python script that rebuilds the same Keras model."""

from __future__ import annotations

import keyword
import re
from typing import Any

from netlab import __version__, catalog
from netlab.graph.analysis import analyse, used_nodes
from netlab.graph.builder import InvalidGraphError
from netlab.graph.model import Graph


def _variable(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name)
    base = base if base.isidentifier() and not base[0].isdigit() else f"x_{base}"
    base = f"{base}_" if keyword.iskeyword(base) else base
    var, i = base, 2
    while var in taken:
        var, i = f"{base}_{i}", i + 1
    taken.add(var)
    return var


def _constructor(spec: catalog.LayerSpec, params: dict[str, Any], name: str,
                 trainable: bool = True) -> str:  # fmt: skip
    if not getattr(spec.make_layer, "keyword_call", False):
        # A maker of its own (the generic Keras node, Bidirectional, PReLU): its
        # parameters are not the class's keywords, so the script holds the layer in
        # Keras's serialised form, which Keras rebuilds exactly.
        import keras

        assert spec.make_layer is not None
        layer = spec.make_layer(params, name)
        layer.trainable = trainable
        config = keras.saving.serialize_keras_object(layer)
        return f"keras.saving.deserialize_keras_object({config!r})"
    module, _, cls = (spec.keras_class or "").rpartition(">")
    prefix = "layers" if module == "netlab" else "keras.layers"
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    frozen = "" if trainable else ", trainable=False"
    return f"{prefix}.{cls}({args}{', ' if args else ''}name={name!r}{frozen})"


def to_python(graph: Graph, model_name: str = "netlab_model") -> str:
    """A script defining ``build_model()`` with the Keras functional API.

    Layer names, order and parameters are the graph's, so the script's model
    has the same architecture and parameter count.

    Raises:
        InvalidGraphError: If the graph has errors.
    """
    analysis = analyse(graph)
    if not analysis.valid:
        raise InvalidGraphError(graph, analysis)
    used = used_nodes(graph)
    taken: set[str] = {"keras", "layers", "build_model", "model"}
    var: dict[str, str] = {}
    body: list[str] = []
    for node_id in (i for i in analysis.order if i in used):
        node, params = graph.nodes[node_id], analysis.params[node_id]
        sources = [var[e.src] for e in graph.inputs_of(node_id)]
        if node.key == "Output":
            var[node_id] = sources[0]
            continue
        var[node_id] = _variable(node.name, taken)
        if node.key == "Input":
            call = (f"keras.Input(shape={tuple(params['shape'])!r}, dtype={params['dtype']!r}, "
                    f"name={node.name!r})")  # fmt: skip
        else:
            spec = catalog.get(node.key)
            arguments = {"list": f"[{', '.join(sources)}]", "args": ", ".join(sources)}
            argument = arguments.get(spec.call_style, sources[0])
            call = f"{_constructor(spec, params, node.name, node.trainable)}({argument})"
        body.append(f"    {var[node_id]} = {call}")
    inputs = [var[n.id] for n in graph.nodes.values() if n.key == "Input" and n.id in used]
    outputs = [var[n.id] for n in graph.nodes.values() if n.key == "Output"]

    def group(items: list[str]) -> str:
        return items[0] if len(items) == 1 else f"[{', '.join(items)}]"

    return "\n".join([
        f'"""Keras model exported by NetLab {__version__}: run it to print the summary."""',
        "",
        "import keras",
        "",
        "from netlab import layers",
        "",
        "",
        "def build_model() -> keras.Model:",
        *body,
        f"    return keras.Model({group(inputs)}, {group(outputs)}, name={model_name!r})",
        "",
        "",
        'if __name__ == "__main__":',
        "    build_model().summary()",
        "",
    ])  # fmt: skip
