"""FLOPs per node, counted as multiply-adds the way the papers count them."""

import math

import pytest

from netlab import catalog
from netlab.catalog.flops import format_flops
from netlab.graph.analysis import analyse
from netlab.templates import from_template, resnet34, transformer, vit
from tests.netlab.graph.test_analysis import _chain


def _flops(*nodes):
    graph = _chain(*nodes)
    analysis = analyse(graph)
    assert set(analysis.shapes) == set(graph.nodes), analysis.errors
    return [analysis.flops[node_id] for node_id in analysis.order]


def _conv(size, k, c_in, c_out, stride=1, padding=None):
    """Multiply-adds of a k x k convolution by hand: output places times kernel size."""
    padding = k // 2 if padding is None else padding
    out = (size + 2 * padding - k) // stride + 1
    return out * out * k * k * c_in * c_out, out


def test_resnet34_at_224_gives_the_papers_3_6_billion():
    # He et al. 2015, Table 1: "3.6 x 10^9" FLOPs (multiply-adds) for 34 layers.
    total = analyse(resnet34()).total_flops()
    size, by_hand = 56, _conv(224, 7, 3, 64, 2)[0]
    channels = 64
    for filters, blocks in ((64, 3), (128, 4), (256, 6), (512, 3)):
        for block in range(blocks):
            stride = 2 if block == 0 and filters > 64 else 1
            first, size_out = _conv(size, 3, channels, filters, stride)
            by_hand += first + _conv(size_out, 3, filters, filters)[0]
            if stride == 2:  # the 1x1 projection shortcut
                by_hand += _conv(size, 1, channels, filters, 2, 0)[0]
            size, channels = size_out, filters
    by_hand += 512 * 1000
    assert total == by_hand
    assert total == pytest.approx(3.6e9, rel=0.03)
    assert analyse(from_template("resnet34-expanded")).total_flops() == total


def test_vit_b16_at_224_gives_17_6_gflops():
    # Dosovitskiy et al. 2020, ViT-B/16: 17.6 GFLOPs; projections and both attention products.
    total = analyse(vit()).total_flops()
    tokens, width, mlp = 197, 768, 3072
    block = tokens * (4 * width * width + 2 * width * mlp) + 2 * tokens * tokens * width
    by_hand = 196 * 16 * 16 * 3 * width + 12 * block + width * 1000
    assert total == by_hand
    assert total == pytest.approx(17.6e9, rel=0.03)


def test_layers_count_their_products_by_hand():
    dense, conv, pool, depthwise = _flops(
        ("Input", {"shape": (16, 16, 3)}),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 2, "padding": 1}),
        ("MaxPool2D", {"pool_size": 2}),
        ("DepthwiseConv2D", {"kernel_size": 3, "padding": "same", "depth_multiplier": 2}),
    )
    assert dense == 0  # the Input
    assert conv == 8 * 8 * 3 * 3 * 3 * 8
    assert pool == 0  # elementwise work is not counted, as in the papers
    assert depthwise == 4 * 4 * 3 * 3 * 8 * 2
    _, separable, transposed, _ = _flops(
        ("Input", {"shape": (8, 8, 4)}),
        ("SeparableConv2D", {"filters": 6, "kernel_size": 3, "padding": "same"}),
        ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}),
        ("Flatten", {}),
    )
    assert separable == 8 * 8 * (3 * 3 * 4 + 4 * 6)
    assert transposed == 8 * 8 * 3 * 3 * 6 * 2  # each input value stamps the kernel once
    _, on_tokens, lstm, sequence_dense = _flops(
        ("Input", {"shape": (5, 4)}),
        ("Dense", {"units": 3}),
        ("LSTM", {"units": 2, "return_sequences": True}),
        ("Dense", {"units": 7}),
    )
    assert on_tokens == 5 * 4 * 3
    assert lstm == 5 * (3 * 8 + 2 * 8)  # four gates: input and recurrent kernels per step
    assert sequence_dense == 5 * 2 * 7


def test_attention_counts_projections_and_both_products():
    graph = _chain(("Input", {"shape": (10, 16)}),
                   ("MultiHeadAttention", {"num_heads": 2}))  # fmt: skip
    analysis = analyse(graph)
    mha = analysis.flops[analysis.order[-1]]
    assert mha == 4 * 10 * 16 * 16 + 2 * 10 * 10 * (8 + 8)
    block = transformer(length=12, width=8, heads=2, blocks=1)
    analysis = analyse(block)
    node = block.node_by_name("block1").id
    ff = 2 * 12 * 8 * 16  # ff_dim 2 * width
    assert analysis.flops[node] == 4 * 12 * 8 * 8 + 12 * 12 * 8 * 2 + ff


def test_unknown_lengths_give_no_count():
    # A sequence of any length (as imported models have): the count depends on it.
    spec = catalog.get("Dense")
    params = spec.check_params({"units": 3})
    weights = spec.weights(params, [(None, 4)], (None, 3))
    assert spec.multiply_adds(params, [(None, 4)], (None, 3), weights) is None
    assert spec.multiply_adds(params, [(6, 4)], (6, 3), weights) == 6 * 4 * 3
    graph = transformer()
    analysis = analyse(graph)
    analysis.flops[graph.node_by_name("block1").id] = None
    assert analysis.total_flops() is None


def test_format():
    assert [format_flops(n) for n in (None, 0, 912, 91_776, 3_663_761_408)] == [
        "?", "0", "912", "91.8 k", "3.66 G"]  # fmt: skip
    assert format_flops(17_563_828_224, "FLOPs") == "17.6 GFLOPs"
    assert format_flops(12, "FLOPs") == "12 FLOPs"
    assert math.isclose(float(format_flops(2 * 10**12).split()[0]), 2)
