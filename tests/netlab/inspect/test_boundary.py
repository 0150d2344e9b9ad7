"""The decision grid against model.predict on the same standardised points."""

import keras
import numpy as np
import pytest

from netlab.data import Dataset, load_dataset
from netlab.data.transform import InputTransform
from netlab.errors import InspectError
from netlab.graph.builder import build_model
from netlab.graph.model import Edge, Graph, Node
from netlab.inspect.boundary import (
    decision_grid,
    grid_points,
    hidden_dense_layers,
    input_transform,
    is_planar,
)
from netlab.project import default_training_config
from netlab.training.setup import prepare_arrays


@pytest.fixture(scope="module")
def spirals():
    return load_dataset("spirals", n=200)


def _graph_mlp(*layers):
    """Input (2,) -> the (key, params) layers -> Output, as the editor builds it."""
    graph = Graph()
    nodes = [("Input", "points", {"shape": (2,), "dtype": "float32"}), *layers,
             ("Output", "prediction", {})]  # fmt: skip
    for i, (key, name, params) in enumerate(nodes):
        graph.insert_node(Node(f"n{i}", name, key, params))
        if i:
            graph.insert_edge(Edge(f"n{i - 1}", f"n{i}"))
    return build_model(graph)


def _dense(name, units, activation="linear"):
    return ("Dense", name, {"units": units, "activation": activation})


def test_is_planar():
    assert is_planar(load_dataset("moons", n=20))
    assert not is_planar(load_dataset("digits"))
    x = np.zeros((4, 2), "float32")
    assert not is_planar(Dataset("r", x, np.zeros((4, 1), "float32"), task="regression"))
    assert not is_planar(Dataset("t", x.astype("int32"), np.array([0, 1, 0, 1]), kind="tokens"))
    assert not is_planar(Dataset("3d", np.zeros((4, 3), "float32"), np.array([0, 1, 0, 1])))


def test_grid_points_layout_and_range():
    x = np.array([[0.0, 10.0], [2.0, 30.0], [1.0, 20.0]])
    xs, ys, points = grid_points(x, resolution=5, margin=0.5)
    np.testing.assert_allclose(xs, np.linspace(-1.0, 3.0, 5))
    np.testing.assert_allclose(ys, np.linspace(0.0, 40.0, 5))
    assert points.shape == (25, 2)
    for i in range(5):
        for j in range(5):
            np.testing.assert_array_equal(points[i * 5 + j], [xs[j], ys[i]])
    same_x = grid_points([[1.0, 0.0], [1.0, 1.0]], resolution=3, margin=0.1)[0]
    np.testing.assert_allclose(same_x, [0.9, 1.0, 1.1], atol=1e-6)
    with pytest.raises(InspectError, match=r"shape \(n, 2\)"):
        grid_points(np.zeros((3, 3)))
    with pytest.raises(InspectError, match="resolution must be >= 2"):
        grid_points(x, resolution=1)


def test_input_transform_is_the_training_standardisation(spirals):
    config = {**default_training_config(), "validation_split": 0.25, "seed": 3}
    arrays = prepare_arrays(spirals, config)
    transform = input_transform(spirals, config)
    train, _, val, _ = spirals.split(0.25, 3)
    np.testing.assert_allclose(transform(train), arrays["x_train"], atol=1e-6)
    np.testing.assert_allclose(transform(val), arrays["x_val"], atol=1e-6)
    plain = input_transform(spirals, {**config, "standardize": False})
    assert plain == InputTransform()
    np.testing.assert_array_equal(plain(spirals.x), spirals.x)


@pytest.mark.parametrize("activation", ["softmax", "linear"])
def test_grid_is_the_models_prediction(spirals, activation):
    model = _graph_mlp(_dense("h1", 6, "tanh"), _dense("h2", 5, "relu"),
                       _dense("classifier", 2, activation))  # fmt: skip
    transform = input_transform(spirals, default_training_config())
    grid = decision_grid(model, spirals.x, transform, spirals.class_names, resolution=20)
    xs, ys, points = grid_points(spirals.x, 20)
    np.testing.assert_array_equal(grid.xs, xs)
    np.testing.assert_array_equal(grid.ys, ys)
    want = model.predict(transform(points), verbose=0).astype("float64")
    if activation == "linear":  # logits: the grid holds their softmax
        want = np.exp(want - want.max(1, keepdims=True))
        want /= want.sum(1, keepdims=True)
    assert grid.probabilities.dtype == np.float32
    assert grid.probabilities.shape == (20, 20, 2)
    np.testing.assert_allclose(grid.probabilities.reshape(-1, 2), want, atol=1e-5)
    np.testing.assert_array_equal(grid.predicted, grid.probabilities.argmax(-1))
    assert grid.class_names == ["0", "1"]
    assert [name for name, _ in grid.hidden] == ["h1", "h2"]
    hidden = keras.Model(model.inputs, [model.get_layer(n).output for n in ("h1", "h2")])
    for (_, maps), want_h in zip(grid.hidden, hidden.predict(transform(points), verbose=0),
                                 strict=True):  # fmt: skip
        assert maps.shape == (want_h.shape[1], 20, 20)
        np.testing.assert_allclose(maps.reshape(len(maps), -1).T, want_h, atol=1e-5)
        np.testing.assert_allclose(maps[:, 3, 7], want_h[3 * 20 + 7], atol=1e-5)


def test_one_sigmoid_unit_and_an_activation_layer(spirals):
    model = _graph_mlp(_dense("h1", 4), ("Activation", "act", {"activation": "relu"}),
                       _dense("out", 1, "sigmoid"))  # fmt: skip
    grid = decision_grid(model, spirals.x, InputTransform(), ["a", "b"], resolution=8)
    points = grid_points(spirals.x, 8)[2]
    p = model.predict(points, verbose=0)[:, 0]
    np.testing.assert_allclose(grid.probabilities[..., 1].reshape(-1), p, atol=1e-6)
    np.testing.assert_allclose(grid.probabilities.sum(-1), 1.0, atol=1e-6)
    (name, maps), = grid.hidden  # fmt: skip
    assert name == "h1"  # its map is after the ReLU that follows it
    want = keras.Model(model.inputs, model.get_layer("act").output).predict(points, verbose=0)
    np.testing.assert_allclose(maps.reshape(4, -1).T, want, atol=1e-6)
    assert np.all(maps >= 0)


def test_big_hidden_layers_give_no_maps(spirals):
    model = _graph_mlp(_dense("wide", 6, "relu"), _dense("wider", 5, "relu"),
                       _dense("classifier", 2, "softmax"))  # fmt: skip
    assert [layer.name for layer in hidden_dense_layers(model)] == ["wide", "wider"]
    grid = decision_grid(model, spirals.x, InputTransform(), ["a", "b"], resolution=4,
                         max_hidden_units=10)  # fmt: skip
    assert grid.hidden == []
    grid = decision_grid(model, spirals.x, InputTransform(), ["a", "b"], resolution=4,
                         max_hidden_units=11)  # fmt: skip
    assert [maps.shape for _, maps in grid.hidden] == [(6, 4, 4), (5, 4, 4)]


def test_models_that_do_not_fit_are_refused(spirals):
    model = _graph_mlp(_dense("classifier", 3, "softmax"))
    with pytest.raises(InspectError, match="3 values per example but there are 2"):
        decision_grid(model, spirals.x, InputTransform(), ["a", "b"], resolution=4)
    inputs = keras.Input((3,))
    wide = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(InspectError, match=r"shape \(3,\), not 2-D points"):
        decision_grid(wide, spirals.x, InputTransform(), ["a", "b"])
