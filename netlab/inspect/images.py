"""Arrays as grey images: one map, or all channels of a layer side by side."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from netlab.errors import InspectError


def to_image(array2d: Any, symmetric: bool = False) -> np.ndarray:
    """A 2-D map scaled to grey levels 0..255.

    Args:
        array2d: The map, shape ``(H, W)``; NaN and infinities count as 0.
        symmetric: Map 0 to 128 and the largest absolute value to 0 or 255
            (for kernels and other signed weights), instead of the minimum to 0
            and the maximum to 255.

    Returns:
        A uint8 array ``(H, W)``. A constant map is all 0 (all 128 when
        ``symmetric``).

    Raises:
        InspectError: If the array is not 2-D.
    """
    values = np.asarray(array2d, dtype="float64")
    if values.ndim != 2:
        raise InspectError(None, f"to_image needs a 2-D array, not shape {values.shape}")
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    if symmetric:
        scale = np.abs(values).max(initial=0.0)
        scaled = 0.5 + 0.5 * values / scale if scale > 0 else np.full(values.shape, 0.5)
    else:
        low, high = (values.min(), values.max()) if values.size else (0.0, 0.0)
        scaled = (values - low) / (high - low) if high > low else np.zeros(values.shape)
    return np.clip(np.round(scaled * 255.0), 0, 255).astype(np.uint8)


def channel_grid(
    maps: Any,
    columns: int | None = None,
    padding: int = 1,
    symmetric: bool = False,
    background: int = 255,
) -> np.ndarray:
    """All channels of ``(H, W, C)`` maps as one grey mosaic, row by row.

    Each channel is scaled on its own (:func:`to_image`), so weak channels stay
    visible.

    Args:
        maps: Feature maps ``(H, W, C)`` (or a kernel slice ``(kh, kw, C)``).
        columns: Tiles per row; ``None`` gives a near-square grid.
        padding: Pixels between tiles.
        symmetric: Scale each channel around 0 (for signed weights).
        background: Grey level of the padding and the unused tiles.

    Returns:
        A uint8 array ``(rows * H + (rows - 1) * padding, columns * W +
        (columns - 1) * padding)``; channel ``c`` is at row ``c // columns``,
        column ``c % columns``.

    Raises:
        InspectError: If ``maps`` is not 3-D or ``columns``/``padding`` are
            out of range.
    """
    values = np.asarray(maps)
    if values.ndim != 3:
        raise InspectError(None, f"channel_grid needs maps of shape (H, W, C), not {values.shape}")
    height, width, channels = values.shape
    columns = math.ceil(math.sqrt(channels)) if columns is None else int(columns)
    if columns < 1 or padding < 0:
        raise InspectError(
            None, f"columns must be >= 1 and padding >= 0, not {columns} and {padding}"
        )
    columns = min(columns, max(channels, 1))
    rows = max(1, math.ceil(channels / columns))
    grid = np.full(
        (rows * height + (rows - 1) * padding, columns * width + (columns - 1) * padding),
        np.uint8(np.clip(background, 0, 255)),
        dtype=np.uint8,
    )
    for channel in range(channels):
        top = (channel // columns) * (height + padding)
        left = (channel % columns) * (width + padding)
        grid[top : top + height, left : left + width] = to_image(values[..., channel], symmetric)
    return grid
