"""The networks the labs compare, each a function of a few numbers.

A lab names a builder here and its arguments (``("conv_stack", {"depth": 44})``),
so the lab itself stays data; the builders read like the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netlab.graph.model import Graph
from netlab.templates import _Chain, transformer, vit


def conv_stack(depth: int = 8, residual: bool = False, width: int = 16,
               zero_init: bool = True) -> Graph:  # fmt: skip
    """A CNN for the 8x8 digits with ``depth`` weight layers: a stem convolution, then
    ``(depth - 2) / 2`` pairs of 3x3 convolutions (each with batch norm and ReLU),
    then global pooling and the classifier.

    ``residual`` makes each pair a ResNet basic block (an identity shortcut around
    it); otherwise the same layers are stacked plainly.
    """
    if depth < 4 or depth % 2:
        raise ValueError(f"depth must be an even number >= 4 (got {depth})")
    c = _Chain()
    c.add("Input", "digits", shape=(8, 8, 1))
    c.add("Conv2D", "stem", filters=width, kernel_size=3, padding=1, use_bias=False)
    c.add("BatchNorm", "stem_bn")
    c.add("Activation", "stem_relu", activation="relu")
    for i in range((depth - 2) // 2):
        if residual:
            c.add("ResidualBlock", f"block{i + 1}", filters=width, zero_init=zero_init)
            continue
        for j in (1, 2):
            c.add("Conv2D", f"conv{i + 1}_{j}", filters=width, kernel_size=3, padding=1,
                  use_bias=False)  # fmt: skip
            c.add("BatchNorm", f"bn{i + 1}_{j}")
            c.add("Activation", f"relu{i + 1}_{j}", activation="relu")
    c.add("GlobalAvgPool2D", "pool")
    c.add("Dense", "classifier", units=10, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def strided_cnn(strides: int = 1, padding: int = 1) -> Graph:
    """Two 3x3 convolutions on the 8x8 digits, the first with ``strides`` and ``padding``."""
    c = _Chain()
    c.add("Input", "digits", shape=(8, 8, 1))
    c.add("Conv2D", "conv1", filters=16, kernel_size=3, strides=strides, padding=padding,
          activation="relu")  # fmt: skip
    c.add("Conv2D", "conv2", filters=32, kernel_size=3, padding=1, activation="relu")
    c.add("Flatten", "flatten")
    c.add("Dense", "classifier", units=10, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def sequence_classifier(positions: str = "sincos", length: int = 16, vocab: int = 16,
                        width: int = 32, max_length: int = 64) -> Graph:  # fmt: skip
    """The transformer template with one block: embedding, a positional encoding, a
    Transformer block, mean pooling, classifier.

    ``positions`` is ``"sincos"`` (no weights, any length) or ``"learned"`` (a table of
    ``max_length`` rows: rows past the training length are never trained).
    """
    return transformer(vocab, length, width, heads=4, blocks=1, classes=2, positions=positions,
                       max_length=max_length)


def normed_sequence(norm: str = "LayerNorm", length: int = 16, vocab: int = 16,
                    width: int = 32, layers: int = 3) -> Graph:  # fmt: skip
    """Token embeddings through ``layers`` dense layers, each followed by ``norm``
    (``"LayerNorm"`` or ``"BatchNorm"``) and ReLU, pooled over the sequence."""
    c = _Chain()
    c.add("Input", "tokens", shape=(length,), dtype="int32")
    c.add("Embedding", "embedding", input_dim=vocab, output_dim=width)
    c.add("SinusoidalPositionEmbedding", "positions")
    for i in range(layers):
        c.add("Dense", f"dense{i + 1}", units=width)
        c.add(norm, f"norm{i + 1}")
        c.add("Activation", f"relu{i + 1}", activation="relu")
    c.add("GlobalAvgPool1D", "pool")
    c.add("Dense", "classifier", units=2, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def attention_classifier(scaled: bool = True, length: int = 16, vocab: int = 16,
                         width: int = 64) -> Graph:  # fmt: skip
    """One head of attention, written out: layer norm, query / key / value projections of
    width ``width`` (= d_k), scaled dot-product attention (``scaled`` or not), pooling."""
    c = _Chain()
    c.add("Input", "tokens", shape=(length,), dtype="int32")
    c.add("Embedding", "embedding", input_dim=vocab, output_dim=width)
    c.add("SinusoidalPositionEmbedding", "positions")
    norm = c.add("LayerNorm", "norm")
    projections = [c.add("Dense", role, inputs=[norm], units=width)
                   for role in ("query", "key", "value")]  # fmt: skip
    c.add("ScaledDotProductAttention", "attention", inputs=projections, scaled=scaled)
    c.add("GlobalAvgPool1D", "pool")
    c.add("Dense", "classifier", units=2, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def digits_vit(patch: int = 2) -> Graph:
    """A tiny ViT for the 8x8 digits (as the vit-tiny template) with ``patch`` x ``patch``
    patches: (8 / patch)^2 tokens and a class token."""
    return vit(8, 1, patch, 32, 2, 4, 64, 10)


BUILDERS: dict[str, Callable[..., Graph]] = {
    "conv_stack": conv_stack, "strided_cnn": strided_cnn,
    "sequence_classifier": sequence_classifier, "normed_sequence": normed_sequence,
    "attention_classifier": attention_classifier, "digits_vit": digits_vit,
}  # fmt: skip


def build(builder: str, arguments: dict[str, Any]) -> Graph:
    """The graph ``BUILDERS[builder](**arguments)``."""
    return BUILDERS[builder](**arguments)
