"""The output-size formula with a node's numbers, against the graph's own shape inference."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlab.graph.analysis import analyse
from netlab.graph.model import Edge, Graph, Node
from netlab.inspect.arithmetic import AxisArithmetic, shape_arithmetic, windows


def _graph(shape, key, **params):
    """Input -> one layer (node ``n2``) -> Output."""
    graph = Graph()
    graph.insert_node(Node("n1", "image", "Input", {"shape": shape, "dtype": "float32"}))
    graph.insert_node(Node("n2", "layer", key, params))
    graph.insert_node(Node("n3", "prediction", "Output"))
    graph.insert_edge(Edge("n1", "n2"))
    graph.insert_edge(Edge("n2", "n3"))
    return graph


def _arithmetic(shape, key, **params):
    graph = _graph(shape, key, **params)
    return shape_arithmetic(graph, analyse(graph), "n2")


def test_the_course_example_stride_two():
    found = _arithmetic((8, 8, 1), "Conv2D", kernel_size=3, padding=1, strides=2)
    assert found.node == "layer"
    assert found.key == "Conv2D"
    assert [a.formula() for a in found.axes] == [
        "H_out = ⌊(8 + 2·1 − 3)/2⌋ + 1 = 4",
        "W_out = ⌊(8 + 2·1 − 3)/2⌋ + 1 = 4",
    ]
    assert found.lines()[:2] == [a.formula() for a in found.axes]
    assert found.axes[0] == AxisArithmetic("H", 8, 3, 2, 1, 1, 1)
    assert found.suggestions == ("stride 1 with padding 1 keeps 8x8",)


def test_no_padding_stride_one():
    found = _arithmetic((8, 8, 1), "Conv2D", kernel_size=3, padding=0)
    assert found.axes[0].formula() == "H_out = ⌊(8 + 2·0 − 3)/1⌋ + 1 = 6"
    assert found.axes[0].size_out == 6
    assert found.suggestions == ("padding 1 keeps 8x8", "stride 2 gives 3x3")


def test_keras_same_pads_zero_before_and_one_after_with_stride_two_on_even_sizes():
    found = _arithmetic((8, 7, 1), "Conv2D", kernel_size=3, padding="same", strides=2)
    height, width = found.axes
    assert (height.pad_before, height.pad_after) == (0, 1)
    assert height.formula() == "H_out = ⌊(8 + 0 + 1 − 3)/2⌋ + 1 = 4"
    assert (width.pad_before, width.pad_after) == (1, 1)  # odd: symmetric
    assert width.size_out == 4
    pool = _arithmetic((112, 112, 64), "MaxPool2D", pool_size=3, strides=2, padding="same")
    assert pool.axes[0].formula() == "H_out = ⌊(112 + 0 + 1 − 3)/2⌋ + 1 = 56"
    depthwise = _arithmetic((8, 8, 2), "DepthwiseConv2D", kernel_size=3, strides=2,
                            padding="same")  # fmt: skip
    assert depthwise.axes[0].formula() == "H_out = ⌊(8 + 0 + 1 − 3)/2⌋ + 1 = 4"


def test_dilation_is_shown_as_the_effective_kernel():
    found = _arithmetic((8, 8, 1), "Conv2D", kernel_size=3, dilation_rate=2, padding=2)
    assert found.axes[0].formula() == "H_out = ⌊(8 + 2·2 − (2·(3−1)+1))/1⌋ + 1 = 8"
    assert found.axes[0].span == 5
    keras = _arithmetic((8, 8, 2), "SeparableConv2D", kernel_size=3, dilation_rate=2)
    assert keras.axes[1].formula() == "W_out = ⌊(8 + 2·0 − (2·(3−1)+1))/1⌋ + 1 = 4"
    assert 'padding "same" keeps 8x8' in keras.suggestions


def test_a_kernel_too_large_for_its_input():
    graph = _graph((2, 2, 1), "Conv2D", kernel_size=5)
    analysis = analyse(graph)
    assert "n2" not in analysis.shapes  # the analysis reports the problem ...
    found = shape_arithmetic(graph, analysis, "n2")  # ... and the arithmetic shows it
    assert not found.fits
    assert found.axes[0].formula() == "H_out = ⌊(2 + 2·0 − 5)/1⌋ + 1 = −2"
    assert found.suggestions == ("kernel 2 or less fits the 2x2 input",
                                 "padding 2 makes it fit (output 2x2)")  # fmt: skip
    pool = _arithmetic((3, 5, 1), "AvgPool2D", pool_size=4)
    assert pool.suggestions == ("pool (3, 5) or less fits the 3x5 input",
                                'padding "same" makes it fit (output 1x2)')  # fmt: skip
    dilated = _arithmetic((5, 5, 1), "Conv2D", kernel_size=3, dilation_rate=3)
    assert "dilation 2 or less fits the 5x5 input" in dilated.suggestions


def test_sequences():
    causal = _arithmetic((10, 4), "Conv1D", kernel_size=3, padding="causal", dilation_rate=2)
    (axis,) = causal.axes
    assert axis.axis == "L"
    assert (axis.pad_before, axis.pad_after) == (4, 0)
    assert axis.formula() == "L_out = ⌊(10 + 4 + 0 − (2·(3−1)+1))/1⌋ + 1 = 10"
    pool = _arithmetic((9, 4), "MaxPool1D", pool_size=2)
    assert pool.axes[0].formula() == "L_out = ⌊(9 + 2·0 − 2)/2⌋ + 1 = 4"
    assert pool.suggestions == ('padding "same" gives length 5',)


def test_patch_embedding():
    found = _arithmetic((32, 32, 3), "PatchEmbedding", patch_size=16)
    assert found.axes[0].formula() == "H_out = ⌊(32 + 2·0 − 16)/16⌋ + 1 = 2"
    assert found.suggestions == ("patch 8 gives 4x4 patches (16 tokens)",
                                 "patch 32 gives 1x1 patches (1 token)")  # fmt: skip
    odd = _arithmetic((30, 30, 3), "PatchEmbedding", patch_size=16)
    assert odd.suggestions[0].startswith("patch 16 does not divide the 30x30 image")
    assert odd.suggestions[1:] == ("patch 15 gives 2x2 patches (4 tokens)",
                                   "patch 30 gives 1x1 patches (1 token)")  # fmt: skip


def test_none_for_other_layers_and_unknown_inputs():
    assert _arithmetic((8, 8, 1), "BatchNorm") is None
    assert _arithmetic((8, 8, 1), "Conv2D", kernel_size=0) is None  # invalid parameter
    graph = _graph((8, 8, 1), "Conv2D")
    graph.delete_edge(Edge("n1", "n2"))
    assert shape_arithmetic(graph, analyse(graph), "n2") is None
    assert shape_arithmetic(graph, analyse(graph), "nope") is None
    flat = _graph((64,), "Conv2D")
    assert shape_arithmetic(flat, analyse(flat), "n2") is None  # not an image
    assert windows("Dense", {}, (8, 8, 1)) is None


# Every suggestion, read back as the parameters it names, and checked by the analysis.
VALUE = r'("same"|\(\d+, \d+\)|\d+)'
SIZE = r"(\d+x\d+|length \d+)"
FORMS = [
    (rf"^(?:stride 1 with )?padding {VALUE} keeps {SIZE}$", "padding", "equal"),
    (rf"^stride 2 gives {SIZE}$", "strides", "equal"),
    (rf"^padding {VALUE} gives {SIZE}$", "padding", "equal"),
    (rf"^padding {VALUE} makes it fit \(output {SIZE}\)$", "padding", "equal"),
    (rf"^(?:kernel|pool) {VALUE} or less fits the {SIZE} input$", "window", "fits"),
    (rf"^dilation {VALUE} or less fits the {SIZE} input$", "dilation_rate", "fits"),
]


def _value(text):
    if text == '"same"':
        return "same"
    numbers = tuple(int(n) for n in re.findall(r"\d+", text))
    return numbers[0] if len(numbers) == 1 else numbers


def _checked(shape, key, params, text):
    for pattern, name, claim in FORMS:
        match = re.match(pattern, text)
        if match is None:
            continue
        groups = match.groups()
        changed = dict(params)
        if name == "strides":
            changed["strides"] = 2
        else:
            name = {"window": "pool_size" if "Pool" in key else "kernel_size"}.get(name, name)
            changed[name] = _value(groups[0])
        if text.startswith("stride 1 with") or "keeps" in text:
            changed["strides"] = 1
        graph = _graph(shape, key, **changed)
        analysis = analyse(graph)
        assert "n2" in analysis.shapes, (text, changed, analysis.problems)
        if claim == "equal":
            expected = tuple(int(n) for n in re.findall(r"\d+", groups[-1]))
            assert analysis.shapes["n2"][:-1] == expected, (text, changed)
        return
    pytest.fail(f"a suggestion of unknown form: {text!r}")


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPool2D",
                         "AvgPool2D", "Conv1D", "AvgPool1D"]),
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.sampled_from([0, 1, 2, "valid", "same"]),
)  # fmt: skip
def test_size_out_is_the_analysis_and_every_suggestion_is_true(key, size, kernel, stride,
                                                               dilation, padding):  # fmt: skip
    sequence = key.endswith("1D")
    shape = (size[0], 2) if sequence else (*size, 2)
    params = {"pool_size" if "Pool" in key else "kernel_size": kernel, "strides": stride}
    if "Pool" not in key:
        params["dilation_rate"] = dilation
    if key == "Conv2D" or isinstance(padding, str):
        params["padding"] = padding
    found = _arithmetic(shape, key, **params)
    analysis = analyse(_graph(shape, key, **params))
    if "n2" in analysis.shapes:
        assert tuple(a.size_out for a in found.axes) == analysis.shapes["n2"][:-1]
    else:
        assert not found.fits
    for text in found.suggestions:
        _checked(shape, key, params, text)
