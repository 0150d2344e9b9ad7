"""Catalog entries of Keras's image augmentation layers: active in training only."""

from __future__ import annotations

from typing import Any

from netlab.catalog.spec import (
    LayerSpec,
    Param,
    Shape,
    layer_maker,
    need_rank,
    no_weights,
)
from netlab.errors import ShapeError

IMAGE = "an image (height, width, channels)"
FILL = ("reflect", "wrap", "nearest", "constant")
TRAINING_ONLY = " Active in training only: at inference the image passes unchanged."


def _image(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return need_rank(ins, 3, IMAGE)


def _crop_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, channels = need_rank(ins, 3, IMAGE)
    for size, crop, what in ((height, params["height"], "height"),
                             (width, params["width"], "width")):  # fmt: skip
        if size is not None and crop > size:
            raise ShapeError(what, f"cannot crop {crop} from an image {what} of {size}")
    return (params["height"], params["width"], channels)


def _factor(help_text: str, default: float = 0.1) -> Param:
    return Param("factor", "float", default, help_text, 0.0, 1.0)


def _fill() -> tuple[Param, ...]:
    return (Param("fill_mode", "choice", "reflect", "how pixels outside the image are filled",
                  choices=FILL),
            Param("interpolation", "choice", "bilinear", "how pixels are resampled",
                  choices=("bilinear", "nearest")))  # fmt: skip


def _seed() -> Param:
    return Param("seed", "optional_int", None, "random seed; empty: a new one each run", 0,
                 2**31 - 1)


def _augment(key: str, title: str, text: str, params: tuple[Param, ...], shape: Any = _image,
             key_params: tuple[str, ...] = ()) -> LayerSpec:  # fmt: skip
    return LayerSpec(key, title, "Augmentation", text + TRAINING_ONLY, (*params, _seed()),
                     ("input",), shape, no_weights, layer_maker(key), key,
                     key_params=key_params, capabilities=frozenset({"augmentation"}))


ENTRIES = (
    _augment("RandomFlip", "Random flip", "Mirrors each image at random, left-right and/or "
             "up-down.",
             (Param("mode", "choice", "horizontal", "which flips",
                    choices=("horizontal", "vertical", "horizontal_and_vertical")),),
             key_params=("mode",)),
    _augment("RandomRotation", "Random rotation", "Rotates each image by a random angle of up to "
             "factor * 360 degrees either way.",
             (_factor("largest rotation, as a fraction of a full turn"), *_fill()),
             key_params=("factor",)),
    _augment("RandomZoom", "Random zoom", "Zooms each image in or out at random by up to "
             "height_factor (width_factor: the same unless set).",
             (Param("height_factor", "float", 0.1, "largest zoom of the height, as a fraction",
                    -1.0, 1.0),
              Param("width_factor", "optional_float", None, "largest zoom of the width; empty: "
                    "keeps the aspect ratio", -1.0, 1.0), *_fill()),
             key_params=("height_factor",)),
    _augment("RandomTranslation", "Random translation", "Shifts each image at random by up to "
             "a fraction of its height and width.",
             (Param("height_factor", "float", 0.1, "largest vertical shift, as a fraction",
                    -1.0, 1.0),
              Param("width_factor", "float", 0.1, "largest horizontal shift, as a fraction",
                    -1.0, 1.0), *_fill()),
             key_params=("height_factor", "width_factor")),
    _augment("RandomCrop", "Random crop", "Cuts a random height x width window out of each image "
             "in training; at inference the centre (resized to fit).",
             (Param("height", "int", 24, "height of the crop", 1, 65536),
              Param("width", "int", 24, "width of the crop", 1, 65536)),
             _crop_shape, key_params=("height", "width")),
    _augment("RandomContrast", "Random contrast", "Scales each image's contrast by a random "
             "factor in [1 - factor, 1 + factor].",
             (_factor("largest change of contrast", 0.2),), key_params=("factor",)),
)  # fmt: skip
