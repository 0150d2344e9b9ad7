"""The output-size formula of a sliding window, with a node's own numbers.

For a convolution, a pooling or a patch embedding the course writes each
output side as ``⌊(n + p_before + p_after − (d·(K−1)+1))/s⌋ + 1``. This module
fills in that formula for one node of a graph and suggests, in words and with
numbers, what keeps, halves or repairs the size; every suggestion is checked
with the same formula before it is offered. Pure Python: it reads the graph's
analysis and never imports Keras.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from netlab.catalog import Shape
from netlab.graph.analysis import Analysis
from netlab.graph.model import Graph
from netlab.shapes import same_padding

_MINUS = "\u2212"


@dataclass(frozen=True)
class AxisArithmetic:
    """One axis of a sliding window: the numbers of the output-size formula.

    Attributes:
        axis: ``"H"`` or ``"W"`` for an image, ``"L"`` for a sequence.
        size_in: Input length along the axis.
        kernel: Kernel (pool, patch) length ``K``.
        stride: Step ``s`` between windows.
        pad_before: Zeros added before the first input position.
        pad_after: Zeros added after the last.
        dilation: Gap ``d`` between kernel taps (1: none).
    """

    axis: str
    size_in: int
    kernel: int
    stride: int
    pad_before: int
    pad_after: int
    dilation: int = 1

    @property
    def span(self) -> int:
        """Input positions one window covers: the effective kernel ``d·(K−1)+1``."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def size_out(self) -> int:
        """``⌊(n + p_before + p_after − span)/s⌋ + 1``; 0 or less means no window fits."""
        padded = self.size_in + self.pad_before + self.pad_after
        return (padded - self.span) // self.stride + 1

    def formula(self) -> str:
        """The formula with this axis's numbers, e.g. ``"H_out = ⌊(8 + 2·1 − 3)/2⌋ + 1 = 4"``."""
        if self.pad_before == self.pad_after:
            pads = f"2·{self.pad_before}"
        else:
            pads = f"{self.pad_before} + {self.pad_after}"
        span = str(self.kernel) if self.dilation == 1 else \
            f"({self.dilation}·({self.kernel}{_MINUS}1)+1)"  # fmt: skip
        out = str(self.size_out).replace("-", _MINUS)
        return (f"{self.axis}_out = ⌊({self.size_in} + {pads} {_MINUS} {span})/{self.stride}⌋"
                f" + 1 = {out}")  # fmt: skip


@dataclass(frozen=True)
class ShapeArithmetic:
    """The output-size arithmetic of one node, and what would change it.

    Attributes:
        node: The node's name.
        key: Its layer type (catalog key).
        axes: One :class:`AxisArithmetic` per spatial axis (H and W, or L).
        suggestions: Changes in words with their resulting size, each checked
            with the same formula (``"padding 1 keeps 8x8"``).
    """

    node: str
    key: str
    axes: tuple[AxisArithmetic, ...]
    suggestions: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        """Whether every axis has at least one output position."""
        return all(a.size_out > 0 for a in self.axes)

    def lines(self) -> list[str]:
        """The formulas, one per axis, then the suggestions."""
        return [a.formula() for a in self.axes] + list(self.suggestions)


@dataclass(frozen=True)
class _Layer:
    """How a layer type names its window: the parameters and the padding it takes."""

    rank: int  # of the input without the batch: 3 for images, 2 for sequences
    kernel: str  # the parameter of the window's size
    word: str  # how a suggestion names it
    padding: str  # "int": numbers, "valid" or "same"; "choice": "valid", "same"...; "none"


_LAYERS = {
    "Conv2D": _Layer(3, "kernel_size", "kernel", "int"),
    "DepthwiseConv2D": _Layer(3, "kernel_size", "kernel", "choice"),
    "SeparableConv2D": _Layer(3, "kernel_size", "kernel", "choice"),
    "MaxPool2D": _Layer(3, "pool_size", "pool", "choice"),
    "AvgPool2D": _Layer(3, "pool_size", "pool", "choice"),
    "PatchEmbedding": _Layer(3, "patch_size", "patch", "none"),
    "Conv1D": _Layer(2, "kernel_size", "kernel", "choice"),
    "MaxPool1D": _Layer(2, "pool_size", "pool", "choice"),
    "AvgPool1D": _Layer(2, "pool_size", "pool", "choice"),
}
"""The layer types with a sliding window, by catalog key."""

WINDOW_KEYS = frozenset(_LAYERS)
"""Catalog keys that :func:`windows` and :func:`shape_arithmetic` cover."""


@dataclass(frozen=True)
class _Knobs:
    """A window's settings per axis; ``padding`` is a mode or the zeros on each side."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: str | tuple[int, ...]


def _per_axis(value: Any, count: int) -> tuple[int, ...]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(int(v) for v in value)
    return (int(value),) * count


def _knobs(layer: _Layer, params: Mapping[str, Any]) -> _Knobs:
    count = layer.rank - 1
    kernel = _per_axis(params[layer.kernel], count)
    if layer.padding == "none":  # a patch embedding: kernel = stride = patch, no padding
        return _Knobs(kernel, kernel, (1,) * count, (0,) * count)
    strides = params.get("strides")
    stride = kernel if strides is None else _per_axis(strides, count)
    dilation = _per_axis(params.get("dilation_rate", 1), count)
    padding = params.get("padding", "valid")
    pads = padding if isinstance(padding, str) else _per_axis(padding, count)
    return _Knobs(kernel, stride, dilation, pads)


def _pads(padding: str | int, size: int, span: int, stride: int) -> tuple[int, int]:
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        return same_padding(size, span, stride)
    if padding == "causal":
        return (span - 1, 0)
    return (int(padding), int(padding))


def _axes(knobs: _Knobs, sizes: tuple[int, ...]) -> tuple[AxisArithmetic, ...]:
    names = ("H", "W") if len(sizes) == 2 else ("L",)
    axes = []
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        k, s, d = knobs.kernel[i], knobs.stride[i], knobs.dilation[i]
        padding = knobs.padding if isinstance(knobs.padding, str) else knobs.padding[i]
        before, after = _pads(padding, size, d * (k - 1) + 1, s)
        axes.append(AxisArithmetic(name, size, k, s, before, after, d))
    return tuple(axes)


def _sizes(layer: _Layer, shape: Shape) -> tuple[int, ...] | None:
    """The input's spatial sizes, or ``None`` if its rank is wrong or a size unknown."""
    if len(shape) != layer.rank:
        return None
    sizes = shape[:-1]
    return None if any(s is None for s in sizes) else tuple(int(s) for s in sizes if s is not None)


def windows(key: str, params: Mapping[str, Any], shape: Shape) -> tuple[AxisArithmetic, ...] | None:
    """The sliding window of a layer along each spatial axis of its input.

    Args:
        key: The catalog key (``"Conv2D"``, ``"MaxPool2D"``, ...).
        params: The node's checked parameters (``Analysis.params``).
        shape: The input's shape without the batch.

    Returns:
        One :class:`AxisArithmetic` per axis, or ``None`` for a layer without a
        sliding window (see :data:`WINDOW_KEYS`) or an input of unknown size.
    """
    layer = _LAYERS.get(key)
    sizes = None if layer is None else _sizes(layer, shape)
    if layer is None or sizes is None:
        return None
    return _axes(_knobs(layer, params), sizes)


def shape_arithmetic(graph: Graph, analysis: Analysis, node_id: str) -> ShapeArithmetic | None:
    """The output-size formula of one node with its own numbers, and suggestions.

    Args:
        graph: The network.
        analysis: ``analyse(graph)``; a node whose kernel does not fit still has
            its parameters and its input's shape there, so the arithmetic shows
            why (an output size of 0 or less) and what fixes it.
        node_id: The node asked about.

    Returns:
        The :class:`ShapeArithmetic`, or ``None`` for a layer without a sliding
        window, invalid parameters, or an input shape that is not known.
    """
    node = graph.nodes.get(node_id)
    params = analysis.params.get(node_id)
    if node is None or params is None or node.key not in _LAYERS:
        return None
    sources = [e.src for e in graph.inputs_of(node_id)]
    if len(sources) != 1 or sources[0] not in analysis.shapes:
        return None
    layer = _LAYERS[node.key]
    sizes = _sizes(layer, analysis.shapes[sources[0]])
    if sizes is None:
        return None
    knobs = _knobs(layer, params)
    axes = _axes(knobs, sizes)
    return ShapeArithmetic(node.name, node.key, axes, tuple(_suggestions(layer, knobs, sizes)))


def _outs(knobs: _Knobs, sizes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a.size_out for a in _axes(knobs, sizes))


def _number(values: Sequence[int]) -> str:
    """``3`` when all axes agree, else ``(2, 3)``."""
    return str(values[0]) if len(set(values)) == 1 else f"({', '.join(map(str, values))})"


def _size_text(sizes: Sequence[int]) -> str:
    return "x".join(map(str, sizes)) if len(sizes) > 1 else f"length {sizes[0]}"


def _suggestions(layer: _Layer, knobs: _Knobs, sizes: tuple[int, ...]) -> list[str]:
    if layer.padding == "none":
        return _patch_suggestions(knobs.kernel[0], sizes)
    if any(o <= 0 for o in _outs(knobs, sizes)):
        found = [_kernel_fit(layer, knobs, sizes), _padding_fit(layer, knobs, sizes),
                 _dilation_fit(knobs, sizes)]  # fmt: skip
    else:
        found = [_keep(layer, knobs, sizes), _same_gives(layer, knobs, sizes),
                 _stride_gives(knobs, sizes)]  # fmt: skip
    unique: list[str] = []
    for text in found:
        if text is not None and text not in unique:
            unique.append(text)
    return unique


def _kernel_fit(layer: _Layer, knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """The largest kernel (per axis) whose window fits the padded input."""
    axes = _axes(knobs, sizes)
    largest = tuple((a.size_in + a.pad_before + a.pad_after - 1) // a.dilation + 1 for a in axes)
    fitted = replace(knobs, kernel=largest)
    if not all(o > 0 for o in _outs(fitted, sizes)):
        return None
    return f"{layer.word} {_number(largest)} or less fits the {_size_text(sizes)} input"


def _padding_fit(layer: _Layer, knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """The least padding that lets every window fit (or ``"same"``, which always does)."""
    if layer.padding == "choice":
        fitted = replace(knobs, padding="same")
        what = 'padding "same"'
    else:
        pads = []
        for a in _axes(knobs, sizes):
            fits = a.size_out > 0
            pads.append(a.pad_before if fits else max(0, math.ceil((a.span - a.size_in) / 2)))
        fitted = replace(knobs, padding=tuple(pads))
        what = f"padding {_number(pads)}"
    outs = _outs(fitted, sizes)
    if not all(o > 0 for o in outs):
        return None
    return f"{what} makes it fit (output {_size_text(outs)})"


def _dilation_fit(knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """The largest dilation that lets a dilated kernel fit."""
    if all(d == 1 for d in knobs.dilation):
        return None
    largest = []
    for a in _axes(knobs, sizes):
        room = a.size_in + a.pad_before + a.pad_after - 1
        largest.append(a.dilation if a.kernel == 1 else min(a.dilation, room // (a.kernel - 1)))
    if min(largest) < 1:
        return None
    fitted = replace(knobs, dilation=tuple(largest))
    if not all(o > 0 for o in _outs(fitted, sizes)):
        return None
    return f"dilation {_number(largest)} or less fits the {_size_text(sizes)} input"


def _keep(layer: _Layer, knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """For a convolution: the padding (and stride 1) that keeps the input's size."""
    if layer.word != "kernel" or _outs(knobs, sizes) == sizes:
        return None
    ones = (1,) * len(sizes)
    prefix = "" if knobs.stride == ones else "stride 1 with "
    spans = [d * (k - 1) + 1 for k, d in zip(knobs.kernel, knobs.dilation, strict=True)]
    if layer.padding == "int" and all(span % 2 for span in spans):
        pads = tuple((span - 1) // 2 for span in spans)
        kept, what = replace(knobs, stride=ones, padding=pads), f"padding {_number(pads)}"
    else:
        kept, what = replace(knobs, stride=ones, padding="same"), 'padding "same"'
    if _outs(kept, sizes) != sizes:
        return None
    return f"{prefix}{what} keeps {_size_text(sizes)}"


def _same_gives(layer: _Layer, knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """For a valid window that leaves input rows unused: what ``"same"`` gives instead."""
    if layer.padding != "choice" or knobs.padding != "valid":
        return None
    outs = _outs(replace(knobs, padding="same"), sizes)
    if outs == _outs(knobs, sizes) or outs == sizes:  # no change, or _keep says it
        return None
    return f'padding "same" gives {_size_text(outs)}'


def _stride_gives(knobs: _Knobs, sizes: tuple[int, ...]) -> str | None:
    """What stride 2 (with the node's padding) gives, for a node with another stride."""
    twos = (2,) * len(sizes)
    if knobs.stride == twos:
        return None
    outs = _outs(replace(knobs, stride=twos), sizes)
    if outs == _outs(knobs, sizes) or not all(o > 0 for o in outs):
        return None
    return f"stride 2 gives {_size_text(outs)}"


def _divisors(number: int) -> list[int]:
    return [q for q in range(1, number + 1) if number % q == 0]


def _patch_suggestions(patch: int, sizes: tuple[int, ...]) -> list[str]:
    """Patch sizes that divide the image: the nearest below and above ``patch``."""
    fitting = _divisors(math.gcd(*sizes))
    below = [q for q in fitting if q < patch]
    above = [q for q in fitting if q > patch]
    chosen = ([below[-1]] if below else []) + ([above[0]] if above else [])
    texts = []
    if patch not in fitting:
        texts.append(f"patch {patch} does not divide the {_size_text(sizes)} image, so the "
                     "layer refuses it")  # fmt: skip
    for q in chosen:
        grid = tuple(size // q for size in sizes)
        tokens = math.prod(grid)
        texts.append(f"patch {q} gives {_size_text(grid)} patches ({tokens} "
                     f"token{'' if tokens == 1 else 's'})")  # fmt: skip
    return texts
