"""What every view into a model needs: its error, the layer, the sample, sub-models.

Keras is imported inside the functions, so ``import netlab.inspect`` stays as
light as ``import netlab``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netlab.errors import InspectError


def find_layer(model: Any, name: str) -> Any:
    """The model's layer called ``name`` (the graph node of that name).

    Raises:
        InspectError: If there is no such layer, or it is the model's input.
    """
    import keras

    names = [layer.name for layer in model.layers]
    if name not in names:
        raise InspectError(name, "the model has no layer of that name (Output nodes have none)")
    layer = model.get_layer(name)
    if isinstance(layer, keras.layers.InputLayer):
        raise InspectError(name, "this is the model's input; choose a layer after it")
    return layer


def sample_batch(model: Any, sample: Any, node: str) -> np.ndarray:
    """One example as a batch of one, in the dtype of the model's single input.

    Args:
        model: A model with one input.
        sample: One example, shaped like the input without the batch axis.
        node: The layer asked about, named in errors.

    Raises:
        InspectError: If the model has several inputs or the sample's shape
            does not fit.
    """
    if len(model.inputs) != 1:
        raise InspectError(node, f"the model has {len(model.inputs)} inputs; inspection needs one")
    tensor = model.inputs[0]
    expected = tuple(tensor.shape[1:])
    array = np.asarray(sample)
    fits = array.ndim == len(expected) and all(
        want is None or want == got for want, got in zip(expected, array.shape, strict=True)
    )
    if not fits:
        raise InspectError(
            node, f"the sample has shape {array.shape} but the model's input takes {expected}"
        )
    return array[None].astype(tensor.dtype)


def to_numpy(value: Any) -> np.ndarray:
    """A backend tensor as a NumPy array; half-precision floats become float32."""
    import keras

    array = np.asarray(keras.ops.convert_to_numpy(value))
    if keras.backend.standardize_dtype(array.dtype) in ("float16", "bfloat16"):
        return array.astype("float32")
    return array


def layer_inputs(layer: Any) -> list[Any]:
    """The symbolic tensors the layer was called on, in call order."""
    inputs = layer.input
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


def run_to(model: Any, outputs: list[Any], batch: np.ndarray) -> list[np.ndarray]:
    """Runs ``model`` on ``batch`` (inference mode) up to the symbolic ``outputs``.

    Returns:
        The values of ``outputs`` for the batch, as NumPy arrays.
    """
    import keras

    sub = keras.Model(model.inputs[0], outputs)
    values = sub(batch, training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return [to_numpy(v) for v in values]
