"""Exact receptive fields: which pixels of the input image each output position sees.

Along each axis a field is an interval of input pixels and a jump: output
position ``i`` sees ``[lo + i·jump, hi + i·jump]``. A layer with stride ``s``,
``p`` zeros before, kernel ``k`` and dilation ``d`` turns a field
``(J, lo, hi)`` into ``(J·s, lo − J·p, hi + J·(d·(k−1) − p))``.

The rule is exact only where nothing breaks it, so every step is checked
against the positions each window really reads, and a layer where it would not
hold gets no field, nor does anything after it: taps so far apart that the
field has holes, padding at an edge that makes the interval claim pixels no
window reaches, merges of fields with different jumps, and layers that move
pixels by other rules (upsampling, transposed convolutions, unknown Keras
layers). :func:`receptive_field_problems` says why, node by node. The zeros a
``ZeroPadding2D`` adds are positions that see nothing (``AxisField.first`` and
``last``). Fields describe the network at inference (dropout and random
augmentation do nothing then). Pure Python, from the graph's analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from netlab import catalog
from netlab.catalog import Shape
from netlab.catalog.recipes import INPUT, infer
from netlab.errors import GraphError
from netlab.graph.analysis import Analysis
from netlab.graph.model import Graph
from netlab.inspect._fields import (
    GRID,
    LOOSE,
    WHOLE,
    AxisField,
    Range,
    Result,
    State,
    as_kind,
    inside,
    merge,
    union_extents,
    window,
)
from netlab.inspect.arithmetic import AxisArithmetic, windows

__all__ = ["AxisField", "ReceptiveField", "receptive_field_problems", "receptive_fields"]


@dataclass(frozen=True)
class ReceptiveField:
    """The pixels of the input image that the output positions of one node see.

    Attributes:
        node: The node's id.
        rows: The field along the image's height.
        cols: The field along its width.
        whole: Every output position sees the same pixels (after global pooling,
            attention, a Dense layer on flattened values, ...): ``rows`` and
            ``cols`` then have jump 0 and give those pixels, clipped to the
            image. That is the whole image unless the layers before left
            some of it out (a valid pooling that drops the last row); zeros
            that a ``ZeroPadding2D`` adds after it still see nothing.
    """

    node: str
    rows: AxisField
    cols: AxisField
    whole: bool = False

    @property
    def size(self) -> tuple[int, int]:
        """``(rows, columns)`` of the field, padding included."""
        return self.rows.size, self.cols.size

    def region(self, row: int, col: int, height: int, width: int) -> tuple[Range, Range]:
        """The half-open row and column ranges output ``(row, col)`` sees.

        Args:
            row: Output row (for tokens of a patch embedding: the patch's row).
            col: Output column.
            height: The input image's height; the ranges are clipped to it.
            width: Its width.
        """
        return self.rows.seen(row, height), self.cols.seen(col, width)


@dataclass(frozen=True)
class _Step:
    """One layer to follow: its type, checked parameters, input states and shapes."""

    key: str
    params: Mapping[str, Any]
    ins: list[State]
    shapes: list[Shape]
    shape: Shape


def _windowed(step: _Step) -> Result:
    axes = windows(step.key, step.params, step.shapes[0])
    return "its input's size is not known" if axes is None else window(step.ins[0], axes)


def _shifted(step: _Step) -> Result:
    """Zero padding (zeros before: the field moves down) or cropping (it moves up)."""
    sign, name = (1, "padding") if step.key == "ZeroPadding2D" else (-1, "cropping")
    height, width = step.shapes[0][:2]
    if height is None or width is None:
        return "its input's size is not known"
    axes = tuple(AxisArithmetic(axis, size, 1, 1, sign * before, sign * after)
                 for axis, size, (before, after) in
                 zip("HW", (height, width), step.params[name], strict=True))  # fmt: skip
    return window(step.ins[0], axes)


def _merged(step: _Step) -> Result:
    axis = step.params.get("axis", -1)
    rank = len(step.shapes[0])
    if step.key == "Concatenate" and axis not in (-1, rank) and \
            any(s.kind == GRID for s in step.ins):  # fmt: skip
        return "it joins its inputs along a spatial axis, which moves their positions"
    return merge(step.ins)


def _attention(step: _Step) -> Result:
    """Every query position mixes all keys and values (unless it is causal)."""
    if step.params.get("causal"):
        return "causal attention lets each token see only earlier ones: no rectangle"
    query, context = step.ins[0], step.ins[1:] or step.ins[:1]
    seen = union_extents(WHOLE, context, query.grid)
    if isinstance(seen, str):
        return seen
    return seen if inside(query, seen) else "its queries see pixels its keys do not"


def _pointwise(step: _Step) -> Result:
    return step.ins[0]


def _along_last(step: _Step) -> Result:
    """Softmax, unit norm: pointwise over positions when they work along the channels."""
    axis, rank = step.params.get("axis", -1), len(step.shapes[0])
    if axis in (-1, rank) or step.ins[0].kind == WHOLE:
        return step.ins[0]
    return f"it works along axis {axis}, mixing positions"


def _dense(step: _Step) -> Result:
    """Mixes the last axis: the channels of a position, or all values of a flat vector."""
    state = step.ins[0]
    if state.kind == LOOSE and len(step.shapes[0]) == 1:
        return as_kind(WHOLE, state)
    return state


def _global(step: _Step) -> Result:
    return as_kind(WHOLE, step.ins[0], step.ins[0].grid if step.key == "GroupNorm" else (1, 1))


def _flat(step: _Step) -> Result:
    """Flatten, Reshape, Permute: the values stay but lose their rows and columns."""
    state = step.ins[0]
    unchanged = step.shape == step.shapes[0] and step.params.get("dims") in (None, (1, 2, 3))
    if state.kind != GRID or unchanged:
        return state
    return as_kind(LOOSE, state)


def _class_token(step: _Step) -> Result:
    """A learned token in front: it sees nothing, the others keep theirs, in a line."""
    return as_kind(LOOSE, step.ins[0])


def _select_token(step: _Step) -> Result:
    state = step.ins[0]
    if state.kind == WHOLE:
        return state
    if state.kind == LOOSE:
        return "which pixels the chosen token sees is not known after a class token or Flatten"
    row, col = divmod(step.params["index"], state.grid[1])
    rows, cols = state.rows.seen(row, state.image[0]), state.cols.seen(col, state.image[1])
    if rows[0] == rows[1] or cols[0] == cols[1]:
        return "the chosen token sees only padding"
    return State(LOOSE, AxisField(0, rows[0], rows[1] - 1), AxisField(0, cols[0], cols[1] - 1),
                 (1, 1), state.image)  # fmt: skip


def _only_whole(step: _Step) -> Result:
    if all(s.kind == WHOLE for s in step.ins):
        return step.ins[0]
    return "it reads its input in an order NetLab cannot follow pixel by pixel"


_KERAS_IDENTITIES = frozenset({"Identity", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
                               "GaussianDropout", "GaussianNoise", "AlphaDropout",
                               "ActivityRegularization"})  # fmt: skip
"""Keras classes that a generic node may hold and that pass values through at inference."""


def _generic(step: _Step) -> Result:
    """A generic Keras-layer node: followed only when it changes nothing at inference."""
    name = step.params["layer"].get("class_name")
    if name in _KERAS_IDENTITIES and len(step.ins) == 1:
        return step.ins[0]
    return f"NetLab cannot follow pixels through a Keras {name} layer"


def _refused(reason: str) -> Callable[[_Step], Result]:
    return lambda step: reason


_POINTWISE = ("Output", "Activation", "Dropout", "BatchNorm", "LayerNorm", "ReLU", "LeakyReLU",
              "PReLU", "ELU", "Rescaling", "Normalization", "GaussianNoise", "SpatialDropout1D",
              "SpatialDropout2D", "SinusoidalPositionEmbedding", "LearnedPositionEmbedding",
              "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
              "RandomContrast")  # fmt: skip
_RULES: dict[str, Callable[[_Step], Result]] = {
    **dict.fromkeys(_POINTWISE, _pointwise),
    **dict.fromkeys(("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPool2D", "AvgPool2D",
                     "PatchEmbedding", "Conv1D", "MaxPool1D", "AvgPool1D"), _windowed),
    "ZeroPadding2D": _shifted, "Cropping2D": _shifted,
    **dict.fromkeys(("Add", "Concatenate", "Multiply", "Subtract", "Average", "Maximum",
                     "Minimum"), _merged),
    **dict.fromkeys(("MultiHeadAttention", "ScaledDotProductAttention"), _attention),
    "Softmax": _along_last, "UnitNorm": _along_last,
    "Dense": _dense, "FeedForward": _dense,
    **dict.fromkeys(("GlobalAvgPool2D", "GlobalMaxPool2D", "GlobalAvgPool1D", "GlobalMaxPool1D",
                     "GroupNorm"), _global),
    **dict.fromkeys(("Flatten", "Reshape", "Permute"), _flat),
    "ClassToken": _class_token, "SelectToken": _select_token,
    **dict.fromkeys(("RepeatVector", "SimpleRNN", "GRU", "LSTM", "Bidirectional", "Embedding"),
                    _only_whole),
    **dict.fromkeys(("UpSampling2D", "Conv2DTranspose"), _refused(
        "it spreads each input pixel over several outputs: no whole-pixel jump")),
    "RandomCrop": _refused("at inference it resizes the image"),
    "KerasLayer": _generic,
}  # fmt: skip


def _through_recipe(step: _Step, spec: catalog.LayerSpec) -> Result:
    """A composite (residual block, transformer block, group): through its own layers."""
    assert spec.recipe is not None  # only composites come here
    try:
        recipe = spec.recipe(dict(step.params), step.shapes[0])
        results = infer(recipe, step.shapes[0])
    except GraphError as err:
        return f"its layers do not fit together: {err}"
    states, shapes = {INPUT: step.ins[0]}, {INPUT: step.shapes[0]}
    for part in recipe.steps:
        result = results[part.suffix]
        state = _apply(_Step(part.key, result.params, [states[i] for i in part.inputs],
                             [shapes[i] for i in part.inputs], result.shape))  # fmt: skip
        if isinstance(state, str):
            return f"its {part.suffix}: {state}"
        states[part.suffix], shapes[part.suffix] = state, result.shape
    return states[recipe.steps[-1].suffix]


def _apply(step: _Step) -> Result:
    spec = catalog.get(step.key)
    if spec.recipe is not None:
        return _through_recipe(step, spec)
    rule = _RULES.get(step.key)
    if rule is None:
        return f"NetLab cannot follow pixels through a {spec.display_name} node"
    return rule(step)


def _node(graph: Graph, analysis: Analysis, node_id: str, sources: list[str],
          results: dict[str, Result]) -> Result:  # fmt: skip
    node = graph.nodes[node_id]
    if node.key == "Input":
        height, width, _ = analysis.shapes[node_id]
        assert height is not None  # an Input's shape is given in full
        assert width is not None
        seed = AxisField(1, 0, 0)
        return State(GRID, seed, seed, (height, width), (height, width))
    params, shape = analysis.params.get(node_id), analysis.shapes.get(node_id)
    known = all(s in analysis.shapes and s in results for s in sources)
    if params is None or shape is None or not known:
        return "its shape is not known (see its problems)"
    for src in sources:
        if isinstance(results[src], str):
            return f"it comes after {graph.nodes[src].name}, whose field is not known"
    ins = [r for r in (results[s] for s in sources) if not isinstance(r, str)]
    return _apply(_Step(node.key, params, ins, [analysis.shapes[s] for s in sources], shape))


def _is_image(graph: Graph, analysis: Analysis, node_id: str) -> bool:
    shape = analysis.shapes.get(node_id)
    return graph.nodes[node_id].key == "Input" and shape is not None and len(shape) == 3


def _follow(graph: Graph, analysis: Analysis) -> dict[str, Result]:
    """Every node an image Input reaches, with its state or why it has none."""
    incoming: dict[str, list[str]] = {node_id: [] for node_id in graph.nodes}
    for edge in sorted(graph.edges, key=lambda e: e.port):
        incoming[edge.dst].append(edge.src)
    origins: dict[str, frozenset[str]] = {}
    results: dict[str, Result] = {}
    for node_id in analysis.order:
        found = frozenset().union(*(origins[s] for s in incoming[node_id]))
        origins[node_id] = frozenset({node_id}) if graph.nodes[node_id].key == "Input" else found
        if not any(_is_image(graph, analysis, o) for o in origins[node_id]):
            continue
        if len(origins[node_id]) > 1:
            results[node_id] = "it combines several inputs; a field needs one image"
        else:
            results[node_id] = _node(graph, analysis, node_id, incoming[node_id], results)
    return results


_NO_POSITIONS = (
    "its values have no rows and columns (flattened, reshaped or after a class token); "
    "a layer that mixes them all (Dense, global pooling, attention) has a field again"
)


def receptive_fields(graph: Graph, analysis: Analysis) -> dict[str, ReceptiveField]:
    """The exact receptive field of every node that one image Input reaches.

    Args:
        graph: The network.
        analysis: ``analyse(graph)``: the shapes and checked parameters.

    Returns:
        Node id -> :class:`ReceptiveField`, for the image Input itself and every
        node after it whose field is exactly known (see
        :func:`receptive_field_problems` for the others).
    """
    return {node_id: ReceptiveField(node_id, r.rows, r.cols, r.kind == WHOLE)
            for node_id, r in _follow(graph, analysis).items()
            if isinstance(r, State) and r.kind != LOOSE}  # fmt: skip


def receptive_field_problems(graph: Graph, analysis: Analysis) -> dict[str, str]:
    """Why a node that an image Input reaches has no receptive field, in one line each.

    Returns:
        Node id -> the reason, for every such node :func:`receptive_fields` leaves out.
    """
    return {node_id: _NO_POSITIONS if isinstance(r, State) else r
            for node_id, r in _follow(graph, analysis).items()
            if not isinstance(r, State) or r.kind == LOOSE}  # fmt: skip
