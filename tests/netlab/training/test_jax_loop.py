"""The JAX backend's training loop: data on the device, one compile, same results either way.

``dev.sh test`` runs this file on the JAX backend; on TensorFlow the engine uses
``model.fit`` and these tests do not apply.
"""

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.data import load_dataset
from netlab.project import default_training_config
from netlab.training import TrainingRun, jax_loop
from netlab.training.setup import prepare_arrays

jax_only = pytest.mark.skipif(keras.backend.backend() != "jax",
                                reason="the JAX loop runs on the JAX backend only")  # fmt: skip


def _config(**overrides):
    return {**default_training_config(), "epochs": 3, "batch_size": 64, **overrides}


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture
def steps(monkeypatch):
    """The jitted step functions the loop makes."""
    made = []
    original = jax_loop._step_function

    def spy(model, resident):
        made.append(original(model, resident))
        return made[-1]

    monkeypatch.setattr(jax_loop, "_step_function", spy)
    return made


@jax_only
def test_data_stays_on_the_device_and_each_batch_shape_compiles_once(digits, steps):
    run = TrainingRun(templates.mlp(), digits, _config())
    record = run.run()
    assert record.status == "finished"
    assert run.input_path == "resident"
    # 1,437 training examples: full batches of 64 and a last one of 29.
    assert [step._cache_size() for step in steps] == [2]


@jax_only
def test_copied_batches_train_exactly_as_resident_data(digits, monkeypatch):
    resident = TrainingRun(templates.mlp(), digits, _config())
    resident.run()
    monkeypatch.setattr(jax_loop, "fits_on_device", lambda arrays, device: False)
    copied = TrainingRun(templates.mlp(), digits, _config())
    copied.run()
    assert copied.input_path == "copied"
    assert len(copied.record.epochs) == 3
    for ours, theirs in zip(resident.record.epochs, copied.record.epochs, strict=True):
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-5)
        assert ours["val_accuracy"] == theirs["val_accuracy"]


@jax_only
def test_validation_metrics_match_an_evaluation_of_the_trained_weights(digits):
    run = TrainingRun(templates.mlp(), digits, _config(epochs=2))
    record = run.run()
    arrays = prepare_arrays(digits, run.config)
    results = run.model.evaluate(arrays["x_val"], arrays["y_val"], verbose=0, return_dict=True)
    assert record.epochs[-1]["val_loss"] == pytest.approx(results["loss"], rel=1e-4)
    assert record.epochs[-1]["val_accuracy"] == pytest.approx(results["accuracy"])


def test_device_memory_decides_resident_or_copied():
    class Gpu:
        platform = "gpu"

        def memory_stats(self):
            return {"bytes_limit": 1000, "bytes_in_use": 200}

    small, large = np.zeros(80, "float32"), np.zeros(81, "float32")  # 320 and 324 bytes
    assert jax_loop.fits_on_device([small], Gpu())
    assert not jax_loop.fits_on_device([large], Gpu())
