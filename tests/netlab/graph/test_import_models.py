"""Models of the kinds users bring, made with plain Keras, imported and checked.

Each is checked as a user would rely on it: every layer's shape is Keras's, the
parameter counts are ``count_params()``, the imported graph predicts what the
original predicts, and its ``.keras`` and ``.py`` exports give the model back.
"""

import runpy

import keras
import numpy as np
import pytest

from netlab.errors import ModelImportError
from netlab.graph.analysis import analyse
from netlab.graph.builder import build_model
from netlab.graph.codegen import to_python
from netlab.graph.composites import collapse_nodes, expand_node
from netlab.graph.importer import graph_from_keras
from netlab.project.file import load_project, save_project
from netlab.project.keras_io import import_model_as_project
from netlab.project.project import Project, build_with_weights

L = keras.layers
pytestmark = pytest.mark.heavy  # Keras builds, saves and loads many models


def _data(model, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for tensor in model.inputs:
        shape = (3, *tensor.shape[1:])
        if "int" in str(tensor.dtype):
            out.append(rng.integers(0, 20, shape).astype("int32"))
        else:
            out.append(rng.random(shape, dtype=np.float32))
    return out[0] if len(out) == 1 else out


def _outputs(model, x):
    """Every output of ``model`` for ``x``, flattened into one vector per example."""
    found = model.predict(x, verbose=0)
    found = found if isinstance(found, list) else [found]
    return np.concatenate([np.reshape(f, (len(f), -1)) for f in found], axis=1)


def expanded(graph):
    """A copy with every group (nested model) expanded, groups in groups too."""
    graph = graph.copy()
    while groups := [n.id for n in graph.nodes.values() if n.key == "Subnetwork"]:
        expand_node(graph, groups[0]).do(graph)
    return graph


def check_shapes(model, graph):
    """Every layer's shape is Keras's, the groups' inner layers (``group_layer``) too."""
    analysis = analyse(graph)
    assert analysis.valid, [p.describe(graph) for p in analysis.errors]
    by_name = {n.name: n.id for n in graph.nodes.values()}

    def walk(model, prefix):
        for layer in model.layers:
            if isinstance(layer, L.InputLayer):
                continue
            name = f"{prefix}{layer.name}"
            if isinstance(layer, keras.Model) and name not in by_name:
                expanded_here = f"{name}_{layer.layers[-1].name}" in by_name
                walk(layer, f"{name}_" if expanded_here else prefix)  # else: inlined
                continue
            assert analysis.shapes[by_name[name]] == tuple(layer.output.shape[1:]), name

    walk(model, "")
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert analysis.totals() == (trainable, model.count_params() - trainable)
    return analysis


def check_import(model, tmp_path):
    """Imports ``model`` and checks shapes, counts, predictions and both exports."""
    graph, weights = graph_from_keras(model)
    check_shapes(model, graph)
    check_shapes(model, expanded(graph))
    project = Project(graph, weights={k: v for k, v in weights.items() if v})
    rebuilt = build_with_weights(project)
    x = _data(model)
    expected = _outputs(model, x)
    np.testing.assert_allclose(_outputs(rebuilt, x), expected, atol=1e-5)
    rebuilt.save(tmp_path / "exported.keras")
    again = keras.saving.load_model(tmp_path / "exported.keras")
    np.testing.assert_allclose(_outputs(again, x), expected, atol=1e-5)
    (tmp_path / "exported.py").write_text(to_python(graph))
    scripted = runpy.run_path(str(tmp_path / "exported.py"))["build_model"]()
    assert scripted.count_params() == model.count_params()
    assert [layer.name for layer in scripted.layers] == [layer.name for layer in rebuilt.layers]
    return graph, project


def test_augmented_cnn_with_rescaling_in_front(tmp_path):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Rescaling(1 / 255, name="scale"),
        L.RandomFlip("horizontal", name="flip"),
        L.RandomRotation(0.1, name="rotate"),
        L.RandomZoom(0.1, name="zoom"),
        L.Conv2D(8, 3, activation="relu", name="c1"),
        L.MaxPooling2D(name="p1"),
        L.ZeroPadding2D(((1, 0), (0, 1)), name="pad"),
        L.SeparableConv2D(16, 3, padding="same", name="sep"),
        L.GlobalMaxPooling2D(name="pool"),
        L.Dense(10, activation="softmax", name="head"),
    ])  # fmt: skip
    graph, _ = check_import(model, tmp_path)
    keys = {n.name: n.key for n in graph.nodes.values()}
    expected = ["Rescaling", "RandomFlip", "RandomRotation", "ZeroPadding2D", "SeparableConv2D"]
    assert [keys[n] for n in ("scale", "flip", "rotate", "pad", "sep")] == expected


def test_conv1d_text_classifier(tmp_path):
    inputs = keras.Input((40,), dtype="int32", name="tokens")
    x = L.Embedding(20, 8, name="embed")(inputs)
    x = L.Conv1D(16, 5, padding="causal", dilation_rate=2, activation="relu", name="conv")(x)
    x = L.MaxPooling1D(2, name="pool")(x)
    x = L.SpatialDropout1D(0.2, name="drop")(x)
    x = L.GlobalMaxPooling1D(name="global")(x)
    check_import(keras.Model(inputs, L.Dense(3, name="head")(x)), tmp_path)


def test_recurrent_models(tmp_path):
    inputs = keras.Input((12, 4))
    x = L.LSTM(8, return_sequences=True, name="lstm")(inputs)
    x = L.Bidirectional(L.GRU(5, return_sequences=True), merge_mode="sum", name="bi")(x)
    x = L.SimpleRNN(6, name="rnn")(x)
    x = L.RepeatVector(3, name="repeat")(x)
    x = L.GRU(4, reset_after=False, name="gru")(x)
    graph, _ = check_import(keras.Model(inputs, L.Dense(2, name="head")(x)), tmp_path)
    assert graph.node_by_name("bi").params["cell"] == "GRU"


def test_nested_sequential_base_frozen_for_transfer_learning(tmp_path):
    base = keras.Sequential([
        keras.Input((16, 16, 3)),
        L.Conv2D(8, 3, name="conv"),
        L.BatchNormalization(name="bn"),
        L.ReLU(max_value=6.0, name="relu"),
        L.DepthwiseConv2D(3, strides=2, padding="same", name="dw"),
    ], name="base")  # fmt: skip
    base.trainable = False
    inputs = keras.Input((16, 16, 3), name="image")
    x = base(inputs)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, L.Dense(4, name="new_head")(x))
    graph, project = check_import(model, tmp_path)
    nodes = {n.name: n for n in graph.nodes.values()}
    assert nodes["base"].key == "Subnetwork"  # one node, which Expand opens
    assert not nodes["base"].trainable
    assert nodes["new_head"].trainable
    save_project(tmp_path / "transfer.netlab", project)
    loaded = load_project(tmp_path / "transfer.netlab")
    assert not loaded.graph.node_by_name("base").trainable
    assert analyse(loaded.graph).totals() == analyse(graph).totals()
    # Expanded: its layers, frozen, with their weights; collapsed: the group again.
    graph = loaded.graph
    expand_node(graph, graph.node_by_name("base").id).do(graph)
    inner = [n for n in graph.nodes.values() if n.name.startswith("base_")]
    assert sorted(n.name for n in inner) == ["base_bn", "base_conv", "base_dw", "base_relu"]
    assert not any(n.trainable for n in inner)
    x = _data(model)
    np.testing.assert_allclose(_outputs(build_with_weights(loaded), x), _outputs(model, x),
                               atol=1e-5)  # fmt: skip
    collapse_nodes(graph, [n.id for n in inner]).do(graph)
    group = graph.node_by_name("base")
    assert group.key == "Subnetwork"
    assert not group.trainable
    np.testing.assert_allclose(_outputs(build_with_weights(loaded), x), _outputs(model, x),
                               atol=1e-5)  # fmt: skip


def test_nested_models_inline_when_asked_or_when_they_have_several_inputs(tmp_path):
    a, b = keras.Input((4,)), keras.Input((4,))
    pair = keras.Model([a, b], L.Add(name="pair_sum")([a, b]), name="pair")
    inner = keras.Sequential([keras.Input((4,)), L.Dense(3, name="inner_dense")], name="inner")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, inner(pair([x, x])))
    graph, _ = graph_from_keras(model)
    keys = {n.name: n.key for n in graph.nodes.values()}
    assert keys["pair_sum"] == "Add"  # two inputs: inlined
    assert keys["inner"] == "Subnetwork"
    flat, _ = graph_from_keras(model, groups=False)
    assert "inner" not in {n.name for n in flat.nodes.values()}
    assert {n.name: n.key for n in flat.nodes.values()}["inner_dense"] == "Dense"
    check_import(model, tmp_path)


def test_squeeze_and_excitation_block_and_keras_ops(tmp_path):
    inputs = keras.Input((8, 8, 16))
    x = L.Conv2D(16, 3, padding="same", name="conv")(inputs)
    s = L.GlobalAveragePooling2D(keepdims=True, name="squeeze")(x)
    s = L.Conv2D(4, 1, activation="relu", name="reduce")(s)
    s = L.Conv2D(16, 1, activation="hard_sigmoid", name="expand")(s)
    x = L.Multiply(name="excite")([x, s])
    x = keras.ops.add(x, inputs)
    x = 2.0 - x * 0.5
    model = keras.Model(inputs, L.GroupNormalization(4, name="norm")(x / 4.0))
    graph, _ = check_import(model, tmp_path)
    assert sum(n.key == "Rescaling" for n in graph.nodes.values()) == 3


def test_multi_input_multi_output_merges(tmp_path):
    a = keras.Input((6,), name="a")
    b = keras.Input((6,), name="b")
    diff = L.Subtract(name="diff")([a, b])
    mean = L.Average(name="mean")([a, b, diff])
    high = L.Maximum(name="high")([a, b])
    low = L.Minimum(name="low")([a, b])
    joined = L.Concatenate(name="joined")([mean, high, low])
    out1 = L.Dense(2, activation="softmax", name="kind")(joined)
    out2 = L.UnitNormalization(name="direction")(L.Dense(3, name="vector")(joined))
    graph, _ = check_import(keras.Model([a, b], [out1, out2]), tmp_path)
    assert sum(n.key == "Output" for n in graph.nodes.values()) == 2


def test_layer_from_no_entry_and_a_custom_name_round_trips_through_a_project(tmp_path):
    inputs = keras.Input((6, 6, 2))
    x = L.ZeroPadding3D(1, name="pad3")(L.Reshape((6, 6, 2, 1))(inputs))
    x = L.Conv3D(2, 3, name="conv3")(x)
    x = L.Flatten(name="flat")(x)
    graph, project = check_import(keras.Model(inputs, L.Dense(2, name="head")(x)), tmp_path)
    assert graph.node_by_name("conv3").key == "KerasLayer"
    save_project(tmp_path / "generic.netlab", project)
    loaded = load_project(tmp_path / "generic.netlab")
    assert loaded.graph.node_by_name("conv3").params == graph.node_by_name("conv3").params
    np.testing.assert_array_equal(loaded.weights["conv3"][0], project.weights["conv3"][0])


def test_compile_settings_become_the_training_settings(tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.02, momentum=0.8), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    model.save(tmp_path / "compiled.keras")
    project = import_model_as_project(tmp_path / "compiled.keras")
    assert project.training["optimizer"] == "sgd"
    assert project.training["learning_rate"] == pytest.approx(0.02)
    assert project.training["momentum"] == pytest.approx(0.8)
    assert project.training["loss"] == "sparse_categorical_crossentropy"
    assert project.training["metrics"] == ("accuracy",)


def test_lambda_layer_is_refused_by_name():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, L.Lambda(lambda t: t * 2, name="double")(inputs))
    with pytest.raises(ModelImportError, match="'double' is a Lambda, which holds Python code"):
        graph_from_keras(model)


def test_generic_node_refuses_lambda_config_without_running_it():
    from netlab.catalog import keras_layer
    from netlab.errors import ShapeError

    config = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
              "config": {"function": {"class_name": "__lambda__", "config": {"code": "x"}}}}
    with pytest.raises(ShapeError, match="holds Python code, which NetLab never runs"):
        keras_layer.make_layer({"layer": config}, "l")


def test_layer_from_a_package_that_is_not_installed_is_named():
    from netlab.catalog import keras_layer
    from netlab.errors import ShapeError

    config = {"module": "keras_nonexistent_pkg.layers", "class_name": "Fancy",
              "registered_name": "keras_nonexistent_pkg>Fancy", "config": {}}
    with pytest.raises(ShapeError, match="'keras_nonexistent_pkg', which is not installed"):
        keras_layer.make_layer({"layer": config}, "l")


def test_shared_layer_is_refused_by_name():
    inputs = keras.Input((4,))
    shared = L.Dense(4, name="twice")
    model = keras.Model(inputs, shared(shared(inputs)))
    with pytest.raises(ModelImportError, match="'twice' is used 2 times; a shared layer"):
        graph_from_keras(model)


def test_subclassed_model_is_refused_with_the_hint():
    class Mine(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Mine()
    model(np.zeros((1, 3), "float32"))
    with pytest.raises(ModelImportError, match="subclassed Mine.*save a functional or Sequential"):
        graph_from_keras(model)


def test_freezing_a_node_is_honoured_in_building_and_undone():
    from netlab.graph.commands import SetTrainable
    from netlab.templates import from_template

    graph = from_template("mlp")
    hidden = graph.node_by_name("hidden1").id
    before = analyse(graph).totals()
    command = SetTrainable([hidden], False)
    command.do(graph)
    frozen = analyse(graph).totals()
    model = build_model(graph)
    assert not model.get_layer("hidden1").trainable
    assert frozen[0] < before[0]
    assert sum(frozen) == sum(before)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == frozen[0]
    command.undo(graph)
    assert analyse(graph).totals() == before


def test_generic_node_shapes_can_wait_for_a_worker(monkeypatch):
    from netlab.catalog import keras_layer
    from netlab.graph.model import Edge, Graph, Node

    monkeypatch.setattr(keras_layer, "compute_missing", False)
    graph = Graph()
    graph.insert_node(Node("in", "in", "Input", {"shape": (5, 3), "dtype": "float32"}))
    config = {"module": "keras.layers", "class_name": "Conv1DTranspose", "registered_name": None,
              "config": {"filters": 2, "kernel_size": 3, "strides": 3}}  # unseen: not cached
    graph.insert_node(Node("g", "g", "KerasLayer", {"layer": config}))
    graph.insert_node(Node("out", "out", "Output", {}))
    graph.insert_edge(Edge("in", "g", 0))
    graph.insert_edge(Edge("g", "out", 0))
    first = analyse(graph)
    assert [p.message for p in first.errors] == [keras_layer.PENDING_MESSAGE]
    assert keras_layer.pending() >= 1
    assert keras_layer.resolve_pending() >= 1
    assert analyse(graph).shapes["g"] == (15, 2)


def test_activation_layers_and_normalisation_with_adapted_statistics(tmp_path):
    data = np.random.default_rng(1).normal(3.0, 2.0, (50, 10, 3)).astype("float32")
    norm = L.Normalization(name="norm")
    norm.adapt(data)
    inputs = keras.Input((10, 3))
    x = L.Conv1D(4, 3, name="conv")(norm(inputs))
    x = L.PReLU(shared_axes=[1], name="prelu")(x)
    x = L.LeakyReLU(0.1, name="leaky")(x)
    x = L.ELU(name="elu")(x)
    x = L.Permute((2, 1), name="swap")(x)
    x = L.Softmax(axis=1, name="soft")(x)
    graph, project = check_import(keras.Model(inputs, L.LayerNormalization(name="ln")(x)),
                                  tmp_path)  # fmt: skip
    assert graph.node_by_name("norm").key == "Normalization"
    np.testing.assert_allclose(project.weights["norm"][0], data.mean(axis=(0, 1)), rtol=1e-4)


def test_frozen_layers_keep_their_weights_in_training():
    from netlab.data import load_dataset
    from netlab.graph.commands import SetTrainable
    from netlab.project import default_training_config
    from netlab.project.project import weights_of
    from netlab.templates import from_template
    from netlab.training import TrainingRun

    graph = from_template("cnn")
    start = weights_of(build_model(graph))
    SetTrainable([graph.node_by_name("conv1").id], False).do(graph)
    config = {**default_training_config(), "epochs": 1, "batch_size": 64}
    run = TrainingRun(graph, load_dataset("digits"), config, weights=start)
    assert run.run().status == "finished"
    after = weights_of(run.model)
    for before, now in zip(start["conv1"], after["conv1"], strict=True):
        np.testing.assert_array_equal(before, now)
    assert not np.allclose(start["classifier"][0], after["classifier"][0])


@keras.saving.register_keras_serializable(package="netlab_tests")
class Doubling(keras.layers.Layer):
    """A layer of "another package": registered, so Keras rebuilds it by name."""

    def call(self, x):
        return x * 2.0


def test_registered_layer_of_another_package_imports_as_a_generic_node(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, L.Dense(2, name="head")(Doubling(name="double")(inputs)))
    model.save(tmp_path / "custom.keras")
    project = import_model_as_project(tmp_path / "custom.keras")
    node = project.graph.node_by_name("double")
    assert node.key == "KerasLayer"
    assert node.params["layer"]["registered_name"] == "netlab_tests>Doubling"
    check_import(model, tmp_path)


def test_files_keras_cannot_load_say_why_in_one_line(tmp_path):
    (tmp_path / "noise.keras").write_bytes(bytes(range(256)))
    (tmp_path / "noise.h5").write_bytes(bytes(range(256)))

    class Mine(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    mine = Mine()
    mine(np.zeros((1, 3), "float32"))
    mine.save(tmp_path / "subclassed.keras")
    expected = {"noise.keras": "not a Keras model file", "noise.h5": "not an HDF5 model file",
                "subclassed.keras": "uses 'Mine', a class Keras does not know here: a "
                                    "subclassed model"}  # fmt: skip
    for name, message in expected.items():
        with pytest.raises(ModelImportError, match=message) as info:
            import_model_as_project(tmp_path / name)
        assert "\n" not in str(info.value)
