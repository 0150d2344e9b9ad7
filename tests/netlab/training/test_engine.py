"""The training engine driven as the GUI and the command line drive it."""

import math
import threading

import numpy as np
import pytest

from netlab import templates
from netlab.data import load_dataset
from netlab.errors import TrainingError
from netlab.project import default_training_config
from netlab.training import (
    BatchEnded,
    EpochEnded,
    RunEnded,
    RunStarted,
    RunStateChanged,
    TrainingRun,
    list_devices,
)


def _config(**overrides):
    return {**default_training_config(), "epochs": 2, "batch_size": 64, **overrides}


def _collect(run):
    events = []
    run.subscribe(events.append)
    return events


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def test_full_run_emits_events_and_records_history(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=3))
    events = _collect(run)
    record = run.run()
    run.wait()
    assert record.status == "finished"
    kinds = [type(e) for e in events]
    assert kinds[0] is RunStarted
    assert kinds[-1] is RunEnded
    assert kinds.count(EpochEnded) == 3
    started = events[0]
    assert "conv1" in started.summary
    assert started.parameters == 13_706
    assert started.steps_per_epoch == math.ceil(len(digits.x) * 0.8 / 64)
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert len(batches) + sum(b.dropped for b in batches) == 3 * started.steps_per_epoch
    # Coalesced batches still carry their losses: together, every step's exact loss.
    delivered = sorted([*((b.step, b.loss) for b in batches),
                        *((s, loss) for b in batches for s, loss, _ in b.earlier)])  # fmt: skip
    assert [s for s, _ in delivered] == list(range(3 * started.steps_per_epoch))
    assert np.allclose([loss for _, loss in delivered], record.batches["loss"], rtol=1e-5)
    assert [e["epoch"] for e in record.epochs] == [0, 1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"} <= set(record.epochs[0])
    assert len(record.batches["loss"]) == 3 * started.steps_per_epoch
    assert record.batches["loss"][-1] < record.batches["loss"][0]
    assert record.graph == templates.cnn().to_dict()


def test_batch_loss_is_the_batch_not_the_running_mean(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=1))
    record = run.run()
    steps = len(record.batches["loss"])
    full_batches = record.batches["loss"][: steps - 1]  # the last batch is smaller
    mean_of_batches = float(np.mean(full_batches))
    assert abs(mean_of_batches - record.epochs[0]["loss"]) < 0.05 * record.epochs[0]["loss"]


def test_same_seed_same_losses(digits):
    a = TrainingRun(templates.cnn(), digits, _config(seed=3)).run()
    b = TrainingRun(templates.cnn(), digits, _config(seed=3)).run()
    c = TrainingRun(templates.cnn(), digits, _config(seed=4)).run()
    np.testing.assert_array_equal(a.batches["loss"], b.batches["loss"])
    assert not np.array_equal(a.batches["loss"], c.batches["loss"])


def test_stop_mid_epoch_keeps_usable_weights(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=50, batch_size=16))
    seen = threading.Event()

    def stop_after_some(event):
        if isinstance(event, BatchEnded) and event.step >= 30:
            seen.set()

    run.subscribe(stop_after_some)
    run.start()
    assert seen.wait(600)
    run.stop()
    record = run.wait(600)
    assert record.status == "stopped"
    assert record.reason == "stopped by the user"
    assert len(record.batches["loss"]) < 50 * 90
    predictions = run.model.predict(digits.x[:5], verbose=0)
    assert np.isfinite(predictions).all()
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, atol=1e-5)


def test_pause_and_resume(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=30, batch_size=16))
    events = _collect(run)
    started = threading.Event()
    run.subscribe(lambda e: isinstance(e, BatchEnded) and started.set())
    run.start()
    assert started.wait(600)
    run.pause()
    assert run.paused
    assert run.wait_until_held(600)
    run.events.flush(600)
    steps_while_paused = len([e for e in events if isinstance(e, BatchEnded)])
    threading.Event().wait(0.5)
    run.events.flush(600)
    assert len([e for e in events if isinstance(e, BatchEnded)]) == steps_while_paused
    run.resume()
    threading.Event().wait(0.5)
    run.stop()
    record = run.wait(600)
    states = [e.state for e in events if isinstance(e, RunStateChanged)]
    assert states == ["paused", "running"]
    assert len(record.batches["loss"]) > steps_while_paused
    assert record.status == "stopped"


def test_nan_stops_with_message_and_restores_good_weights(digits):
    # A linear output with squared error and a huge SGD step: the loss overflows.
    graph = templates.mlp()
    graph.node_by_name("classifier").params["activation"] = "linear"
    config = _config(epochs=3, optimizer="sgd", learning_rate=10.0, loss="mse", standardize=False)
    run = TrainingRun(graph, digits, config)
    events = _collect(run)
    record = run.run()
    run.wait()
    assert record.status == "failed"
    assert record.reason.startswith("the loss became inf at epoch 1, step ")
    assert "try a smaller learning rate" in record.reason
    assert events[-1].status == "failed"
    weights = run.model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)


def test_keep_best_weights(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=4, keep_best=True))
    record = run.run()
    best = min(e["val_loss"] for e in record.epochs)
    from netlab.training.setup import prepare_arrays

    arrays = prepare_arrays(digits, run.config)
    loss = run.model.evaluate(arrays["x_val"], arrays["y_val"], verbose=0)[0]
    assert loss == pytest.approx(best, rel=1e-4)
    assert record.status == "finished"


def test_bad_device_and_misfit_data_fail_clearly(digits):
    record = TrainingRun(templates.cnn(), digits, _config(device="gpu:7")).run()
    assert record.status == "failed"
    assert record.reason == "unknown device 'gpu:7'; this machine has: cpu"
    points = load_dataset("spirals")
    record = TrainingRun(templates.cnn(), points, _config()).run()
    assert record.status == "failed"
    assert record.reason == ("the data does not fit the network: digits: the data's examples have "
                             "shape (2,) but this Input takes (8, 8, 1): set its shape to (2,)")
    record = TrainingRun(templates.cnn(), digits, _config(device="all")).run()
    assert record.reason == "'all' GPUs asked for, but this machine has no GPU"


def test_out_of_memory_becomes_advice(digits, monkeypatch):
    # The error as XLA raises it from a training step, on either backend's loop.
    def exhausted(*args, **kwargs):
        raise RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 9 GiB")

    monkeypatch.setattr(TrainingRun, "_fit", exhausted)
    record = TrainingRun(templates.cnn(), digits, _config(batch_size=512)).run()
    assert record.status == "failed"
    assert record.reason == ("out of memory with batch size 512: try a smaller batch size (or a "
                             "smaller model)")  # fmt: skip


def test_run_keeps_the_graph_it_trained(digits):
    graph = templates.cnn()
    run = TrainingRun(graph, digits, _config(epochs=1))
    graph.node_by_name("conv1").params["filters"] = 4  # edited after the run was made
    record = run.run()
    assert record.status == "finished"
    conv = next(n for n in record.graph["nodes"] if n["name"] == "conv1")
    assert conv["params"]["filters"] == 16


@pytest.mark.parametrize(("schedule", "optimizer"), [("step", "sgd"), ("warmup_cosine", "adamw"),
                                                     ("cosine", "rmsprop")])  # fmt: skip
def test_schedules_and_optimizers(digits, schedule, optimizer):
    config = _config(epochs=2, schedule=schedule, optimizer=optimizer, step_epochs=1,
                     warmup_epochs=1, learning_rate=0.01)  # fmt: skip
    record = TrainingRun(templates.mlp(), digits, config).run()
    assert record.status == "finished"
    rates = record.batches["learning_rate"]
    steps = len(rates) // 2
    if schedule == "step":
        assert rates[0] == pytest.approx(0.01)
        assert rates[-1] == pytest.approx(0.001)
    elif schedule == "warmup_cosine":
        assert rates[0] < rates[steps - 1] <= 0.01 + 1e-9
        assert rates[-1] < rates[steps]
    else:
        assert rates[0] > rates[-1]


def test_devices_list_the_cpu():
    devices = list_devices()
    assert devices[0].id == "cpu"
    assert devices[0].label() == "CPU"


@pytest.mark.heavy
def test_transformer_and_points_train(digits):
    record = TrainingRun(templates.transformer(), load_dataset("tokens-sorted", n=512),
                         _config(epochs=1, batch_size=64)).run()  # fmt: skip
    assert record.status == "finished", record.reason
    graph = templates.mlp()
    from netlab.graph.commands import SetParam

    SetParam(graph.node_by_name("digits").id, "shape", (2,)).do(graph)
    SetParam(graph.node_by_name("classifier").id, "units", 2).do(graph)
    record = TrainingRun(graph, load_dataset("moons", n=400), _config(epochs=2)).run()
    assert record.status == "finished", record.reason


@pytest.mark.parametrize("schedule", ["constant", "step", "cosine", "warmup_cosine"])
def test_plain_python_learning_rate_matches_keras(schedule):
    import keras

    from netlab.training.setup import learning_rate, learning_rate_at

    config = _config(epochs=5, schedule=schedule, step_epochs=2, warmup_epochs=1,
                     learning_rate=0.1)  # fmt: skip
    keras_rate = learning_rate(config, 10)
    for step in (0, 1, 5, 10, 19, 20, 21, 33, 49, 60):
        want = float(keras_rate(step)) if callable(keras_rate) else keras_rate
        assert learning_rate_at(config, 10, step) == pytest.approx(
            want, rel=1e-4, abs=1e-9
        )  # float32
    assert isinstance(keras.optimizers.Adam(keras_rate), keras.optimizers.Adam)


@pytest.mark.heavy
@pytest.mark.parametrize(("precision", "xla"), [("mixed_bfloat16", False), ("float32", True)])
def test_precision_and_xla_options(digits, precision, xla):
    import keras

    run = TrainingRun(templates.mlp(), digits, _config(epochs=1, precision=precision, xla=xla))
    record = run.run()
    assert record.status == "finished", record.reason
    assert run.model.get_layer("hidden1").dtype_policy.name == precision
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored


@pytest.mark.heavy
def test_two_seeded_runs_at_the_same_time_repeat_their_losses(digits):
    config = _config(epochs=2, seed=11)
    alone = TrainingRun(templates.cnn(), digits, config).run()
    together = [TrainingRun(templates.cnn(), digits, config) for _ in range(2)]
    other = TrainingRun(templates.mlp(), digits, _config(epochs=2, seed=5))  # draws meanwhile
    for run in [*together, other]:
        run.start()
    records = [run.wait(600) for run in together]
    other.wait(600)
    for record in records:
        assert record.status == "finished"
        np.testing.assert_allclose(record.batches["loss"], alone.batches["loss"], rtol=1e-5)
        assert record.epochs[-1]["loss"] == pytest.approx(alone.epochs[-1]["loss"], rel=1e-5)


def test_a_run_trains_once(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=2))
    run.start()
    with pytest.raises(TrainingError, match="has started already; a run trains once"):
        run.start()
    with pytest.raises(TrainingError, match="has started already"):
        run.run()
    record = run.wait(600)
    assert len(record.epochs) == 2


def test_stop_before_the_first_batch_ends_the_run_at_once(digits):
    run = TrainingRun(templates.cnn(), digits, _config(epochs=100))
    events = _collect(run)
    run.stop()  # pressed while the run is still starting
    record = run.run()
    run.wait(600)
    assert (record.status, record.reason) == ("stopped", "stopped before training began")
    assert record.epochs == []
    assert not any(isinstance(e, BatchEnded) for e in events)
