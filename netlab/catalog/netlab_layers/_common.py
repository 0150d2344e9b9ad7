"""Helpers shared by the entries of NetLab's layers."""

from __future__ import annotations

from typing import Any

from netlab.catalog.spec import ACTIVATIONS, Param, layer_maker

IMAGE = "an image (height, width, channels)"
SEQUENCE = "a sequence (length, features)"


def ours(class_name: str) -> Any:
    """A ``make_layer`` building ``netlab.layers.<class_name>``."""
    return layer_maker(class_name, "netlab")


def dropout() -> Param:
    """The ``dropout`` parameter of attention layers."""
    return Param("dropout", "float", 0.0, "dropout rate in training", 0.0, 1.0,
                 exclusive_max=True)  # fmt: skip


def heads() -> tuple[Param, Param]:
    """``num_heads`` and ``key_dim``, as attention layers take them."""
    return (
        Param("num_heads", "int", 4, "number of attention heads", 1, 1024),
        Param("key_dim", "optional_int", None, "width of each head; empty: width / heads",
              1, 65536),
    )  # fmt: skip


def activation(default: str, help_text: str) -> Param:
    """An ``activation`` choice."""
    return Param("activation", "choice", default, help_text, choices=ACTIVATIONS)
