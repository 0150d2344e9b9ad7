"""Receptive fields by hand, on the templates, and against Keras's own gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlab.graph.analysis import analyse
from netlab.graph.builder import build_model
from netlab.graph.model import Edge, Graph, Node
from netlab.inspect.arithmetic import windows
from netlab.inspect.receptive import (
    AxisField,
    ReceptiveField,
    receptive_field_problems,
    receptive_fields,
)
from netlab.templates import cnn, resnet34, vit


def _graph(shape, *layers):
    """Input (``image``) -> layers -> Output; a layer is ``(name, key, params[, inputs])``.

    Without ``inputs`` a layer takes the one before it.
    """
    graph = Graph()
    graph.insert_node(Node("image", "image", "Input", {"shape": shape, "dtype": "float32"}))
    last = "image"
    for name, key, params, *inputs in [*layers, ("prediction", "Output", {})]:
        graph.insert_node(Node(name, name, key, params))
        for port, src in enumerate(inputs[0] if inputs else [last]):
            graph.insert_edge(Edge(src, name, port))
        last = name
    return graph


def _fields(graph):
    analysis = analyse(graph)
    assert analysis.valid, [p.describe(graph) for p in analysis.errors]
    return receptive_fields(graph, analysis), receptive_field_problems(graph, analysis)


def _conv(name, kernel=3, strides=1, padding=1, **params):
    return (name, "Conv2D", {"filters": 2, "kernel_size": kernel, "strides": strides,
                             "padding": padding, **params})  # fmt: skip


def test_the_input_sees_itself():
    fields, problems = _fields(_graph((5, 7, 1)))
    assert fields["image"] == ReceptiveField("image", AxisField(1, 0, 0), AxisField(1, 0, 0))
    assert fields["image"].region(4, 6, 5, 7) == ((4, 5), (6, 7))
    assert problems == {}


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_a_stack_of_3x3_stride_1_convolutions_sees_2n_plus_1(depth):
    fields, _ = _fields(_graph((16, 16, 1), *(_conv(f"c{i}") for i in range(depth))))
    field = fields[f"c{depth - 1}"]
    assert field.size == (2 * depth + 1, 2 * depth + 1)
    assert field.rows == AxisField(1, -depth, depth)
    assert not field.whole
    assert field.region(0, 15, 16, 16) == ((0, depth + 1), (15 - depth, 16))  # clipped


def test_3x3_stride_2_convolutions():
    fields, _ = _fields(_graph((32, 32, 1), *(_conv(f"c{i}", strides=2) for i in range(3))))
    assert [fields[f"c{i}"].rows for i in range(3)] == [
        AxisField(2, -1, 1), AxisField(4, -3, 3), AxisField(8, -7, 7)]  # fmt: skip


@pytest.mark.parametrize("pool_padding", ["same", "valid"])
def test_a_7x7_stride_2_stem_and_a_3x3_stride_2_max_pool_see_11(pool_padding):
    graph = _graph((64, 64, 3), _conv("stem", kernel=7, strides=2, padding=3),
                   ("pool", "MaxPool2D", {"pool_size": 3, "strides": 2,
                                          "padding": pool_padding}))  # fmt: skip
    fields, _ = _fields(graph)
    assert fields["stem"].rows == AxisField(2, -3, 3)
    assert fields["pool"].rows == AxisField(4, -3, 7)  # "same" on 32: no zeros before
    assert fields["pool"].size == (11, 11)


def test_resnet34_sees_899_pixels_at_its_last_spatial_layer():
    graph = resnet34()
    fields, problems = _fields(graph)
    assert problems == {}
    last = graph.node_by_name("stage5_block3").id
    assert fields[last].size == (899, 899)
    assert fields[last].rows.jump == 32
    pooled = fields[graph.node_by_name("avg_pool").id]
    assert pooled.whole
    assert pooled.region(0, 0, 224, 224) == ((0, 224), (0, 224))


def test_keras_same_with_stride_2_pads_only_after():
    fields, _ = _fields(_graph((8, 8, 1), _conv("c", strides=2, padding="same")))
    assert fields["c"].rows == AxisField(2, 0, 2)
    assert fields["c"].region(3, 0, 8, 8) == ((6, 8), (0, 3))


def test_dilation_grows_the_field_and_holes_are_refused():
    graph = _graph((32, 32, 1), _conv("d1"), _conv("d2", padding=2, dilation_rate=2),
                   _conv("d4", padding=4, dilation_rate=4))  # fmt: skip
    fields, _ = _fields(graph)
    assert [fields[n].size[0] for n in ("d1", "d2", "d4")] == [3, 7, 15]
    fields, problems = _fields(_graph((8, 8, 1), _conv("d", padding=2, dilation_rate=2),
                                      _conv("after")))  # fmt: skip
    assert "d" not in fields  # it sees rows 0, 2 and 4: no rectangle
    assert "after" not in fields
    assert "holes" in problems["d"]
    assert "after d" in problems["after"]


def test_padding_and_cropping_shift_the_field():
    graph = _graph((8, 8, 1), ("pad", "ZeroPadding2D", {"padding": ((1, 0), (2, 2))}),
                   _conv("conv", padding=0), ("crop", "Cropping2D", {"cropping": 1}),
                   _conv("valid", padding=0))  # fmt: skip
    fields, _ = _fields(graph)
    assert fields["pad"].rows == AxisField(1, -1, -1, first=1)  # row 0 is the new zeros
    assert fields["pad"].cols == AxisField(1, -2, -2, first=2, last=9)
    assert fields["pad"].region(0, 2, 8, 8) == ((0, 0), (0, 1))  # sees nothing
    assert fields["conv"].rows == AxisField(1, -1, 1)
    assert fields["crop"].rows == AxisField(1, 0, 2)
    assert fields["valid"].rows == AxisField(1, 0, 4)


def test_zero_padding_after_a_convolution_then_pooling_as_keras_resnets_do():
    graph = _graph((8, 8, 1), _conv("conv", kernel=7, strides=2, padding=3),
                   ("pad", "ZeroPadding2D", {"padding": 1}),
                   ("pool", "MaxPool2D", {"pool_size": 3, "strides": 2}))  # fmt: skip
    fields, problems = _fields(graph)
    assert problems == {}
    assert fields["pad"].rows == AxisField(2, -5, 1, first=1, last=4)
    assert fields["pad"].region(0, 1, 8, 8) == ((0, 0), (0, 4))  # conv position 0
    assert fields["pool"].rows == AxisField(4, -5, 5)
    assert fields["pool"].region(0, 1, 8, 8) == ((0, 6), (0, 8))


def test_padding_next_to_a_cropped_edge_is_refused():
    # Output row 0 reads rows -1 (zeros), 0 and 1 of the cropped image: pixels 1 to 2, not 0.
    graph = _graph((8, 8, 1), ("crop", "Cropping2D", {"cropping": 1}), _conv("conv"))
    fields, problems = _fields(graph)
    assert "crop" in fields
    assert "conv" not in fields
    assert "padding" in problems["conv"]


def test_merges_join_fields_and_refuse_different_jumps():
    graph = _graph((8, 8, 1), _conv("a"), (*_conv("b", kernel=1, padding=0), ["image"]),
                   ("add", "Add", {}, ["a", "b"]),
                   ("cat", "Concatenate", {}, ["add", "image"]))  # fmt: skip
    fields, _ = _fields(graph)
    assert fields["add"].rows == AxisField(1, -1, 1)
    assert fields["cat"].rows == AxisField(1, -1, 1)
    graph = _graph((8, 8, 1), _conv("fine", kernel=5, padding=0),
                   (*_conv("coarse", strides=2), ["image"]),
                   ("add", "Add", {}, ["fine", "coarse"]), ("relu", "ReLU", {}))  # fmt: skip
    fields, problems = _fields(graph)
    assert "add" not in fields
    assert "relu" not in fields
    assert "step 1 and 2 pixels" in problems["add"]


def test_layers_that_move_pixels_by_other_rules_end_the_fields():
    graph = _graph((8, 8, 1), _conv("conv"), ("up", "UpSampling2D", {"size": 2}),
                   _conv("after"))  # fmt: skip
    fields, problems = _fields(graph)
    assert "conv" in fields
    assert "up" not in fields
    assert "after" not in fields
    assert set(problems) == {"up", "after", "prediction"}


def test_generic_keras_layers_are_followed_only_when_they_pass_values_through():
    dropout = {"module": "keras.layers", "class_name": "Dropout",
               "config": {"rate": 0.2, "noise_shape": [None, 1, 1, 1]}, "registered_name": None}
    resize = {"module": "keras.layers", "class_name": "Resizing",
              "config": {"height": 4, "width": 4}, "registered_name": None}
    graph = _graph((8, 8, 1), _conv("conv"), ("drop", "KerasLayer", {"layer": dropout}),
                   ("resize", "KerasLayer", {"layer": resize}))  # fmt: skip
    fields, problems = _fields(graph)
    assert fields["drop"] == ReceptiveField("drop", AxisField(1, -1, 1), AxisField(1, -1, 1))
    assert "resize" not in fields
    assert "Resizing" in problems["resize"]


def test_flatten_has_no_positions_and_dense_after_it_sees_everything():
    graph = cnn()
    fields, problems = _fields(graph)
    flatten, hidden = graph.node_by_name("flatten").id, graph.node_by_name("hidden").id
    assert flatten not in fields
    assert "no rows and columns" in problems[flatten]
    assert fields[hidden].whole
    assert fields[hidden].region(3, 3, 8, 8) == ((0, 8), (0, 8))
    pool2 = fields[graph.node_by_name("pool2").id]
    assert pool2.rows == AxisField(4, -3, 6)


def test_vit_tokens_see_their_patch_then_attention_sees_all():
    graph = vit(image=32, patch=8, width=16, blocks=1, heads=2, mlp_dim=16, classes=3)
    fields, _ = _fields(graph)
    patches = fields[graph.node_by_name("patches").id]
    assert patches.rows == AxisField(8, 0, 7)
    assert patches.region(1, 3, 32, 32) == ((8, 16), (24, 32))
    block = fields[graph.node_by_name("block1").id]
    assert block.whole
    assert block.size == (32, 32)


def test_two_image_inputs_meeting_are_refused():
    graph = _graph((8, 8, 1), _conv("a"))
    graph.insert_node(Node("other", "other", "Input", {"shape": (8, 8, 1)}))
    graph.insert_node(Node("add", "add", "Add"))
    graph.insert_edge(Edge("a", "add", 0))
    graph.insert_edge(Edge("other", "add", 1))
    analysis = analyse(graph)
    fields = receptive_fields(graph, analysis)
    assert "a" in fields
    assert "other" in fields
    assert "several inputs" in receptive_field_problems(graph, analysis)["add"]


# --- Against Keras: the pixels with a nonzero gradient are exactly the field --------------


REFERENCE = (
    (20, 20, 2),
    ("pad", "ZeroPadding2D", {"padding": ((1, 0), (0, 1))}),
    _conv("stem", strides=2, padding=0),
    _conv("same", strides=2, padding="same"),
    ("zeros", "ZeroPadding2D", {"padding": ((1, 2), (0, 1))}),
    ("sub", "AvgPool2D", {"pool_size": 3, "strides": 1}),
    ("block", "ResidualBlock", {"filters": 2, "strides": 2, "zero_init": False}),
    ("depthwise", "DepthwiseConv2D", {"kernel_size": 3, "padding": "same"}),
    _conv("dilated", padding=2, dilation_rate=2),
    ("skip", "Add", {}, ["dilated", "block"]),
    ("pool", "AvgPool2D", {"pool_size": 2, "strides": 1, "padding": "same"}),
    ("cropped", "Cropping2D", {"cropping": ((1, 0), (0, 0))}),
    ("squeeze", "GlobalAvgPool2D", {"keepdims": True}),  # squeeze and excitation ...
    _conv("excite", kernel=1, padding=0),
    ("scaled", "Multiply", {}, ["cropped", "excite"]),  # ... sees everything from here on
    ("zeros_after", "ZeroPadding2D", {"padding": ((1, 0), (0, 1))}),
    ("after", "DepthwiseConv2D", {"kernel_size": 2}),
    ("whole", "GlobalAvgPool2D", {}),
)


def _positive(model):
    """All weights positive (and plain batch statistics), so no gradient is ever zero."""
    rng = np.random.default_rng(0)
    for variable in model.weights:
        path = variable.path
        value = np.zeros if "moving_mean" in path else np.ones if "moving_variance" in path \
            else (lambda shape: rng.uniform(0.1, 1.0, shape))  # fmt: skip
        variable.assign(np.asarray(value(tuple(variable.shape)), "float32"))


def _gradient_mask(model, image, row, col):
    import tensorflow as tf

    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        value = tf.reduce_sum(out[0, row, col] if len(out.shape) == 4 else out[0])
    return np.abs(tape.gradient(value, x).numpy()[0]).sum(axis=-1) > 0


def _mask(field, row, col, shape):
    (r0, r1), (c0, c1) = field.region(row, col, shape[0], shape[1])
    mask = np.zeros(shape[:2], bool)
    mask[r0:r1, c0:c1] = True
    return mask


def test_fields_are_the_pixels_with_a_gradient_in_keras():
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the reference gradients use TensorFlow's GradientTape")
    shape, *layers = REFERENCE
    graph = _graph(shape, *layers)
    fields, problems = _fields(graph)
    assert problems == {}
    model = build_model(graph)
    _positive(model)
    image = np.random.default_rng(1).uniform(0.5, 1.5, shape).astype("float32")
    assert fields["scaled"].whole
    assert fields["zeros_after"].rows.first == 1
    for name in [layer[0] for layer in layers]:
        sub = keras.Model(model.inputs, model.get_layer(name).output)
        size = sub.output.shape[1:3] if len(sub.output.shape) == 4 else (1, 1)
        last_row, last_col = size[0] - 1, size[1] - 1
        for row, col in {(0, 0), (last_row, last_col), (last_row // 2, 0), (0, last_col)}:
            expected = _mask(fields[name], row, col, shape)
            np.testing.assert_array_equal(_gradient_mask(sub, image, row, col), expected,
                                          err_msg=f"{name} at ({row}, {col})")  # fmt: skip


# --- Against sets of pixels: every field given is exact, on random stacks ------------------


def _layer(index, kind, kernel, stride, dilation, padding):
    name = f"l{index}"
    if kind == "conv":
        return _conv(name, kernel, stride, padding, dilation_rate=dilation)
    if kind == "pool":
        mode = "same" if padding == "same" else "valid"
        return (name, "MaxPool2D", {"pool_size": kernel, "strides": stride, "padding": mode})
    key, param = ("ZeroPadding2D", "padding") if kind == "pad" else ("Cropping2D", "cropping")
    return (name, key, {param: ((kernel - 1, stride - 1), (kernel - 1, stride - 1))})


def _seen_sets(graph, analysis, names, size):
    """Per layer, the set of image rows each output row reads, by brute force."""
    sets = [{row} for row in range(size)]
    found, shape = {}, analysis.shapes["image"]
    for name in names:
        node = graph.node_by_name(name)
        params = analysis.params[node.id]
        if node.key in ("ZeroPadding2D", "Cropping2D"):
            before, after = params["padding" if node.key == "ZeroPadding2D" else "cropping"][0]
            sets = [set()] * before + sets + [set()] * after if node.key == "ZeroPadding2D" \
                else sets[before: len(sets) - after]  # fmt: skip
        else:
            a = windows(node.key, params, shape)[0]
            sets = [set().union(*(sets[q] for q in range(i * a.stride - a.pad_before,
                                                         i * a.stride - a.pad_before + a.span,
                                                         a.dilation) if 0 <= q < a.size_in))
                    for i in range(a.size_out)]  # fmt: skip
        found[name], shape = sets, analysis.shapes[node.id]
    return found


@settings(max_examples=120, deadline=None)
@given(size=st.integers(6, 20), layers=st.lists(st.tuples(
    st.sampled_from(["conv", "conv", "pool", "pad", "crop"]), st.integers(1, 4),
    st.integers(1, 3), st.integers(1, 3), st.sampled_from([0, 1, 2, 3, "same", "valid"])),
    min_size=1, max_size=5))  # fmt: skip
def test_every_field_given_is_exactly_the_pixels_read(size, layers):
    graph = _graph((size, size, 1), *(_layer(i, *spec) for i, spec in enumerate(layers)))
    analysis = analyse(graph)
    names = [f"l{i}" for i in range(len(layers))]
    if not all(name in analysis.shapes for name in names):
        return  # a layer that does not fit: nothing to compare
    fields = receptive_fields(graph, analysis)
    for name, sets in _seen_sets(graph, analysis, names, size).items():
        if name not in fields:
            break  # refused: so is everything after it
        for row, seen in enumerate(sets):
            start, stop = fields[name].region(row, 0, size, size)[0]
            assert seen == set(range(start, stop)), (name, row)
