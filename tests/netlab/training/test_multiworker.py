"""Multi-worker training: two worker processes on localhost, and the loop they run.

The cluster test starts real ``netlab train --distribute multiworker`` processes;
the others run the same loop in this process under a one-CPU ``MirroredStrategy``,
so stop, the NaN guard and ``keep_best`` are checked in seconds.
"""

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.cli import main
from netlab.data import load_dataset
from netlab.errors import TrainingError
from netlab.graph.builder import build_model
from netlab.project import default_training_config, load_project, save_project
from netlab.templates import new_project
from netlab.training import BatchEnded, EpochEnded, TrainingRun, cluster, distributed, setup

pytestmark = pytest.mark.heavy  # two TensorFlow processes; the main Python only
CLUSTER_TIMEOUT = 600  # a hang guard only: the run takes about 15 s on two idle cores

needs_tensorflow = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.distribute needs TensorFlow"
)


def _tf_config(addresses, index, job="worker"):
    return json.dumps({"cluster": {"worker": addresses}, "task": {"type": job, "index": index}})


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _run_workers(tmp_path, project, epochs, on_line=None, timeout=CLUSTER_TIMEOUT):
    """Runs ``netlab train`` as both workers of a localhost cluster.

    ``on_line(index, line, process)`` sees each worker's output as it comes. Returns
    ``(exit code, stdout, stderr)`` per worker; kills both when time runs out.
    """
    addresses = [f"localhost:{port}" for port in _free_ports(2)]
    processes, outputs = [], [[], []]
    for index in range(2):
        env = {**os.environ, "TF_CONFIG": _tf_config(addresses, index),
               "KERAS_BACKEND": "tensorflow", "OPENBLAS_NUM_THREADS": "1",
               "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "",
               "PYTHONUNBUFFERED": "1"}  # fmt: skip
        command = [sys.executable, "-m", "netlab", "train", str(project), "--distribute",
                   "multiworker", "--epochs", str(epochs), "-o",
                   str(tmp_path / f"out{index}.netlab")]  # fmt: skip
        # stderr goes to a file: TensorFlow's logs could fill a pipe nobody reads yet.
        with open(tmp_path / f"stderr{index}.txt", "w") as err:
            processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                              stderr=err, text=True))  # fmt: skip
    readers = [threading.Thread(target=_read, args=(i, processes[i], outputs[i], on_line),
                                daemon=True) for i in range(2)]  # fmt: skip
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    try:
        for process in processes:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        # SIGKILL: TensorFlow's multi-worker runtime catches SIGTERM (preemption notices).
        for process in processes:
            process.kill()
        pytest.fail(f"the workers did not finish in {timeout} s; their output: {outputs}")
    for reader in readers:
        reader.join(10)
    errors = [(tmp_path / f"stderr{i}.txt").read_text() for i in range(2)]
    return [(p.returncode, "".join(o), e) for p, o, e in zip(processes, outputs, errors,
                                                              strict=True)]  # fmt: skip


def _read(index, process, lines, on_line):
    for line in process.stdout:
        lines.append(line)
        if on_line:
            on_line(index, line, process)


def _epoch_rows(stdout):
    """The per-epoch table as printed, without the seconds column."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("epoch "))
    rows = [line.split() for line in lines[start:] if line[:5].strip().isdigit()]
    return [lines[start].split()[:-1], *(row[:-1] for row in rows)]


def test_two_workers_on_localhost_train_alike(tmp_path):
    project = new_project("mlp")
    project.training.update(batch_size=32)
    save_project(tmp_path / "p.netlab", project)
    outputs = [tmp_path / "out0.netlab", tmp_path / "out1.netlab"]
    began = time.monotonic()
    results = _run_workers(tmp_path, tmp_path / "p.netlab", epochs=2)
    print(f"two workers: {time.monotonic() - began:.1f} s")
    for code, out, err in results:
        print(out)
        assert code == 0, err[-3000:]
    tables = [_epoch_rows(out) for _, out, _ in results]
    assert tables[0] == tables[1]  # both workers computed the same losses and metrics
    assert tables[0][0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert f"saved {outputs[0]}" in results[0][1]
    assert "not saved: worker 1 is not the chief" in results[1][1]
    assert not outputs[1].exists()
    record = load_project(outputs[0]).runs[0]
    assert record.status == "finished"
    assert [e["epoch"] for e in record.epochs] == [0, 1]
    losses = [e["loss"] for e in record.epochs] + [e["val_loss"] for e in record.epochs]
    assert all(math.isfinite(v) for v in losses)
    printed = [[float(v) for v in row[1:]] for row in tables[0][1:]]
    saved = [[e[k] for k in tables[0][0][1:]] for e in record.epochs]
    np.testing.assert_allclose(printed, saved, atol=6e-5)
    assert record.epochs[1]["loss"] < record.epochs[0]["loss"]
    assert record.epochs[1]["val_accuracy"] > 0.8  # ten classes: chance is 0.1
    assert len(record.batches["loss"]) == 2 * math.ceil(len(load_dataset("digits").x) * 0.8 / 32)


def test_ctrl_c_on_one_worker_stops_both_after_the_same_batch(tmp_path):
    save_project(tmp_path / "p.netlab", new_project("mlp"))

    def interrupt(index, line, process):
        if index == 1 and line.startswith("    1 "):  # worker 1 finished its first epoch
            process.send_signal(signal.SIGINT)

    results = _run_workers(tmp_path, tmp_path / "p.netlab", epochs=30, on_line=interrupt)
    for code, out, err in results:
        print(out)
        assert code == 0, err[-3000:]
    assert "stopping after this batch..." in results[1][1]
    assert all("stopped: stopped by the user" in out for _, out, _ in results)
    assert _epoch_rows(results[0][1]) == _epoch_rows(results[1][1])
    record = load_project(tmp_path / "out0.netlab").runs[0]
    assert record.status == "stopped"
    assert 1 <= len(record.epochs) < 30


@pytest.mark.parametrize(
    ("tf_config", "message"),
    [
        (None, "multi-worker training needs TF_CONFIG: set it on every machine to JSON like"),
        ("{cluster", "TF_CONFIG is not valid JSON"),
        ('{"cluster": {"worker": ["localhost"]}}', '"cluster"."worker" must list "host:port"'),
        ('{"task": {"type": "worker", "index": 0}}', 'TF_CONFIG has no "cluster"'),
        (_tf_config(["localhost:1", "localhost:2"], 2),
         '"task"."index" must be a whole number from 0 to 1, got 2'),
        (_tf_config(["localhost:1"], 0, "evaluator"), '"task"."type" must be one of'),
    ],
)  # fmt: skip
def test_bad_tf_config_is_one_line_before_anything_runs(tmp_path, capsys, monkeypatch, tf_config,
                                                        message):  # fmt: skip
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    save_project(tmp_path / "p.netlab", new_project("mlp"))
    before = (tmp_path / "p.netlab").read_bytes()
    assert main(["train", str(tmp_path / "p.netlab"), "--distribute", "multiworker"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netlab: error: ")
    assert err.count("\n") == 1
    assert message in err
    assert (tmp_path / "p.netlab").read_bytes() == before


def test_unknown_distribute_and_metric_and_the_chief():
    digits = load_dataset("digits")
    with pytest.raises(TrainingError, match=r"^unknown distribute 'ps'; use None or 'multiwo"):
        TrainingRun(templates.mlp(), digits, default_training_config(), distribute="ps")
    config = {"metrics": ["mae", "auc"]}
    with pytest.raises(TrainingError, match="metric 'auc' is not available in multi-worker"):
        distributed.metric_functions(config, "classification", (9, 10), (None, 10))
    two = ["localhost:1", "localhost:2"]
    assert cluster.read_cluster({"TF_CONFIG": _tf_config(two, 0)}).is_chief
    assert not cluster.read_cluster({"TF_CONFIG": _tf_config(two, 1)}).is_chief
    with_chief = {"cluster": {"chief": ["localhost:3"], "worker": two},
                  "task": {"type": "worker", "index": 0}}  # fmt: skip
    joined = cluster.read_cluster({"TF_CONFIG": json.dumps(with_chief)})
    assert not joined.is_chief
    assert joined.size == 3
    with_chief["task"] = {"type": "chief", "index": 0}
    assert cluster.read_cluster({"TF_CONFIG": json.dumps(with_chief)}).is_chief


# The loop in this process --------------------------------------------------------------------


@pytest.fixture
def one_cpu(monkeypatch):
    """``distribute="multiworker"`` runs the loop under a one-CPU MirroredStrategy."""
    import tensorflow as tf

    monkeypatch.setenv("TF_CONFIG", _tf_config(["localhost:1"], 0))

    @contextlib.contextmanager
    def scope(device):
        strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
        with strategy.scope():
            yield strategy

    monkeypatch.setattr(cluster, "strategy_scope", scope)
    return scope


def _config(**overrides):
    return {**default_training_config(), "epochs": 2, "batch_size": 64, **overrides}


@needs_tensorflow
def test_one_step_is_one_step_of_model_fit(one_cpu):
    digits = load_dataset("digits")
    config = _config(epochs=1, batch_size=100)
    arrays = setup.prepare_arrays(digits, config)
    x, y = arrays["x_train"], arrays["y_train"]

    def compiled():
        keras.utils.set_random_seed(0)
        model = build_model(templates.mlp())
        model.compile(optimizer=setup.optimizer(config, 15), loss=config["loss"])
        return model

    reference = compiled()
    history = reference.fit(x, y, batch_size=100, epochs=1, shuffle=False, verbose=0)
    with one_cpu("cpu") as strategy:
        model = compiled()
    metrics = distributed.metric_functions(config, "classification", y.shape, (None, 10))
    spec = distributed._batch_spec(x, y)
    steps = distributed.Steps(strategy, model, config["loss"], metrics, spec, spec)
    total = 0.0
    for start in range(0, len(x), 100):  # the same batches in the same order; the last is 37
        xb, yb = x[start:start + 100], y[start:start + 100]
        loss = steps.train(xb, yb, np.float32(len(xb)), np.float32(0.0)).numpy()[0]
        total += loss * len(xb)
    assert total / len(x) == pytest.approx(history.history["loss"][0], rel=1e-5)
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


@needs_tensorflow
def test_loop_posts_events_and_fills_the_record(one_cpu):
    digits = load_dataset("digits")
    run = TrainingRun(templates.mlp(), digits, _config(), distribute="multiworker")
    events = []
    run.subscribe(events.append)
    record = run.run()
    run.wait()
    assert record.status == "finished", record.reason
    assert run.input_path == "multiworker"
    samples = len(setup.prepare_arrays(digits, run.config)["x_train"])
    steps = math.ceil(samples / 64)
    batches = [e for e in events if isinstance(e, BatchEnded)]
    assert len(batches) + sum(b.dropped for b in batches) == 2 * steps
    assert [e.epoch for e in events if isinstance(e, EpochEnded)] == [0, 1]
    assert set(record.epochs[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy",
                                     "seconds"}  # fmt: skip
    assert len(record.batches["loss"]) == 2 * steps
    # The batch losses average (per example) to the epoch's loss, as Keras reports it.
    sizes = [min(64, samples - 64 * i) for i in range(steps)]
    first = record.batches["loss"][:steps]
    assert np.average(first, weights=sizes) == pytest.approx(record.epochs[0]["loss"], rel=1e-5)


@needs_tensorflow
def test_stop_nan_and_keep_best_in_the_loop(one_cpu):
    digits = load_dataset("digits")
    run = TrainingRun(templates.mlp(), digits, _config(epochs=50, batch_size=16),
                      distribute="multiworker")  # fmt: skip
    seen = threading.Event()
    run.subscribe(lambda e: isinstance(e, BatchEnded) and e.step >= 30 and seen.set())
    run.start()
    assert seen.wait(60)
    run.stop()
    record = run.wait(60)
    assert (record.status, record.reason) == ("stopped", "stopped by the user")
    assert len(record.batches["loss"]) < 50 * 90

    graph = templates.mlp()
    graph.node_by_name("classifier").params["activation"] = "linear"
    config = _config(epochs=3, optimizer="sgd", learning_rate=10.0, loss="mse", standardize=False)
    run = TrainingRun(graph, digits, config, distribute="multiworker")
    record = run.run()
    assert record.status == "failed"
    assert record.reason.startswith("the loss became inf at epoch 1, step ")
    assert all(np.isfinite(w).all() for w in run.model.get_weights())

    run = TrainingRun(templates.mlp(), digits, _config(epochs=4, keep_best=True),
                      distribute="multiworker")  # fmt: skip
    record = run.run()
    arrays = setup.prepare_arrays(digits, run.config)
    predictions = run.model(arrays["x_val"], training=False)
    loss = float(np.mean(keras.losses.categorical_crossentropy(arrays["y_val"], predictions)))
    assert loss == pytest.approx(min(e["val_loss"] for e in record.epochs), rel=1e-4)
