"""Kernels by hand and the lecture's example, for inspecting a network without training it.

The lecture's example: an 8x8 image (a bright 4x4 square on a dark ground), the
horizontal-edge kernel ``1 2 1 / 0 0 0 / -1 -2 -1``. Without padding and with
stride 1 the output is 6x6 (``⌊(8 − 3)/1⌋ + 1``); with padding 1 and stride 2 it
is 4x4 (``⌊(8 + 2 − 3)/2⌋ + 1``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from netlab.errors import InspectError

LECTURE_KERNEL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], "float32")


def lecture_image() -> np.ndarray:
    """The lecture's 8x8 input: 1 on a 4x4 square (rows and columns 2 to 5), else 0."""
    image = np.zeros((8, 8), "float32")
    image[2:6, 2:6] = 1.0
    return image


def parse_kernel(text: str, shape: tuple[int, int], node: str = "kernel") -> np.ndarray:
    """A kernel typed as rows of numbers (``1 2 1`` per line; commas or ``;`` also work).

    Args:
        text: The rows, one per line or separated by ``;`` or ``/``.
        shape: ``(kh, kw)`` the layer's kernel has.
        node: The layer named in errors.

    Raises:
        InspectError: If a value is not a finite number or the rows do not make
            ``kh`` rows of ``kw`` values.
    """
    rows = [r for r in re.split(r"[\n;/]", text) if r.strip()]
    values = []
    for number, row in enumerate(rows, start=1):
        cells = [c for c in re.split(r"[\s,]+", row.strip()) if c]
        try:
            numbers = [float(c.replace("−", "-")) for c in cells]
        except ValueError:
            raise InspectError(node, f"row {number} of the kernel: {row.strip()!r} is not "
                                     "numbers") from None  # fmt: skip
        if not all(np.isfinite(numbers)):
            raise InspectError(node, f"row {number} of the kernel holds a value that is not finite")
        values.append(numbers)
    kh, kw = shape
    if len(values) != kh or any(len(r) != kw for r in values):
        got = "x".join(str(len(r)) for r in values) or "nothing"
        raise InspectError(node, f"the kernel is {kh}x{kw}: type {kh} rows of {kw} numbers "
                                 f"(got rows of {got})")  # fmt: skip
    return np.array(values, "float32")


def format_kernel(kernel: np.ndarray) -> str:
    """The rows of a 2-D kernel as :func:`parse_kernel` reads them (``%g``)."""
    return "\n".join(" ".join(f"{v:g}" for v in row) for row in np.asarray(kernel))


def with_kernel(weights: Sequence[np.ndarray], kernel: np.ndarray, in_channel: int,
                out_channel: int, bias: float | None = None, node: str = "kernel"
                ) -> list[np.ndarray]:  # fmt: skip
    """A convolution's weights with one 2-D slice of its kernel (and its bias) replaced.

    Args:
        weights: The layer's arrays: ``kernel (kh, kw, C_in, C_out)`` and, if it has
            one, ``bias (C_out,)``.
        kernel: ``(kh, kw)`` values for input channel ``in_channel`` of output
            channel ``out_channel``.
        bias: The output channel's bias, or ``None`` to keep it.
        node: The layer named in errors.

    Returns:
        New arrays (the inputs are not changed).

    Raises:
        InspectError: If the layer has no 4-D kernel, a channel is out of range, or
            a bias is given for a layer without one.
    """
    if not weights or np.ndim(weights[0]) != 4:
        raise InspectError(node, "only a 2-D convolution's kernel can be set by hand")
    arrays = [np.array(w, copy=True) for w in weights]
    full = arrays[0]
    kh, kw, inputs, outputs = full.shape
    if not (0 <= in_channel < inputs and 0 <= out_channel < outputs):
        raise InspectError(node, f"channel ({in_channel}, {out_channel}) is outside the "
                                 f"kernel's {inputs} input and {outputs} output channels")
    if np.shape(kernel) != (kh, kw):
        raise InspectError(node, f"the kernel is {kh}x{kw}, not {np.shape(kernel)}")
    full[:, :, in_channel, out_channel] = kernel
    if bias is not None:
        if len(arrays) < 2:
            raise InspectError(node, "this layer has no bias (use_bias is off)")
        arrays[1][out_channel] = bias
    return arrays
