"""Vision Transformer input layers: image patches as tokens, the class token."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from netlab.errors import LayerArgumentError
from netlab.layers import _checks
from netlab.layers.conv2d import Conv2D


@keras.saving.register_keras_serializable(package="netlab")
class PatchEmbedding(keras.layers.Layer):
    """Cuts an image into square patches and projects each to a ``dim`` vector.

    The image is divided into non-overlapping ``patch_size x patch_size``
    patches, read row by row; each patch (all its pixels and channels) is
    multiplied by the same ``(patch_size * patch_size * channels, dim)`` matrix.
    This is a convolution whose kernel and stride are both ``patch_size``, and it
    is computed as one (a :class:`~netlab.layers.Conv2D` named ``projection``).
    A 224x224 image with 16x16 patches gives 14 * 14 = 196 tokens.

    Args:
        patch_size: Side of each square patch in pixels, > 0; it must divide
            the image's height and width.
        dim: Width of each token, > 0.
        kernel_initializer: Initializer of the projection.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: Images ``(batch, height, width, channels)``.

    Example:

    >>> PatchEmbedding(16, 768).compute_output_shape((None, 224, 224, 3))
    (None, 196, 768)
    """

    def __init__(
        self,
        patch_size: int,
        dim: int,
        kernel_initializer: Any = "glorot_uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.patch_size = _checks.positive_int("patch_size", patch_size)
        self.dim = _checks.positive_int("dim", dim)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _num_patches(self, input_shape: tuple[Any, ...]) -> Any:
        _checks.rank(self.__class__.__name__, "image", input_shape, 4)
        height, width = input_shape[1], input_shape[2]
        for label, size in (("height", height), ("width", width)):
            if size is not None and (size < self.patch_size or size % self.patch_size):
                raise LayerArgumentError(
                    f"{self.__class__.__name__}: image {label} {size} is not a "
                    f"multiple of `patch_size`={self.patch_size}"
                )
        if height is None or width is None:
            return None
        return (height // self.patch_size) * (width // self.patch_size)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        self._num_patches(input_shape)
        self.projection = Conv2D(
            self.dim,
            self.patch_size,
            strides=self.patch_size,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="projection",
        )
        self.projection.build(input_shape)
        _checks.keep_frozen(self)

    def call(self, inputs: Any) -> Any:
        patches = self.projection(inputs)
        shape = ops.shape(patches)
        return ops.reshape(patches, (shape[0], shape[1] * shape[2], self.dim))

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        return (input_shape[0], self._num_patches(input_shape), self.dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "patch_size": self.patch_size,
            "dim": self.dim,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="netlab")
class ClassToken(keras.layers.Layer):
    """Prepends one learned token to a sequence (ViT's ``[class]`` token).

    After the encoder, the output at this first position summarises the whole
    sequence and feeds the classifier head.

    Args:
        initializer: Initializer of the token (zeros, as in ViT).
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A sequence ``(batch, length, dim)``.

    Example:

    >>> ClassToken().compute_output_shape((None, 196, 768))
    (None, 197, 768)
    """

    def __init__(self, initializer: Any = "zeros", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape: tuple[Any, ...]) -> None:
        _checks.rank(self.__class__.__name__, "sequence", input_shape, 3)
        dim = _checks.last_dim(self.__class__.__name__, input_shape)
        self.token = self.add_weight(name="token", shape=(1, 1, dim), initializer=self.initializer)

    def call(self, inputs: Any) -> Any:
        batch = ops.shape(inputs)[0]
        token = ops.broadcast_to(ops.cast(self.token, inputs.dtype), (batch, 1, inputs.shape[-1]))
        return ops.concatenate([token, inputs], axis=1)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.rank(self.__class__.__name__, "sequence", input_shape, 3)
        length = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], length, input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initializer": keras.initializers.serialize(self.initializer),
        }
