"""What an augmentation layer does to real examples: a few random versions of each.

Augmentation layers (``RandomFlip``, ``RandomRotation``, ...) change their input in
training only; in inference they pass it through. The preview calls a copy of the
layer in training mode, so the model's own layer and its random state stay as
they were, and a seed makes the preview repeatable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netlab.errors import InspectError
from netlab.inspect._common import find_layer, layer_inputs, run_to, to_numpy


def augmented_examples(model: Any, layer_name: str, examples: Any, repeats: int = 3,
                       seed: int = 0) -> np.ndarray:  # fmt: skip
    """Each example as the layer receives it, then ``repeats`` augmented versions.

    Args:
        model: A model with one input.
        layer_name: The augmentation layer.
        examples: A batch prepared as the model takes it ``(n, ...)``.
        repeats: Augmented versions per example.
        seed: Seed of the layer's copy.

    Returns:
        ``(n, 1 + repeats, H, W, C)``: column 0 is the layer's input.

    Raises:
        InspectError: If the examples do not fit the model's input, or the layer's
            input is not an image batch ``(n, H, W, C)``.
    """
    layer = find_layer(model, layer_name)
    batch = np.asarray(examples)
    expected = tuple(model.inputs[0].shape[1:])
    if batch.shape[1:] != expected:
        raise InspectError(layer_name, f"the data set's examples have shape {batch.shape[1:]} "
                           f"but the model's input takes {expected}: choose a data set that "
                           "fits on the Training tab")  # fmt: skip
    batch = batch.astype(model.inputs[0].dtype)
    (before,) = run_to(model, layer_inputs(layer)[:1], batch)
    if before.ndim != 4:
        raise InspectError(layer_name, f"its input has shape {before.shape[1:]}; the preview "
                           "shows images (height, width, channels)")  # fmt: skip
    config = layer.get_config()
    if "seed" in config:
        config["seed"] = seed
    copy = type(layer).from_config(config)
    versions = [before] + [to_numpy(copy(before, training=True)) for _ in range(repeats)]
    if any(v.shape != before.shape for v in versions):  # RandomCrop: smaller, shown as it is
        return _padded(versions)
    return np.stack(versions, axis=1)


def _padded(versions: list[np.ndarray]) -> np.ndarray:
    height = max(v.shape[1] for v in versions)
    width = max(v.shape[2] for v in versions)
    out = np.full((len(versions[0]), len(versions), height, width, versions[0].shape[3]), np.nan,
                  dtype="float32")  # fmt: skip
    for i, version in enumerate(versions):
        out[:, i, : version.shape[1], : version.shape[2]] = version
    return out


def preview_mosaic(versions: Any, padding: int = 2) -> np.ndarray:
    """The versions as one RGB mosaic ``uint8 (H', W', 3)``: a row per example.

    Each row is scaled by its first image's range, so the augmented versions are
    shown on the same scale as the original (a contrast change stays visible).
    One channel is grey; three are colour; otherwise the first channel is shown.
    Areas outside a cropped image (NaN) are white.
    """
    values = np.asarray(versions, dtype="float64")
    rows, columns, height, width, channels = values.shape
    if channels != 3:
        values = values[..., :1]
    out = np.full((rows * (height + padding) - padding, columns * (width + padding) - padding, 3),
                  255, dtype=np.uint8)  # fmt: skip
    for r in range(rows):
        first = values[r, 0]
        finite = first[np.isfinite(first)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        for c in range(columns):
            image = values[r, c]
            blank = ~np.isfinite(image)
            scaled = (image - low) / (high - low) if high > low else np.zeros(image.shape)
            pixels = np.clip(np.round(np.nan_to_num(scaled) * 255), 0, 255).astype(np.uint8)
            pixels[blank] = 255
            if pixels.shape[-1] == 1:
                pixels = np.repeat(pixels, 3, axis=-1)
            top, left = r * (height + padding), c * (width + padding)
            out[top: top + height, left: left + width] = pixels
    return out


__all__ = ["augmented_examples", "preview_mosaic"]
