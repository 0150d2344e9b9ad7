"""NumPy arrays as QImages: grey maps, colour maps (one pixel per cell), data samples.

Scaling numbers to grey levels is netlab's (:func:`netlab.inspect.to_image`);
this module only picks colours and wraps the bytes for Qt.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from netlab.inspect import to_image

# Colour maps as (position, "#rrggbb") anchors, interpolated to 256 entries.
_ANCHORS = {
    "viridis": ("#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863",
                "#aadc32", "#fde725"),
    "blues": ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
              "#08519c", "#08306b"),
    "oranges": ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801",
                "#a63603"),
    "diverging": ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"),
    "grey": ("#000000", "#ffffff"),
}  # fmt: skip


def colour_rgb(name: str) -> np.ndarray:
    """The 256 colours of the colour map ``name`` as uint8 ``(256, 3)``."""
    anchors = np.array([QColor(c).getRgb()[:3] for c in _ANCHORS[name]], dtype="float64")
    where = np.linspace(0.0, 1.0, len(anchors))
    levels = np.linspace(0.0, 1.0, 256)
    channels = [np.interp(levels, where, anchors[:, i]) for i in range(3)]
    return np.round(np.stack(channels, axis=1)).astype(np.uint8)


def colour_table(name: str) -> list[int]:
    """The 256 colours (as ``qRgb`` integers) of the colour map ``name``."""
    rgb = colour_rgb(name).astype(np.uint32)
    return [int(0xFF000000 | (r << 16) | (g << 8) | b) for r, g, b in rgb]


_TABLES: dict[str, list[int]] = {}


def _table(name: str) -> list[int]:
    if name not in _TABLES:
        _TABLES[name] = colour_table(name)
    return _TABLES[name]


def _rows_aligned(levels: np.ndarray, bytes_per_pixel: int) -> tuple[np.ndarray, int]:
    """The array with rows padded to a multiple of 4 bytes, as QImage wants, and that width."""
    height, width = levels.shape[:2]
    stride = (width * bytes_per_pixel + 3) // 4 * 4
    buffer = np.zeros((height, stride), dtype=np.uint8)
    buffer[:, : width * bytes_per_pixel] = levels.reshape(height, width * bytes_per_pixel)
    return buffer, stride


def indexed_image(levels: np.ndarray, colours: str = "grey") -> QImage:
    """A uint8 ``(H, W)`` array as a ``W x H`` image through the colour map ``colours``.

    Args:
        levels: Grey levels 0..255, one per pixel.
        colours: ``"grey"``, ``"viridis"``, ``"blues"`` or ``"diverging"``.
    """
    levels = np.ascontiguousarray(levels, dtype=np.uint8)
    if levels.ndim != 2 or levels.size == 0:
        return QImage()
    buffer, stride = _rows_aligned(levels, 1)
    image = QImage(buffer.data, levels.shape[1], levels.shape[0], stride, QImage.Format_Indexed8)
    image.setColorTable(_table(colours))
    return image.copy()  # Why: the copy owns its bytes; `buffer` dies with this frame.


def rgb_image(pixels: np.ndarray) -> QImage:
    """A uint8 ``(H, W, 3)`` array as an RGB image."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    buffer, stride = _rows_aligned(pixels, 3)
    image = QImage(buffer.data, pixels.shape[1], pixels.shape[0], stride, QImage.Format_RGB888)
    return image.copy()


def map_image(values: np.ndarray, colours: str = "grey", symmetric: bool = False) -> QImage:
    """A 2-D map scaled min..max (or around 0 with ``symmetric``) and coloured."""
    return indexed_image(to_image(values, symmetric=symmetric), colours)


def fraction_image(fractions: np.ndarray, colours: str = "blues") -> QImage:
    """Values in 0..1 (NaN as 0) coloured on a fixed scale, for confusion matrices."""
    clean = np.nan_to_num(np.asarray(fractions, dtype="float64"), nan=0.0)
    return indexed_image(np.round(np.clip(clean, 0.0, 1.0) * 255).astype(np.uint8), colours)


def confusion_image(counts: np.ndarray) -> QImage:
    """A confusion matrix coloured by share of the true class: right in blue, mistakes in orange.

    Mistakes are scaled to the largest mistake (and start visibly tinted), so a
    few wrong examples among many right ones still catch the eye.
    """
    counts = np.asarray(counts, dtype="float64")
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    diagonal = np.eye(len(counts), dtype=bool)
    mistakes = np.where(diagonal, 0.0, shares)
    worst = mistakes.max(initial=0.0)
    tint = np.where(mistakes > 0, 0.25 + 0.75 * mistakes / (worst or 1.0), 0.0)
    right = np.round(np.clip(shares, 0, 1) * 255).astype(np.uint8)
    wrong = np.round(np.clip(tint, 0, 1) * 255).astype(np.uint8)
    pixels = np.where(diagonal[..., None], colour_rgb("blues")[right], colour_rgb("oranges")[wrong])
    return rgb_image(pixels)


def sample_image(example: np.ndarray) -> QImage | None:
    """One image example ``(H, W, 1 or 3)`` (or ``(H, W)``) as a picture; else ``None``.

    Grey images are scaled min..max; colour images with their three channels
    together, so the colours stay.
    """
    array = np.asarray(example, dtype="float64")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        return map_image(array)
    if array.ndim == 3 and array.shape[2] == 3:
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) / (high - low) if high > low else np.zeros(array.shape)
        return rgb_image(np.round(scaled * 255).astype(np.uint8))
    return None


def describe_example(example: np.ndarray, limit: int = 24) -> str:
    """One line showing a non-image example: token ids or the first values."""
    flat = np.asarray(example).reshape(-1)
    if np.issubdtype(flat.dtype, np.integer):
        shown = " ".join(str(int(v)) for v in flat[:limit])
    else:
        shown = ", ".join(f"{float(v):.3g}" for v in flat[:limit])
    return shown + (" …" if flat.size > limit else "")
