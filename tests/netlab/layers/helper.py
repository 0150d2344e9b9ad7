"""One helper that puts any NetLab layer through everything a layer must do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np


def random_inputs(shapes: Any, seed: int = 0, offset: float = 0.0) -> Any:
    """Random float32 arrays of the given shape, or of each shape in a list."""
    rng = np.random.default_rng(seed)
    if isinstance(shapes, list):
        return [rng.standard_normal(s).astype("float32") + offset for s in shapes]
    return rng.standard_normal(shapes).astype("float32") + offset


def _with_none_batch(shapes: Any) -> Any:
    return [(None, *s[1:]) for s in shapes] if isinstance(shapes, list) else (None, *shapes[1:])


def _weights_by_path(model: keras.Model) -> dict[str, np.ndarray]:
    return {w.path: keras.ops.convert_to_numpy(w) for w in model.trainable_weights}


def run_layer_test(
    layer_cls: type[keras.layers.Layer],
    init_kwargs: dict[str, Any],
    input_shape: tuple[int, ...] | Sequence[tuple[int, ...]],
    tmp_path: Path,
    *,
    train_steps: int = 1,
    expected_output_shape: tuple[int, ...] | None = None,
) -> keras.layers.Layer:
    """Checks one layer end to end and returns the built layer.

    1. Calls it on random data; the output shape equals ``compute_output_shape``
       (and ``expected_output_shape`` when given), also with an unknown batch.
    2. ``from_config(get_config())`` gives an equal config and, with the same
       weights, the same outputs.
    3. A model holding it saved as ``.keras`` and loaded with Keras's own loader
       (safe mode on) predicts exactly the same.
    4. ``train_steps`` steps of plain SGD change every trainable weight, so the
       gradient reaches each of them.

    ``input_shape`` includes the batch size; a list of shapes means a layer
    taking a list of inputs.
    """
    layer = layer_cls(**init_kwargs)
    data = random_inputs(input_shape)
    outputs = keras.ops.convert_to_numpy(layer(data))
    declared = tuple(layer.compute_output_shape(input_shape))
    assert outputs.shape == declared, (
        f"{layer_cls.__name__}: ran {outputs.shape}, declared {declared}"
    )
    if expected_output_shape is not None:
        assert declared == tuple(expected_output_shape)

    # Symbolic: the functional model's shape agrees with compute_output_shape.
    if isinstance(input_shape, list):
        inputs = [keras.Input(shape[1:]) for shape in input_shape]
    else:
        inputs = keras.Input(input_shape[1:])
    model_layer = layer_cls(**init_kwargs)
    model = keras.Model(inputs, model_layer(inputs))
    assert tuple(model.output.shape) == tuple(
        model_layer.compute_output_shape(_with_none_batch(input_shape))
    )

    # Config round trip, then the same weights give the same outputs.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    clone(data)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(clone(data)), outputs)

    # Save as .keras and load it with Keras's own loader.
    path = tmp_path / f"{layer_cls.__name__}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))

    # Training: every trainable weight receives a gradient.
    if not model.trainable_weights:
        return layer
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    before = _weights_by_path(model)
    target = random_inputs(tuple(outputs.shape), seed=1)
    for _ in range(train_steps):
        model.train_on_batch(data, target)
    after = _weights_by_path(model)
    unchanged = [path for path in before if np.array_equal(before[path], after[path])]
    assert not unchanged, f"{layer_cls.__name__}: no gradient reached {unchanged}"
    return layer
