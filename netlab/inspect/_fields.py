"""The arithmetic of receptive fields along the image's axes, for :mod:`receptive`.

A field per axis, the state of a tensor while fields are followed through a
graph (a grid of positions, one region for every position, or values without
rows and columns), and the steps that change it: a sliding window (stride
``s``, ``p`` zeros before, kernel ``k``, dilation ``d`` turn ``(J, lo, hi)``
into ``(J·s, lo − J·p, hi + J·(d·(k−1) − p))``), checked against the positions
each window really reads, and a merge of several inputs. Every function
returns the new value, or one line saying why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

from netlab.inspect.arithmetic import AxisArithmetic

Range = tuple[int, int]


@dataclass(frozen=True)
class AxisField:
    """A receptive field along one axis.

    Attributes:
        jump: Input pixels between neighbouring output positions (0 when every
            position sees the same pixels).
        lo: First input pixel output position 0 sees (negative: in the padding).
        hi: Last input pixel it sees (inclusive; may lie past the image).
        first: The first output position that sees any pixel; those before it
            are zeros that a ``ZeroPadding2D`` added (and see nothing).
        last: The last such position, or ``None`` for all up to the end.
    """

    jump: int
    lo: int
    hi: int
    first: int = 0
    last: int | None = None

    @property
    def size(self) -> int:
        """Pixels in the interval, ``hi − lo + 1`` (padding included)."""
        return self.hi - self.lo + 1

    def seen(self, index: int, length: int) -> Range:
        """Half-open range of pixels that output ``index`` sees, clipped to ``[0, length)``."""
        start = min(max(self.lo + index * self.jump, 0), length)
        if index < self.first or (self.last is not None and index > self.last):
            return start, start
        return start, max(min(self.hi + index * self.jump + 1, length), start)


GRID, WHOLE, LOOSE = "grid", "whole", "loose"


@dataclass(frozen=True)
class State:
    """What a node's output sees while the fields are followed through the graph.

    ``grid``: each position has its field; ``whole``: every position sees the
    extent in ``rows`` and ``cols`` (jump 0); ``loose``: the values have no rows
    and columns any more (flattened), and together they see that extent.
    """

    kind: str
    rows: AxisField
    cols: AxisField
    grid: tuple[int, int]  # output positions per axis (patches for a patch embedding)
    image: tuple[int, int]  # the input image's height and width


Result = State | str
"""A state, or one line saying why there is none."""


def _last(field: AxisField, count: int) -> int:
    """The last of ``count`` positions that sees any pixel."""
    return count - 1 if field.last is None else field.last


def _axis_extent(field: AxisField, count: int, length: int) -> AxisField | None:
    """What ``count`` positions see together, clipped; ``None`` if it has gaps or is empty."""
    if field.jump == 0:  # the same pixels at every position that sees any
        return AxisField(0, field.lo, field.hi)
    first, last = field.first, _last(field, count)
    if last > first and field.jump > field.size:
        return None
    lo, hi = max(field.lo + first * field.jump, 0), min(field.hi + last * field.jump, length - 1)
    return AxisField(0, lo, hi) if lo <= hi else None


def extent_of(state: State) -> tuple[AxisField, AxisField] | str:
    """What all positions of ``state`` see together, as jump-0 fields clipped to the image."""
    rows = _axis_extent(state.rows, state.grid[0], state.image[0])
    cols = _axis_extent(state.cols, state.grid[1], state.image[1])
    if rows is None or cols is None:
        return "its positions see the image with gaps between them, not one rectangle"
    return rows, cols


def as_kind(kind: str, state: State, grid: tuple[int, int] = (1, 1)) -> Result:
    """``state`` seen as a whole (or loose): every position sees its positions' extent."""
    extent = extent_of(state)
    if isinstance(extent, str):
        return extent
    return State(kind, extent[0], extent[1], grid, state.image)


def _union(fields: list[AxisField]) -> AxisField | None:
    """The union of intervals with one jump, or ``None`` if it is not one interval."""
    ordered = sorted(fields, key=lambda f: f.lo)
    hi = ordered[0].hi
    for field in ordered[1:]:
        if field.lo > hi + 1:
            return None
        hi = max(hi, field.hi)
    return AxisField(ordered[0].jump, ordered[0].lo, hi, ordered[0].first, ordered[0].last)


def _placed_like(field: AxisField, like: AxisField) -> AxisField:
    """``field`` with the positions that see any pixel of ``like``."""
    return AxisField(field.jump, field.lo, field.hi, like.first, like.last)


def _placed(field: AxisField, seeing: list[int], count: int, axis: str) -> AxisField | str:
    """``field`` for ``count`` positions of which only ``seeing`` read any pixel."""
    if not seeing or seeing != list(range(seeing[0], seeing[-1] + 1)):
        return f"along {axis} some of its positions read only zeros"
    last = None if seeing[-1] == count - 1 else seeing[-1]
    return AxisField(field.jump, field.lo, field.hi, seeing[0], last)


def _real_taps(a: AxisArithmetic, index: int, first: int, last: int) -> Range | None:
    """First and last input position in ``[first, last]`` that window ``index`` reads."""
    start = index * a.stride - a.pad_before
    if start >= first and start + a.span - 1 <= last:  # the whole window is inside
        return start, start + a.span - 1
    real = [q for q in range(start, start + a.span, a.dilation) if first <= q <= last]
    return (real[0], real[-1]) if real else None


def _reading(a: AxisArithmetic, field: AxisField) -> dict[int, Range]:
    """Output position -> the first and last input position it reads, for those reading any."""
    first, last = field.first, _last(field, a.size_in)
    taps = {i: _real_taps(a, i, first, last) for i in range(a.size_out)}
    return {i: t for i, t in taps.items() if t is not None}


def _same_pixels(a: Range, b: Range) -> bool:
    return a == b or (a[0] == a[1] and b[0] == b[1])


def _compose(field: AxisField, a: AxisArithmetic, length: int) -> AxisField | str:
    """The field after one sliding window along one axis, checked to be exact."""
    if a.kernel > 1 and a.dilation * field.jump > field.size:
        return (f"its taps are {a.dilation * field.jump} pixels apart but each sees only "
                f"{field.size}, so the field has holes")  # fmt: skip
    out = AxisField(field.jump * a.stride, field.lo - field.jump * a.pad_before,
                    field.hi + field.jump * (a.span - 1 - a.pad_before))  # fmt: skip
    reading = _reading(a, field)
    for index, (first, last) in reading.items():
        true = (field.seen(first, length)[0], field.seen(last, length)[1])
        if not _same_pixels(true, out.seen(index, length)):
            return (f"along {a.axis} its padding meets an input that does not reach the "
                    "image's edge: the field is no longer lo + i·jump there")  # fmt: skip
    return _placed(out, list(reading), a.size_out, a.axis)


def window(state: State, axes: tuple[AxisArithmetic, ...]) -> Result:
    """A convolution, pooling, patch embedding, zero padding or cropping."""
    if state.kind == LOOSE:
        return "its input has no rows and columns any more"
    if len(axes) != 2:
        return "it slides along a sequence, not along the image's rows and columns"
    outs = (axes[0].size_out, axes[1].size_out)
    found = []
    for field, a, length in zip((state.rows, state.cols), axes, state.image, strict=True):
        composed = _placed(field, list(_reading(a, field)), a.size_out, a.axis) \
            if state.kind == WHOLE else _compose(field, a, length)  # fmt: skip
        if isinstance(composed, str):
            return composed
        found.append(composed)
    return State(state.kind, found[0], found[1], outs, state.image)


def union_extents(kind: str, states: list[State], grid: tuple[int, int]) -> Result:
    """One state of ``kind`` that sees what all of ``states`` see together."""
    extents = [extent_of(s) for s in states]
    for extent in extents:
        if isinstance(extent, str):
            return extent
    rows = _union([e[0] for e in extents if not isinstance(e, str)])
    cols = _union([e[1] for e in extents if not isinstance(e, str)])
    if rows is None or cols is None:
        return "its inputs see separate parts of the image, not one rectangle"
    return State(kind, rows, cols, grid, states[0].image)


def inside(state: State, outer: State) -> bool:
    """Whether all that ``state`` sees lies within the extent of ``outer``."""
    extent = extent_of(state)
    if isinstance(extent, str):
        return False
    return all(o.lo <= e.lo and e.hi <= o.hi
               for e, o in zip(extent, (outer.rows, outer.cols), strict=True))  # fmt: skip


def merge(states: list[State]) -> Result:
    """Add, Concatenate, Multiply...: each output position sees what its inputs' see."""
    placed = [s for s in states if s.kind != LOOSE]
    if len({(s.rows.first, s.rows.last, s.cols.first, s.cols.last) for s in placed}) > 1:
        return "its inputs have zeros from padding at different positions"
    wholes = [s for s in states if s.kind == WHOLE]
    if wholes:
        grid = (max(s.grid[0] for s in states), max(s.grid[1] for s in states))
        whole = union_extents(WHOLE, wholes, grid)
        if isinstance(whole, str) or not all(inside(s, whole) for s in states):
            return "one input sees the same pixels at every position, another sees others"
        like = wholes[0]  # where its zeros from padding are
        return State(WHOLE, _placed_like(whole.rows, like.rows),
                     _placed_like(whole.cols, like.cols), grid, whole.image)  # fmt: skip
    if any(s.kind == LOOSE for s in states):
        return union_extents(LOOSE, states, (1, 1))
    return _merge_grids(states)


def _merge_grids(grids: list[State]) -> Result:
    """Fields on equal grids: one jump per axis, and intervals that touch or overlap."""
    if len({g.grid for g in grids}) > 1:
        return "its inputs have different numbers of positions (one is stretched)"
    fields = []
    for axis, name in ((0, "rows"), (1, "columns")):
        axis_fields = [g.rows if axis == 0 else g.cols for g in grids]
        jumps = sorted({f.jump for f in axis_fields})
        if len(jumps) > 1:
            return (f"along the {name} its inputs' fields step {' and '.join(map(str, jumps))} "
                    "pixels per position: no single field fits them")  # fmt: skip
        joined = _union(axis_fields)
        if joined is None:
            return f"along the {name} its inputs see separate intervals, not one"
        fields.append(joined)
    return State(GRID, fields[0], fields[1], grids[0].grid, grids[0].image)
