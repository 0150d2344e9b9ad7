"""Catalog entry of :class:`netlab.layers.Conv2D` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import IMAGE, activation, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, known, need_rank
from netlab.errors import LayerArgumentError, ShapeError
from netlab.shapes import conv_output_length


def output_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """``(H_out, W_out, filters)``, each side ``floor((H + 2p - K) / s) + 1``."""
    height, width, _ = need_rank(ins, 3, IMAGE)
    padding = params["padding"]
    out = []
    for axis, size in enumerate((height, width)):
        pad = padding if isinstance(padding, str) else padding[axis]
        k = params["dilation_rate"][axis] * (params["kernel_size"][axis] - 1) + 1
        s = params["strides"][axis]
        try:
            out.append(None if size is None else conv_output_length(size, k, s, pad))
        except LayerArgumentError as err:
            raise ShapeError("kernel_size", f"the {err}") from None
    return (*out, params["filters"])


def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """The kernel ``(K_h, K_w, C_in / groups, filters)`` and the bias ``(filters,)``."""
    kh, kw = params["kernel_size"]
    channels = known(ins[0][-1], "number of input channels")
    groups = params["groups"]
    if channels % groups or params["filters"] % groups:
        raise ShapeError("groups", f"groups ({groups}) must divide the input channels "
                         f"({channels}) and the filters ({params['filters']})")  # fmt: skip
    channels //= groups
    kernel = WeightSpec("kernel", (kh, kw, channels, params["filters"]))
    return [kernel, WeightSpec("bias", (params["filters"],))] if params["use_bias"] else [kernel]


ENTRIES = (
    LayerSpec("Conv2D", "Convolution 2D", "Convolution",
              "Slides filters over the image: each output channel is a dot product of its "
              "kernel with every window of all input channels. Output size "
              "floor((H + 2*padding - span) / stride) + 1, where a kernel of size k with "
              "dilation d spans d*(k-1)+1 pixels.",
              (Param("filters", "int", 16, "number of output channels", 1, 65536),
               Param("kernel_size", "int_pair", 3, "kernel height and width", 1, 1024),
               Param("strides", "int_pair", 1, "step of the window", 1, 1024),
               Param("padding", "padding", 0, "zeros on each side, or valid / same", 0, 1024),
               Param("dilation_rate", "int_pair", 1, "gap between kernel taps (1: none)", 1,
                     1024),
               Param("groups", "int", 1, "independent channel groups (each sees C_in / groups "
                     "inputs)", 1, 65536),
               activation("linear", "function applied to the output"),
               Param("use_bias", "bool", True, "add a learned bias per channel")),
              ("input",), output_shape, weights, ours("Conv2D"), "netlab>Conv2D",
              key_params=("filters", "kernel_size", "strides", "padding"),
              capabilities=frozenset({"kernel"})),
)  # fmt: skip
