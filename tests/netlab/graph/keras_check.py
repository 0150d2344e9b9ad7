"""Compares NetLab's pure-Python shapes, weights and counts with what Keras builds."""

import numpy as np

from netlab.graph.analysis import analyse, used_nodes
from netlab.graph.builder import build_model


def _count(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def assert_matches_keras(graph):
    """Builds ``graph`` and checks every node's shape and parameter counts."""
    analysis = analyse(graph)
    assert analysis.valid, [p.describe(graph) for p in analysis.errors]
    model = build_model(graph)
    used = used_nodes(graph)
    for node_id, shape in analysis.shapes.items():
        node = graph.nodes[node_id]
        if node.key in ("Input", "Output") or node_id not in used:
            continue
        layer = model.get_layer(node.name)
        assert tuple(layer.output.shape[1:]) == tuple(shape), node.name
        trainable, frozen = analysis.counts[node_id]
        assert _count(layer.trainable_weights) == trainable, node.name
        assert _count(layer.non_trainable_weights) == frozen, node.name
        # The catalog's weights, array by array in Keras's order: a saved layer's weights
        # are checked against these, so they must be exactly what Keras holds.
        expected = [(w.shape, w.trainable) for w in analysis.weights[node_id]]
        assert [(tuple(w.shape), w.trainable) for w in layer.weights] == expected, node.name
    in_model = [c for node_id, c in analysis.counts.items() if node_id in used]
    assert _count(model.trainable_weights) == sum(c[0] for c in in_model)
    return model, analysis
