"""Argument checks shared by the layers: one clear message per bad value."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from netlab.errors import LayerArgumentError


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value: Any) -> int:
    """Returns ``value`` as an int, or raises if it is not a positive integer."""
    if not _is_int(value) or value <= 0:
        raise LayerArgumentError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def non_negative_int(name: str, value: Any) -> int:
    """Returns ``value`` as an int, or raises if it is not an integer >= 0."""
    if not _is_int(value) or value < 0:
        raise LayerArgumentError(f"`{name}` must be an integer >= 0. Received: {name}={value!r}")
    return int(value)


def int_pair(name: str, value: Any, *, minimum: int) -> tuple[int, int]:
    """Returns an int or a pair of ints as a pair, each at least ``minimum``."""
    pair = (value, value) if _is_int(value) else value
    if (
        not isinstance(pair, Sequence)
        or isinstance(pair, str)
        or len(pair) != 2
        or not all(_is_int(v) and v >= minimum for v in pair)
    ):
        raise LayerArgumentError(
            f"`{name}` must be an integer >= {minimum} or a pair of them. "
            f"Received: {name}={value!r}"
        )
    return int(pair[0]), int(pair[1])


def rate(name: str, value: Any) -> float:
    """Returns a dropout rate, or raises if it is not a number in [0, 1)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or \
            not 0.0 <= float(value) < 1.0:  # fmt: skip
        raise LayerArgumentError(f"`{name}` must be a number in [0, 1). Received: {name}={value!r}")
    return float(value)


def positive_float(name: str, value: Any) -> float:
    """Returns ``value`` as a float, or raises if it is not a number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value <= 0:
        raise LayerArgumentError(f"`{name}` must be a number > 0. Received: {name}={value!r}")
    return float(value)


def boolean(name: str, value: Any) -> bool:
    """Returns ``value``, or raises if it is not a bool."""
    if not isinstance(value, bool):
        raise LayerArgumentError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return value


def rank(layer: str, name: str, shape: Sequence[Any], expected: int) -> None:
    """Raises if an input ``shape`` does not have ``expected`` dimensions."""
    if len(shape) != expected:
        raise LayerArgumentError(
            f"{layer} expects a {expected}-D input {name} (batch included); "
            f"received shape {tuple(shape)}"
        )


def last_dim(layer: str, shape: Sequence[Any]) -> int:
    """Returns the last dimension of ``shape``; it must be known."""
    if not shape or shape[-1] is None:
        raise LayerArgumentError(
            f"{layer} needs a known last dimension; received shape {tuple(shape)}"
        )
    return int(shape[-1])


def keep_frozen(layer: Any) -> None:
    """Freezes the sublayers a frozen layer built (call at the end of ``build``).

    Keras's ``trainable`` setter reaches the sublayers that exist when it runs; a
    layer made frozen before it builds them (loaded from a file) would train them.
    """
    if not layer.trainable:
        for sublayer in layer._flatten_layers(include_self=False):  # noqa: SLF001 (Keras's walk)
            sublayer.trainable = False
