"""TensorFlow operators that tf2onnx does not convert, expressed in ONNX's own.

Exact GELU on TensorFlow is ``0.5 * x * erfc(-x / sqrt(2))`` (``tf.nn.gelu``
with ``approximate=False``, which Keras's ``gelu`` activation calls). tf2onnx
1.17 has no handler for ``Erfc`` and leaves it in the graph, and ONNX has no
such operator, so the exported model is invalid. ONNX does have ``Erf``
(opset 9 on), and ``erfc(z) = 1 - erf(z)`` exactly, so ``Erfc`` becomes
``Sub(1, Erf(z))``. In float32 the subtraction loses relative precision where
``erfc`` is tiny, but GELU multiplies it by ``0.5 * x`` there, so the exported
GELU stays within 1e-6 of Keras's (measured over [-12, 12]: at most 4.8e-7, one
float32 rounding of values near 12; tests/netlab/test_onnx_ops.py checks it).

Importing this module does not import tf2onnx; :func:`register` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ONNX_DOMAIN = ""


def _convert_erfc(ctx: Any, node: Any, **kwargs: Any) -> None:
    """Rewrites one TensorFlow ``Erfc`` node in place as ``1 - Erf(x)``."""
    from tf2onnx import utils

    dtype = utils.map_onnx_to_numpy_type(ctx.get_dtype(node.input[0]))
    one = ctx.make_const(utils.make_name(f"{node.name}_one"), np.array(1, dtype=dtype))
    erf = ctx.make_node("Erf", [node.input[0]], op_name_scope=node.name, name="erf")
    node.type = "Sub"
    ctx.replace_inputs(node, [one.output[0], erf.output[0]])


def has_handler(op_type: str) -> bool:
    """Whether tf2onnx (as extended so far) converts the TensorFlow operator ``op_type``."""
    from tf2onnx.handler import tf_op

    return any(op_type in handlers for handlers in tf_op.get_opsets().get(ONNX_DOMAIN, []))


def register() -> None:
    """Teaches tf2onnx to convert ``Erfc`` (once; a no-op if it already can)."""
    import tf2onnx.onnx_opset  # noqa: F401  (registers tf2onnx's own handlers first)
    from tf2onnx.handler import tf_op

    if not has_handler("Erfc"):
        tf_op.register_handler(_convert_erfc, 9, ["Erfc"], ONNX_DOMAIN, {})
