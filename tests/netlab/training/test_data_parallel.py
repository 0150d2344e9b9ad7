"""Every device on JAX: Keras's DataParallel through the engine, on two forced host devices.

JAX fixes its device count when it starts, so each check runs in a fresh
process with ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` (what a
machine with two GPUs looks like to the code), on any backend the suite runs.
"""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.heavy

ENGINE_CHECKS = r"""
import json, jax
from netlab import templates
from netlab.data import load_dataset
from netlab.project import default_training_config
from netlab.training import TrainingRun
from netlab.training.events import BatchEnded

digits = load_dataset("digits")
config = {**default_training_config(), "epochs": 2, "batch_size": 64}
out = {"devices": len(jax.devices())}
for device in ("cpu", "all"):
    run = TrainingRun(templates.cnn(), digits, {**config, "device": device})
    record = run.run()
    out[device] = {"status": record.status, "reason": record.reason, "path": run.input_path,
                   "epochs": record.epochs,
                   "shards": sorted({str(v.value.sharding.device_set) for v in
                                     run.model.trainable_variables})}
run = TrainingRun(templates.mlp(), digits, {**config, "device": "all", "batch_size": 16})
run.subscribe(lambda event: run.stop() if isinstance(event, BatchEnded) else None)
record = run.run()
run.wait()
out["stopped"] = {"status": record.status, "epochs": len(record.epochs)}
graph = templates.mlp()
graph.node_by_name("classifier").params["activation"] = "linear"
record = TrainingRun(graph, digits, {**config, "device": "all", "optimizer": "sgd",
                     "learning_rate": 10.0, "loss": "mse", "standardize": False}).run()
out["nan"] = {"status": record.status, "reason": record.reason}
record = TrainingRun(templates.mlp(), digits, {**config, "device": "all", "batch_size": 63}).run()
out["odd"] = {"status": record.status, "reason": record.reason}
print("RESULT " + json.dumps(out))
"""


def _run(args, devices=2, timeout=600):
    env = {**os.environ, "KERAS_BACKEND": "jax", "OPENBLAS_NUM_THREADS": "1",
           "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
           "TF_CPP_MIN_LOG_LEVEL": "2"}  # fmt: skip
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


@pytest.fixture(scope="module")
def results():
    done = _run(["-c", ENGINE_CHECKS])
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"the checks did not finish: {done.stderr[-3000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def test_two_devices_train_with_the_losses_of_one(results):
    one, two = results["cpu"], results["all"]
    assert results["devices"] == 2
    assert one["status"] == two["status"] == "finished", (one["reason"], two["reason"])
    assert two["path"] == "streamed"
    # The variables live on both devices; on one device, on one.
    assert all(shard.count("CpuDevice") == 2 for shard in two["shards"])
    assert all(shard.count("CpuDevice") == 1 for shard in one["shards"])
    for ours, theirs in zip(one["epochs"], two["epochs"], strict=True):
        assert theirs["loss"] == pytest.approx(ours["loss"], rel=1e-4)
        assert theirs["val_loss"] == pytest.approx(ours["val_loss"], rel=1e-4)
        assert theirs["val_accuracy"] == pytest.approx(ours["val_accuracy"], abs=0.003)


def test_stop_nan_guard_and_an_uneven_batch_on_two_devices(results):
    assert results["stopped"]["status"] == "stopped"
    assert results["stopped"]["epochs"] < 2
    assert results["nan"]["status"] == "failed"
    assert results["nan"]["reason"].startswith("the loss became inf at epoch 1, step ")
    assert results["odd"] == {"status": "failed", "reason": "batch size 63 does not split over "
                              "2 devices: use a multiple of 2"}  # fmt: skip


def test_the_command_line_trains_on_all_devices(tmp_path):
    project = tmp_path / "digits.netlab"
    assert _run(["-m", "netlab", "new", "cnn", "-o", str(project)]).returncode == 0
    done = _run(["-m", "netlab", "train", str(project), "--device", "all", "--epochs", "1"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "finished" in done.stdout
    one_device = _run(["-m", "netlab", "train", str(project), "--device", "all", "--epochs", "1"],
                      devices=1)  # fmt: skip
    assert one_device.returncode != 0
    assert "'all' GPUs asked for, but this machine has no GPU" in one_device.stdout + \
        one_device.stderr  # fmt: skip
