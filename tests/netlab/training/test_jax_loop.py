"""The JAX backend's training loop: data on the device, one compile, same results either way.

``dev.sh test`` runs this file on the JAX backend; on TensorFlow the engine uses
``model.fit`` and these tests do not apply.
"""

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.data import Dataset, load_dataset
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

    def spy(*args, **kwargs):
        made.append(original(*args, **kwargs))
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
def test_streamed_batches_train_exactly_as_resident_data(digits, monkeypatch):
    resident = TrainingRun(templates.mlp(), digits, _config())
    resident.run()
    monkeypatch.setattr(jax_loop, "fits_on_device", lambda arrays, device: False)
    streamed = TrainingRun(templates.mlp(), digits, _config())
    streamed.run()
    assert streamed.input_path == "streamed"
    assert len(streamed.record.epochs) == 3
    for ours, theirs in zip(resident.record.epochs, streamed.record.epochs, strict=True):
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-6)
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


@jax_only
def test_uint8_pixels_converted_on_the_device_are_exactly_the_host_values():
    import jax

    from netlab.data.transform import InputTransform

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (64, 7, 5, 3), dtype=np.uint8)

    def on_device(transform):
        convert = jax.jit(lambda x, c: jax_loop.on_device(transform, x, c))
        return np.asarray(convert(pixels, jax_loop._constants(transform)))

    scaled = InputTransform(scale=255.0)
    np.testing.assert_array_equal(on_device(scaled), scaled(pixels))  # bit for bit
    assert scaled(pixels).max() == 1.0
    assert scaled(pixels).dtype == np.float32
    floats = scaled(pixels)
    standardised = InputTransform(floats.mean(axis=0, keepdims=True),
                                  floats.std(axis=0, keepdims=True), 255.0)  # fmt: skip
    # XLA multiplies by 1 / std (and may fuse a multiply-add): a few units in the last place.
    np.testing.assert_allclose(on_device(standardised), standardised(pixels), rtol=0, atol=3e-7)
    tokens = InputTransform(to_float=False)
    ids = rng.integers(0, 9, (4, 6)).astype("int32")
    assert on_device(tokens).dtype == np.uint8
    assert np.array_equal(tokens(ids), ids)


def _pixels(digits):
    """Digits as uint8 pixels 0..16 with scale 16, and the same data as host float32."""
    pixels = Dataset("pixels", digits.x.astype("uint8"), digits.y, kind="image", scale=16.0)
    floats = Dataset("floats", digits.x.astype("uint8").astype("float32") * np.float32(1 / 16),
                     digits.y, kind="image")  # fmt: skip
    return pixels, floats


@jax_only
@pytest.mark.parametrize("streamed", [False, True])
def test_uint8_data_trains_as_its_float32_values(digits, streamed, monkeypatch):
    pixels, floats = _pixels(digits)
    runs = []
    for data in (floats, pixels):
        if streamed and data is pixels:
            monkeypatch.setattr(jax_loop, "fits_on_device", lambda arrays, device: False)
        run = TrainingRun(templates.cnn(), data, _config(epochs=2))
        assert run.run().status == "finished"
        runs.append(run)
    assert runs[1].input_path == ("streamed" if streamed else "resident")
    for ours, theirs in zip(runs[0].record.epochs, runs[1].record.epochs, strict=True):
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-6)
        assert ours["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-6)


@jax_only
def test_a_memory_mapped_file_streams_with_the_losses_of_the_data_in_memory(digits, tmp_path):
    pixels, _ = _pixels(digits)
    np.save(tmp_path / "digits.npy", pixels.x)
    np.save(tmp_path / "digits_labels.npy", pixels.y)
    mapped = load_dataset(str(tmp_path / "digits.npy"))
    in_memory = Dataset("digits", np.array(mapped.x), mapped.y, class_names=mapped.class_names,
                        kind="image")  # fmt: skip
    runs = [TrainingRun(templates.cnn(), data, _config(epochs=2)) for data in (in_memory, mapped)]
    records = [run.run() for run in runs]
    assert [run.input_path for run in runs] == ["resident", "streamed"]
    for ours, theirs in zip(records[0].epochs, records[1].epochs, strict=True):
        # Statistics of the mapped file are summed in float64, chunk by chunk.
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-4)
        assert ours["val_accuracy"] == pytest.approx(theirs["val_accuracy"], abs=0.003)


@jax_only
def test_a_stop_during_a_streamed_epoch_ends_the_batch_threads(digits, monkeypatch):
    import threading

    monkeypatch.setattr(jax_loop, "fits_on_device", lambda arrays, device: False)
    run = TrainingRun(templates.mlp(), digits, _config(epochs=5, batch_size=16))
    run.subscribe(lambda event: run.stop() if type(event).__name__ == "BatchEnded" else None)
    record = run.run()
    run.wait()
    assert record.status == "stopped"
    # The listener runs on the event thread: the stop lands a few batches later, perhaps
    # in the next epoch, which then ends early; an epoch without a batch is not recorded.
    assert 1 <= len(record.epochs) < 5
    assert all(epoch["loss"] > 0 for epoch in record.epochs)
    assert not [t for t in threading.enumerate() if t.name.startswith("netlab-batches")]
