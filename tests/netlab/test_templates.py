"""Every template builds, matches Keras's shapes and counts, and trains a step."""

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.graph.analysis import analyse
from tests.netlab.graph.keras_check import assert_matches_keras

# Trainable parameters, from the papers / reference implementations or by hand.
REFERENCE = {
    "mlp": 64 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10,
    "cnn": (9 * 16 + 16) + (9 * 16 * 32 + 32) + (2 * 2 * 32 * 64 + 64) + (64 * 10 + 10),
    "resnet34": 21_797_672,  # He et al. 2015 / torchvision resnet34
    "resnet34-expanded": 21_797_672,
    "vit-b16": 86_567_656,  # Dosovitskiy et al. 2020 / timm vit_base_patch16_224
    "densenet121": 7_978_856,  # keras.applications.DenseNet121 (8,062,504 with BN statistics)
}


def _batch(model, size=2):
    rng = np.random.default_rng(0)
    inp = model.inputs[0]
    shape = (size, *inp.shape[1:])
    if "int" in str(inp.dtype):
        return rng.integers(0, 8, shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


@pytest.mark.heavy
@pytest.mark.parametrize("name", [n for n in templates.TEMPLATES if n != "empty"])
def test_template_builds_matches_keras_and_trains(name):
    graph = templates.from_template(name)
    model, analysis = assert_matches_keras(graph)
    if name in REFERENCE:
        assert analysis.totals()[0] == REFERENCE[name]
    big = name in ("resnet34", "resnet34-expanded", "vit-b16", "densenet121")
    x = _batch(model, 1 if big else 4)
    classes = model.outputs[0].shape[-1]
    y = np.eye(classes, dtype="float32")[np.arange(len(x)) % classes]
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    # The first layer's weights move, except where the lesson is that they cannot: in
    # the plain sigmoid stack its gradient is ~1e-10 and vanishes in float32.
    moving = -1 if name == "deep-plain" else 0
    before = keras.ops.convert_to_numpy(model.trainable_weights[moving])
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert not np.array_equal(before, keras.ops.convert_to_numpy(model.trainable_weights[moving]))


def test_resnet34_follows_the_paper():
    graph = templates.resnet34()
    shapes = analyse(graph).shapes
    by_name = {n.name: shapes[n.id] for n in graph.nodes.values()}
    assert by_name["stem_conv"] == (112, 112, 64)
    assert by_name["stem_pool"] == (56, 56, 64)
    assert by_name["stage2_block3"] == (56, 56, 64)
    assert by_name["stage3_block1"] == (28, 28, 128)
    assert by_name["stage4_block6"] == (14, 14, 256)
    assert by_name["stage5_block3"] == (7, 7, 512)
    blocks = [n for n in graph.nodes.values() if n.key == "ResidualBlock"]
    assert len(blocks) == 3 + 4 + 6 + 3
    expanded = templates.resnet34(expanded=True)
    assert sum(n.key == "Add" for n in expanded.nodes.values()) == 16
    assert not any(n.key == "ResidualBlock" for n in expanded.nodes.values())


def test_transformer_positions_option():
    learned = templates.transformer(positions="learned")
    assert any(n.key == "LearnedPositionEmbedding" for n in learned.nodes.values())
    with pytest.raises(templates.GraphError, match="positions must be"):
        templates.transformer(positions="rotary")


def test_unknown_template():
    with pytest.raises(templates.GraphError, match="no template named 'lenet'"):
        templates.from_template("lenet")


def test_the_empty_network_is_an_input_connected_to_an_output():
    graph = templates.from_template("empty")
    assert [n.key for n in graph.nodes.values()] == ["Input", "Output"]
    assert len(graph.edges) == 1
    assert analyse(graph).valid
