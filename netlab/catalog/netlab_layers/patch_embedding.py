"""Catalog entries of :class:`netlab.layers.PatchEmbedding` and ``ClassToken`` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import IMAGE, SEQUENCE, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, known, need_rank
from netlab.errors import ShapeError


def _patch_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, _ = need_rank(ins, 3, IMAGE)
    p = params["patch_size"]
    for label, size in (("height", height), ("width", width)):
        if size is not None and (size < p or size % p):
            raise ShapeError("patch_size", f"image {label} {size} is not a multiple of "
                                           f"patch_size {p}")  # fmt: skip
    return (None if None in (height, width) else (height // p) * (width // p), params["dim"])


def _patch_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    p, dim = params["patch_size"], params["dim"]
    channels = known(ins[0][-1], "number of channels")
    return [WeightSpec("projection/kernel", (p, p, channels, dim)),
            WeightSpec("projection/bias", (dim,))]  # fmt: skip


def _token_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, dim = need_rank(ins, 2, SEQUENCE)
    return (None if length is None else length + 1, dim)


def _token_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    return [WeightSpec("token", (1, 1, known(ins[0][-1], "width")))]


ENTRIES = (
    LayerSpec("PatchEmbedding", "Patch embedding", "Embedding",
              "Cuts the image into patch_size x patch_size squares and projects each to a "
              "vector: 224x224 with 16x16 patches gives 196 tokens.",
              (Param("patch_size", "int", 16, "side of each patch", 1, 4096),
               Param("dim", "int", 64, "width of each token", 1, 1_000_000)),
              ("input",), _patch_shape, _patch_weights, ours("PatchEmbedding"),
              "netlab>PatchEmbedding", key_params=("patch_size", "dim"),
              capabilities=frozenset({"patches"})),
    LayerSpec("ClassToken", "Class token", "Embedding",
              "Puts one learned token in front of the sequence; its output feeds the "
              "classifier (ViT).",
              (), ("input",), _token_shape, _token_weights, ours("ClassToken"),
              "netlab>ClassToken"),
)  # fmt: skip
