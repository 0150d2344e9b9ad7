"""Shape arithmetic shared by the layers and the graph's shape inference.

Pure Python, no Keras: the editor recomputes shapes on every keystroke.
"""

from __future__ import annotations

from netlab.errors import LayerArgumentError


def conv_output_length(size: int, kernel: int, stride: int, padding: int | str) -> int:
    """Output length of a convolution (or pooling) along one axis.

    Args:
        size: Input length (height or width).
        kernel: Kernel (or pool) length.
        stride: Step between windows.
        padding: Zeros added on *each* side, or ``"valid"`` (none) or ``"same"``
            (Keras's rule: output ``ceil(size / stride)``).

    Returns:
        ``floor((size + 2 * padding - kernel) / stride) + 1`` for an integer
        padding, and what Keras gives for ``"valid"`` and ``"same"``.

    Raises:
        LayerArgumentError: If the kernel is larger than the padded input.
    """
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else int(padding)
    if size + 2 * pad < kernel:
        raise LayerArgumentError(
            f"kernel of size {kernel} is larger than the padded input "
            f"(size {size} + 2 * padding {pad} = {size + 2 * pad})"
        )
    return (size + 2 * pad - kernel) // stride + 1


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Zeros before and after that Keras's ``"same"`` adds along one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2
