"""2-D convolution with explicit, symmetric padding (the course's definition)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.errors import LayerArgumentError
from netlab.layers import _checks
from netlab.shapes import conv_output_length, same_padding


@keras.saving.register_keras_serializable(package="netlab")
class Conv2D(keras.layers.Layer):
    """2-D convolution: a sliding-window dot product over all input channels.

    Each of the ``filters`` output channels has its own kernel of shape
    ``(kernel_h, kernel_w, in_channels)``; at every window position the output is
    the sum of the element-wise product of kernel and window, plus a bias. The
    kernel is stored as ``(kernel_h, kernel_w, in_channels, filters)`` and the
    bias as ``(filters,)``, exactly as in ``keras.layers.Conv2D``, so weights copy
    between the two. Channels-last.

    Padding: an integer ``p`` (or a pair ``(p_h, p_w)``) adds ``p`` rows of zeros
    at the top *and* at the bottom (and ``p_w`` columns left and right), so the
    output height is ``floor((H + 2 * p_h - kernel_h) / stride_h) + 1``, and the
    same for the width. ``"valid"`` means no padding; ``"same"`` follows Keras
    exactly, which is *not* always symmetric: with stride 2 on an even size and a
    3x3 kernel, Keras pads 0 before and 1 after, while ``padding=1`` pads 1 on
    both sides. Both give the same output size there but different windows;
    libraries differ in this, so NetLab keeps both.

    Args:
        filters: Number of output channels, > 0.
        kernel_size: Kernel height and width: an int or a pair.
        strides: Step of the window: an int or a pair, default 1.
        padding: An int >= 0, a pair of them, ``"valid"`` or ``"same"``.
        dilation_rate: Gap between kernel taps (an int or a pair, default 1): a
            kernel of size ``k`` then spans ``d * (k - 1) + 1`` pixels.
        groups: Number of independent channel groups (default 1): each group of
            ``in_channels / groups`` inputs feeds ``filters / groups`` outputs.
        activation: Activation applied to the output (name or callable).
        use_bias: Whether to add a bias per output channel.
        kernel_initializer: Initializer of the kernel.
        bias_initializer: Initializer of the bias.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor of shape ``(batch, height, width, in_channels)``.

    Example:

    >>> layer = Conv2D(8, 3, strides=2, padding=1)
    >>> layer.compute_output_shape((None, 28, 28, 1))
    (None, 14, 14, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation_rate: int | tuple[int, int] = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = _checks.positive_int("filters", filters)
        self.kernel_size = _checks.int_pair("kernel_size", kernel_size, minimum=1)
        self.strides = _checks.int_pair("strides", strides, minimum=1)
        if isinstance(padding, str):
            if padding.lower() not in ("valid", "same"):
                raise LayerArgumentError(
                    "`padding` must be an integer >= 0, a pair of them, 'valid' "
                    f"or 'same'. Received: padding={padding!r}"
                )
            self.padding: tuple[int, int] | str = padding.lower()
        else:
            self.padding = _checks.int_pair("padding", padding, minimum=0)
        self.dilation_rate = _checks.int_pair("dilation_rate", dilation_rate, minimum=1)
        self.groups = _checks.positive_int("groups", groups)
        if self.filters % self.groups:
            raise LayerArgumentError(f"`filters` ({self.filters}) must be a multiple of `groups` "
                                     f"({self.groups})")  # fmt: skip
        self.activation = keras.activations.get(activation)
        self.use_bias = _checks.boolean("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        in_channels = _checks.last_dim(self.__class__.__name__, input_shape)
        self.compute_output_shape(input_shape)  # raises on a too-large kernel
        if in_channels % self.groups:
            raise LayerArgumentError(f"the input channels ({in_channels}) must be a multiple of "
                                     f"`groups` ({self.groups})")  # fmt: skip
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, in_channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def _pads_and_mode(self, spatial: tuple[Any, Any]) -> tuple[list[tuple[int, int]], str]:
        """Returns the zeros to add per spatial axis and the conv mode to use.

        Why: where the padding a window reaches is the one Keras's "same" would
        use, the backend's own "same" convolution runs without a separate pad.
        Otherwise the zeros are padded as asked, on both sides, including a row
        that no window reaches (a stride-2 convolution of an even size): on JAX's
        CPU backend a symmetric pad before the convolution costs what "same"
        costs, and the trimmed (1, 0) pad 6-15% more (bench/layers_vs_keras.py;
        on TensorFlow both cost the same).
        """
        if isinstance(self.padding, str):
            return [(0, 0), (0, 0)], self.padding
        axes = list(zip(spatial, self._spans(), self.strides, self.padding, strict=True))
        if any(size is None for size, *_ in axes):
            return [(p, p) for *_, p in axes], "valid"
        pads = [
            (p, max(0, (conv_output_length(size, k, s, p) - 1) * s + k - size - p))
            for size, k, s, p in axes
        ]
        if all(
            pad == same_padding(size, k, s) for pad, (size, k, s, _) in zip(pads, axes, strict=True)
        ):
            return [(0, 0), (0, 0)], "same"
        return [(p, p) for *_, p in axes], "valid"

    def call(self, inputs: Any) -> Any:
        pads, mode = self._pads_and_mode((inputs.shape[1], inputs.shape[2]))
        if any(any(pad) for pad in pads):
            inputs = ops.pad(inputs, [(0, 0), *pads, (0, 0)])
        outputs = ops.conv(inputs, self.kernel, strides=self.strides, padding=mode,
                           dilation_rate=self.dilation_rate)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def _spans(self) -> tuple[int, int]:
        """The pixels a (dilated) kernel covers: ``d * (k - 1) + 1`` per axis."""
        return tuple(d * (k - 1) + 1 for k, d in  # type: ignore[return-value]
                     zip(self.kernel_size, self.dilation_rate, strict=True))  # fmt: skip

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.rank(self.__class__.__name__, "tensor", input_shape, 4)
        padding = self.padding
        spatial = []
        for axis, size in enumerate(input_shape[1:3]):
            pad = padding if isinstance(padding, str) else padding[axis]
            spatial.append(
                None
                if size is None
                else conv_output_length(size, self._spans()[axis], self.strides[axis], pad)
            )
        return (input_shape[0], *spatial, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
