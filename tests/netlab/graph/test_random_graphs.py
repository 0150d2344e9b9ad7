"""Random graphs with random parameters: validation reports problems, or the
graph builds in Keras with exactly the shapes and counts NetLab inferred.
Nothing else may happen (no other exception)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netlab import catalog
from netlab.graph.analysis import analyse
from netlab.graph.model import Edge, Graph, Node
from tests.netlab.graph.keras_check import assert_matches_keras

KEYS = sorted(set(catalog.CATALOG) - {"Input", "Output"})
SMALL = 9  # keeps the Keras models that build tiny
# Configurations of the generic Keras-layer node: plain, refused, unknown, wrong.
GENERIC_LAYERS = [
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": 3},
     "registered_name": None},
    {"module": "keras.layers", "class_name": "ZeroPadding1D", "config": {"padding": 1},
     "registered_name": None},
    {"module": "keras.layers", "class_name": "Conv1DTranspose",
     "config": {"filters": 2, "kernel_size": 2, "strides": 2}, "registered_name": None},
    {"module": "keras.layers", "class_name": "Lambda", "config": {"function": "x"},
     "registered_name": None},
    {"module": "keras.layers", "class_name": "NoSuchLayer", "config": {}, "registered_name": None},
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": "many"},
     "registered_name": None},
    {"class_name": "Dense"},
]


def param_value(param):
    """Mostly valid, small values; sometimes invalid ones."""
    lo = int(param.minimum) if param.minimum is not None else 0
    small_int = st.integers(lo, max(lo, min(SMALL, int(param.maximum or SMALL))))
    invalid = st.sampled_from([-1, 0, 10**13, "x", None, 2.5, [1, 2, 3]])
    valid = {
        "int": small_int,
        "optional_int": st.one_of(st.none(), small_int),
        "float": st.floats(param.minimum or 0.0, min(param.maximum or 1.0, 1.0), exclude_max=True),
        "bool": st.booleans(),
        "choice": st.sampled_from(param.choices),
        "shape": st.lists(st.integers(-1, 6), min_size=1, max_size=3),
        "int_pair": st.one_of(small_int, st.tuples(small_int, small_int)),
        "padding": st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 3)),
        "optional_float": st.one_of(st.none(), st.floats(0.0, 1.0)),
        "int_list": st.lists(st.integers(1, 3), max_size=2),
        "pads2d": st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                            st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                      st.tuples(st.integers(0, 2), st.integers(0, 2)))),
        "json": st.sampled_from(GENERIC_LAYERS),
    }[param.kind]
    if param.kind == "choice":
        return valid
    return st.one_of(*[valid] * 12, invalid)  # about one value in 13 is invalid


@st.composite
def graphs(draw):
    graph = Graph()
    rank = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(2, 10), min_size=rank, max_size=rank))
    dtype = draw(st.sampled_from(["float32", "int32"]))
    graph.insert_node(Node("in", "in", "Input", {"shape": shape, "dtype": dtype}))
    ids = ["in"]
    for i in range(draw(st.integers(1, 5))):
        key = draw(st.sampled_from(KEYS))
        spec = catalog.get(key)
        params = {p.name: draw(param_value(p)) for p in spec.params if draw(st.integers(0, 2)) == 0}
        node_id = f"n{i}"
        graph.insert_node(Node(node_id, f"layer{i}", key, params))
        most = spec.most_inputs if spec.most_inputs is not None else 3
        # Mostly the inputs the layer needs, from the previous node; sometimes anything.
        ports = draw(st.sampled_from([spec.fewest_inputs] * 6 + list(range(most + 1))))
        for port in range(ports):
            graph.insert_edge(Edge(draw(st.sampled_from([ids[-1]] * 4 + ids)), node_id, port))
        ids.append(node_id)
    graph.insert_node(Node("out", "out", "Output", {}))
    graph.insert_edge(Edge(ids[-1], "out", 0))
    return graph


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_validation_or_build_nothing_else(graph):
    analysis = analyse(graph)
    for problem in analysis.problems:
        assert problem.message
        assert problem.severity in ("error", "warning")
    if analysis.valid:
        assert_matches_keras(graph)


def test_found_by_the_random_graphs_gaussian_noise_larger_than_keras_allows_is_a_problem():
    # Keras refuses a stddev above 1 only when it builds the layer; the catalog says so first.
    graph = Graph()
    graph.insert_node(Node("in", "in", "Input", {"shape": (2,), "dtype": "float32"}))
    graph.insert_node(Node("n0", "noise", "GaussianNoise", {"stddev": 10**13}))
    graph.insert_node(Node("out", "out", "Output", {}))
    graph.insert_edge(Edge("in", "n0", 0))
    graph.insert_edge(Edge("n0", "out", 0))
    assert [p.field for p in analyse(graph).errors] == ["stddev"]
