"""Keras model -> graph (with weights), graph -> Python script, composites expanded."""

import runpy
from dataclasses import replace

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.errors import ModelImportError
from netlab.graph.analysis import analyse
from netlab.graph.builder import build_model
from netlab.graph.codegen import to_python
from netlab.graph.composites import expand_node
from netlab.graph.importer import apply_weights, graph_from_keras, import_keras_file
from tests.netlab.graph.test_catalog import INPUTS, single_layer_graph

SMALL = ["mlp", "cnn", "resnet34-small", "transformer", "vit-tiny"]


def _data(model):
    shape = (3, *model.inputs[0].shape[1:])
    if "int" in str(model.inputs[0].dtype):
        return np.random.default_rng(0).integers(0, 8, shape).astype("int32")
    return np.random.default_rng(0).standard_normal(shape).astype("float32")


@pytest.mark.heavy
@pytest.mark.parametrize("name", SMALL)
def test_keras_file_imports_as_the_same_graph_with_weights(tmp_path, name):
    graph = templates.from_template(name)
    model = build_model(graph)
    model.save(tmp_path / "m.keras")
    imported, weights = import_keras_file(tmp_path / "m.keras")
    original = {n.name: (n.key, analyse(graph).params[n.id]) for n in graph.nodes.values()
                if n.key != "Output"}  # fmt: skip
    again = analyse(imported)
    assert again.valid
    assert {n.name: (n.key, again.params[n.id]) for n in imported.nodes.values()
            if n.key != "Output"} == original  # fmt: skip
    rebuilt = build_model(imported)
    apply_weights(rebuilt, weights)
    x = _data(model)
    np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_sequential_model_imports():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2)])  # fmt: skip
    graph, _ = graph_from_keras(model)
    assert [n.key for n in graph.nodes.values()] == ["Input", "Dense", "Dense", "Output"]
    assert analyse(graph).totals() == (6 * 4 + 4 + 4 * 2 + 2, 0)


def test_layer_without_an_entry_imports_as_a_generic_keras_node(tmp_path):
    inputs = keras.Input((6, 2))
    up = keras.layers.Conv1DTranspose(3, 3, strides=2, name="up")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(up))
    graph, weights = graph_from_keras(model)
    node = graph.node_by_name("up")
    assert node.key == "KerasLayer"
    assert node.params["layer"]["class_name"] == "Conv1DTranspose"
    assert node.params["layer"]["config"]["strides"] == [2]
    analysis = analyse(graph)
    assert analysis.shapes[node.id] == (13, 3)
    assert analysis.totals() == (model.count_params(), 0)
    rebuilt = build_model(graph)
    apply_weights(rebuilt, weights)
    x = _data(model)
    np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unreadable_model_files_are_one_line(tmp_path):
    (tmp_path / "bad.keras").write_bytes(b"not a zip")
    with pytest.raises(ModelImportError, match=r"bad.keras: not a Keras model file"):
        import_keras_file(tmp_path / "bad.keras")
    with pytest.raises(ModelImportError, match="no such file"):
        import_keras_file(tmp_path / "missing.keras")


@pytest.mark.parametrize("name", [*SMALL, "resnet34"])
def test_python_export_rebuilds_the_same_architecture(tmp_path, name):
    graph = templates.from_template(name)
    script = tmp_path / "model.py"
    script.write_text(to_python(graph))
    exported = runpy.run_path(str(script))["build_model"]()
    model = build_model(graph)
    assert [layer.name for layer in exported.layers] == [layer.name for layer in model.layers]
    assert exported.count_params() == model.count_params()
    assert [tuple(t.shape) for t in exported.outputs] == [tuple(t.shape) for t in model.outputs]


@pytest.mark.parametrize("norm_first", [False, True])
def test_expanding_a_transformer_block_keeps_shapes_and_counts(norm_first):
    graph = templates.transformer()
    block = graph.node_by_name("block1")
    block.params["norm_first"] = norm_first
    before = analyse(graph)
    command = expand_node(graph, block.id)
    command.do(graph)
    after = analyse(graph)
    assert after.valid
    assert after.totals() == before.totals()
    assert "block1_attention" in {n.name for n in graph.nodes.values()}
    command.undo(graph)
    assert analyse(graph).totals() == before.totals()


def test_expanding_residual_blocks_matches_the_expanded_template():
    graph = templates.resnet34()
    for node in [n for n in graph.nodes.values() if n.key == "ResidualBlock"]:
        expand_node(graph, node.id).do(graph)
    analysis = analyse(graph)
    assert analysis.valid
    expanded = templates.resnet34(expanded=True)
    assert analysis.totals() == analyse(expanded).totals()
    assert sorted(n.key for n in graph.nodes.values()) == sorted(
        n.key for n in expanded.nodes.values()
    )


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_every_catalog_layer_round_trips_through_keras(key):
    graph = single_layer_graph(key, _NON_DEFAULT.get(key))
    model = build_model(graph)
    imported, weights = graph_from_keras(model)
    layer = imported.node_by_name("layer")
    assert layer.key == key
    if key == "KerasLayer":  # kept in Keras's own full form, which rebuilds the same layer
        from netlab.catalog.keras_layer import make_layer

        again = make_layer(layer.params, "layer").get_config()
        assert again == model.get_layer("layer").get_config()
    else:
        assert analyse(imported).params[layer.id] == analyse(graph).params["layer"]
    rebuilt = build_model(imported)
    apply_weights(rebuilt, weights)
    assert rebuilt.count_params() == model.count_params()


# Values other than the defaults, so the import must really read them.
_NON_DEFAULT = {
    "Conv2D": {"filters": 5, "kernel_size": (3, 1), "strides": 2, "padding": (1, 0),
               "activation": "tanh", "use_bias": False},
    "MaxPool2D": {"pool_size": 3, "strides": 2, "padding": "same"},
    "AvgPool2D": {"pool_size": (2, 1)},
    "BatchNorm": {"momentum": 0.9, "epsilon": 1e-5, "gamma_initializer": "zeros"},
    "MultiHeadAttention": {"num_heads": 2, "key_dim": 3, "value_dim": 5, "causal": True},
    "TransformerBlock": {"num_heads": 2, "key_dim": None, "ff_dim": 12, "norm_first": True,
                         "activation": "gelu"},
    "Concatenate": {"axis": 2},
    "Reshape": {"target_shape": (2, -1)},
    "Dense": {"units": 7, "activation": "sigmoid", "use_bias": False},
    # Keras gives a layer without a seed one of its own, which the import then keeps.
    **{key: {"seed": 7} for key in ("RandomContrast", "RandomCrop", "RandomFlip",
                                    "RandomRotation", "RandomTranslation", "RandomZoom")},
    "Bidirectional": {"cell": "GRU", "units": 3, "merge_mode": "ave", "reset_after": False},
    "KerasLayer": {"layer": {"module": "keras.layers", "class_name": "Conv1DTranspose",
                             "config": {"filters": 4, "kernel_size": 3, "strides": 2},
                             "registered_name": None}},
}  # fmt: skip


def test_legacy_h5_file_imports(tmp_path):
    model = build_model(templates.cnn())
    model.save(tmp_path / "cnn.h5")
    graph, weights = import_keras_file(tmp_path / "cnn.h5")
    rebuilt = build_model(graph)
    apply_weights(rebuilt, weights)
    x = _data(model)
    np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras_build_error_is_reported_on_its_node(monkeypatch):
    from netlab import catalog
    from netlab.errors import BuildError

    graph = templates.cnn()
    spec = catalog.get("Dense")

    def refuse(params, name):
        raise ValueError(f"Keras says no to {name}\nsecond line")

    monkeypatch.setitem(catalog.CATALOG, "Dense", replace(spec, make_layer=refuse))
    with pytest.raises(BuildError, match=r"^hidden: Keras says no to hidden$") as info:
        build_model(graph)
    assert info.value.node_id == graph.node_by_name("hidden").id


def test_two_inputs_and_two_outputs():
    from netlab.graph.commands import AddNode, Compound, Connect

    graph = templates.mlp()
    steps = [
        AddNode("Input", name="extra", params={"shape": (5,)}, node_id="x1"),
        AddNode("Concatenate", name="joined", node_id="x2"),
        AddNode("Dense", name="second_head", params={"units": 3}, node_id="x3"),
        AddNode("Output", name="second_prediction", node_id="x4"),
        Connect(graph.node_by_name("hidden2").id, "x2"),
        Connect("x1", "x2"),
        Connect("x2", "x3"),
        Connect("x3", "x4"),
    ]
    Compound(steps).do(graph)
    model = build_model(graph)
    assert [t.name for t in model.inputs] == ["digits", "extra"]
    assert [tuple(t.shape) for t in model.outputs] == [(None, 10), (None, 3)]
    imported, _ = graph_from_keras(model)
    assert sum(n.key == "Output" for n in imported.nodes.values()) == 2
    assert analyse(imported).totals() == analyse(graph).totals()


def test_plain_keras_layers_with_netlab_equivalents_import_exactly():
    inputs = keras.Input((10, 10, 3))
    x = keras.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.Conv2D(4, (3, 1), padding="valid", use_bias=False, name="conv_b")(x)
    x = keras.layers.Reshape((-1, 4), name="tokens")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-5, name="norm")(x)
    x = keras.layers.MultiHeadAttention(2, 3, name="attention")(x, x, use_causal_mask=True)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(x))
    graph, weights = graph_from_keras(model)
    keys = {n.name: n.key for n in graph.nodes.values()}
    assert (keys["conv"], keys["norm"], keys["attention"]) == (
        "Conv2D", "LayerNorm", "MultiHeadAttention")  # fmt: skip
    assert graph.node_by_name("attention").params["causal"] is True
    rebuilt = build_model(graph)
    apply_weights(rebuilt, weights)
    x_data = _data(model)
    np.testing.assert_allclose(rebuilt.predict(x_data, verbose=0), model.predict(x_data, verbose=0),
                               atol=1e-5)  # fmt: skip


def test_plain_keras_layer_with_settings_netlab_lacks_keeps_them_as_a_generic_node():
    inputs = keras.Input((10, 10, 3))
    conv = keras.layers.Conv2D(2, 3, kernel_regularizer="l2", name="regularised")(inputs)
    graph, _ = graph_from_keras(keras.Model(inputs, conv))
    node = graph.node_by_name("regularised")
    assert node.key == "KerasLayer"
    assert node.params["layer"]["config"]["kernel_regularizer"]["class_name"] == "L2"
    assert analyse(graph).shapes[node.id] == (8, 8, 2)
