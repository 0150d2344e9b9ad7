"""The basic block of ResNet: two 3x3 convolutions plus a shortcut."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.layers import _checks
from netlab.layers.conv2d import Conv2D


@keras.saving.register_keras_serializable(package="netlab")
class ResidualBlock(keras.layers.Layer):
    """ResNet's basic block: ``relu(F(x) + shortcut(x))``.

    ``F`` is 3x3 conv (with ``strides``), batch norm, ReLU, 3x3 conv, batch norm;
    both convolutions pad 1 on each side and have no bias (batch norm supplies
    it). The shortcut is the identity when the input already has ``filters``
    channels and ``strides`` is 1; otherwise it is a 1x1 convolution with the
    same stride followed by batch norm (the "projection" shortcut).

    With ``zero_init`` the scale (gamma) of the last batch norm starts at zero,
    so ``F(x) = 0`` and a new block passes ``relu(x)`` through unchanged: deep
    stacks of such blocks start close to the identity and train more easily.

    Args:
        filters: Output channels of both convolutions, > 0.
        strides: Stride of the first convolution and of the projection.
        zero_init: Start the last batch norm's scale at zero.
        kernel_initializer: Initializer of the convolution kernels.
        momentum: Momentum of the batch norms' moving statistics.
        epsilon: Small number added to the batch norms' variance.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A tensor of shape ``(batch, height, width, channels)``.
        training: Whether batch norm uses batch statistics (training) or its
            moving averages (inference).

    Example:

    >>> block = ResidualBlock(64, strides=2)
    >>> block.compute_output_shape((None, 32, 32, 32))
    (None, 16, 16, 64)
    """

    def __init__(
        self,
        filters: int,
        strides: int = 1,
        zero_init: bool = True,
        kernel_initializer: Any = "he_normal",
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = _checks.positive_int("filters", filters)
        self.strides = _checks.positive_int("strides", strides)
        self.zero_init = _checks.boolean("zero_init", zero_init)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.momentum = _checks.rate("momentum", momentum)
        self.epsilon = _checks.positive_float("epsilon", epsilon)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _conv(self, name: str, kernel_size: int, strides: int) -> Conv2D:
        return Conv2D(
            self.filters,
            kernel_size,
            strides=strides,
            padding=kernel_size // 2,
            use_bias=False,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name=name,
        )

    def _norm(self, name: str, gamma: str = "ones") -> keras.layers.BatchNormalization:
        return keras.layers.BatchNormalization(
            momentum=self.momentum,
            epsilon=self.epsilon,
            gamma_initializer=gamma,
            dtype=self.dtype_policy,
            name=name,
        )

    def build(self, input_shape: tuple[Any, ...]) -> None:
        in_channels = _checks.last_dim(self.__class__.__name__, input_shape)
        self.conv1 = self._conv("conv1", 3, self.strides)
        self.conv1.build(input_shape)
        inner_shape = self.conv1.compute_output_shape(input_shape)
        self.norm1 = self._norm("norm1")
        self.norm1.build(inner_shape)
        self.conv2 = self._conv("conv2", 3, 1)
        self.conv2.build(inner_shape)
        self.norm2 = self._norm("norm2", "zeros" if self.zero_init else "ones")
        self.norm2.build(inner_shape)
        self.has_projection = self.strides != 1 or in_channels != self.filters
        if self.has_projection:
            self.shortcut_conv = self._conv("shortcut_conv", 1, self.strides)
            self.shortcut_conv.build(input_shape)
            self.shortcut_norm = self._norm("shortcut_norm")
            self.shortcut_norm.build(inner_shape)
        _checks.keep_frozen(self)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        residual = inputs
        if self.has_projection:
            residual = self.shortcut_norm(self.shortcut_conv(inputs), training=training)
        x = ops.relu(self.norm1(self.conv1(inputs), training=training))
        x = self.norm2(self.conv2(x), training=training)
        return ops.relu(ops.add(x, residual))

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.rank(self.__class__.__name__, "tensor", input_shape, 4)
        return self._conv("conv1", 3, self.strides).compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "strides": self.strides,
            "zero_init": self.zero_init,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }
