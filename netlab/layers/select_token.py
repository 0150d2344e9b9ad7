"""Takes one position out of a sequence (ViT reads its class token this way)."""

from __future__ import annotations

from typing import Any

import keras

from netlab.errors import LayerArgumentError
from netlab.layers import _checks


@keras.saving.register_keras_serializable(package="netlab")
class SelectToken(keras.layers.Layer):
    """Returns the vector at one position of a sequence: ``x[:, index]``.

    In a Vision Transformer the classifier head reads only the output at the
    class token's position (index 0).

    Args:
        index: Position to take, >= 0 and less than the sequence length.
        **kwargs: Base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: A sequence ``(batch, length, dim)``.

    Example:

    >>> SelectToken(0).compute_output_shape((None, 197, 768))
    (None, 768)
    """

    def __init__(self, index: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = _checks.non_negative_int("index", index)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        _checks.rank(self.__class__.__name__, "sequence", input_shape, 3)
        length = input_shape[1]
        if length is not None and self.index >= length:
            raise LayerArgumentError(
                f"SelectToken: `index`={self.index} is outside a sequence of length {length}"
            )
        return (input_shape[0], input_shape[2])

    def build(self, input_shape: tuple[Any, ...]) -> None:
        self.compute_output_shape(input_shape)

    def call(self, inputs: Any) -> Any:
        return inputs[:, self.index]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "index": self.index}
