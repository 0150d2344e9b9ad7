"""Kernels typed by hand, as the lecture writes them, and the lecture's example."""

import numpy as np
import pytest

from netlab import templates
from netlab.errors import InspectError
from netlab.graph.commands import SetWeights
from netlab.inspect.kernels import (
    LECTURE_KERNEL,
    format_kernel,
    lecture_image,
    parse_kernel,
    with_kernel,
)


def test_rows_parse_in_the_ways_people_type_them():
    for text in ("1 2 1\n0 0 0\n-1 -2 -1", "1,2,1; 0,0,0; −1,−2,−1", " 1 2 1 / 0 0 0 / -1 -2 -1 "):
        assert np.array_equal(parse_kernel(text, (3, 3)), LECTURE_KERNEL)
    assert np.array_equal(parse_kernel(format_kernel(LECTURE_KERNEL), (3, 3)), LECTURE_KERNEL)


@pytest.mark.parametrize(("text", "message"), [
    ("1 2\n3 4", r"^conv: the kernel is 3x3: type 3 rows of 3 numbers \(got rows of 2x2\)$"),
    ("1 2 x\n0 0 0\n1 1 1", r"^conv: row 1 of the kernel: '1 2 x' is not numbers$"),
    ("1 2 nan\n0 0 0\n1 1 1", r"^conv: row 1 of the kernel holds a value that is not finite$"),
    ("", r"got rows of nothing"),
])  # fmt: skip
def test_a_wrong_kernel_says_what_and_where(text, message):
    with pytest.raises(InspectError, match=message):
        parse_kernel(text, (3, 3), "conv")


def test_one_slice_and_its_bias_are_replaced_and_nothing_else():
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(3, 3, 2, 4)).astype("float32"), np.zeros(4, "float32")
    new = with_kernel([kernel, bias], LECTURE_KERNEL, 1, 2, 0.5)
    assert np.array_equal(new[0][:, :, 1, 2], LECTURE_KERNEL)
    changed = np.zeros(kernel.shape, bool)
    changed[:, :, 1, 2] = True
    assert np.array_equal(new[0][~changed], kernel[~changed])
    assert new[1].tolist() == [0, 0, 0.5, 0]
    assert np.array_equal(bias, np.zeros(4))  # the inputs are not changed
    with pytest.raises(InspectError, match="outside the kernel's 2 input and 4 output"):
        with_kernel([kernel, bias], LECTURE_KERNEL, 2, 0)
    with pytest.raises(InspectError, match="no bias"):
        with_kernel([kernel], LECTURE_KERNEL, 0, 0, 1.0)
    with pytest.raises(InspectError, match="only a 2-D convolution"):
        with_kernel([np.zeros((3, 4))], LECTURE_KERNEL, 0, 0)


def test_the_lecture_image_is_a_square_on_a_dark_ground():
    image = lecture_image()
    assert image.shape == (8, 8)
    assert image.sum() == 16
    assert image[2:6, 2:6].all()


def test_typed_weights_are_one_undoable_edit():
    graph = templates.cnn()
    conv = next(n for n in graph.nodes.values() if n.name == "conv1")
    arrays = [np.ones((3, 3, 1, 16), "float32"), np.zeros(16, "float32")]
    command = SetWeights(conv.id, arrays)
    command.apply(graph)
    assert np.array_equal(graph.nodes[conv.id].weights[0], arrays[0])
    command.revert(graph)
    assert graph.nodes[conv.id].weights is None
