"""Runs in worker processes: a dying run never hurts the window, and none outlives it."""

import os
import time

import pytest

from netlab.training.processes import WorkerPool
from ui.training import runner

RUN_TIMEOUT = 600_000  # a hang guard only


@pytest.fixture
def faulty(monkeypatch):
    """Workers that fail as told (``NETLAB_WORKER_FAULT``); the app's pool comes back after."""

    def make(fault):
        pool = WorkerPool({"NETLAB_WORKER_FAULT": fault})
        monkeypatch.setattr(runner, "_POOL", pool)
        return pool

    yield make
    if runner._POOL is not None and runner._POOL.env:
        runner._POOL.close()


def _train(window, qtbot, epochs=30):
    panel = window.training
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=RUN_TIMEOUT)
    panel.set_setting("epochs", epochs)
    panel.set_setting("batch_size", 64)
    panel.train_button.click()
    return panel


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(("fault", "signal_name"), [("abort@60", "SIGABRT"),
                                                    ("kill@60", "SIGKILL")])  # fmt: skip
def test_a_worker_that_dies_fails_its_run_and_keeps_the_last_epochs_weights(
    window, qtbot, faulty, fault, signal_name
):
    faulty(fault)  # 23 steps an epoch: dies in the third epoch
    panel = _train(window, qtbot)
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    record = window.document.project.runs[-1]
    assert record.status == "failed"
    assert record.reason.startswith("the training process ended unexpectedly")
    assert signal_name in record.reason
    assert len(record.epochs) == 2  # what the events said before it died
    assert len(record.batches["loss"]) >= 46
    assert window.document.project.weights is not None  # the last finished epoch's
    assert panel.train_button.isEnabled()
    assert f"failed: {record.reason}" in panel.progress_text.text()


def test_a_worker_out_of_memory_fails_its_run_and_the_window_stays(window, qtbot, faulty):
    faulty("memory@30")
    panel = _train(window, qtbot, epochs=200)
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    record = window.document.project.runs[-1]
    assert record.status == "failed"
    assert panel.train_button.isEnabled()
    assert window.isVisible()


def test_killing_the_worker_from_outside_fails_the_run(window, qtbot):
    panel = _train(window, qtbot, epochs=200)
    qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0, timeout=RUN_TIMEOUT)
    os.kill(panel.controller.process.process.pid, 9)
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    assert "(SIGKILL, signal 9)" in window.document.project.runs[-1].reason


def test_closing_the_window_leaves_no_worker_process(window, answers, qtbot):
    panel = _train(window, qtbot, epochs=200)
    qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0, timeout=RUN_TIMEOUT)
    worker = panel.controller.process.process.pid
    answers.during_run, answers.unsaved = "stop", "discard"
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT)
    deadline = time.monotonic() + 60
    while _alive(worker) and time.monotonic() < deadline:
        qtbot.wait(100)
    assert not _alive(worker)


def test_the_pool_ends_its_spare_when_closed():
    pool = WorkerPool()
    pool.warm()
    spare = pool._spare[0]
    pool.close()
    assert not spare.is_alive()


@pytest.mark.parametrize("order", ["stop", "pause"])
def test_an_order_given_while_the_worker_still_starts_waits_for_its_job(order):
    # Stop (or Pause) pressed in the first seconds, while the worker imports Keras: the order
    # once reached the worker in place of its job, and the worker died of it.
    from netlab.project import default_training_config
    from netlab.templates import new_project
    from netlab.training.processes import ProcessRun

    pool = WorkerPool()
    config = {**default_training_config(), "epochs": 2}
    run = ProcessRun(pool, new_project("mlp").graph.to_dict(), config, None, "run1", "Run 1",
                     lambda event: None)  # fmt: skip
    run.start()
    deadline = time.monotonic() + 60
    while run.process is None and time.monotonic() < deadline:  # it has its worker...
        time.sleep(0.001)
    getattr(run, order)()  # ...which has not said it is ready: it imports Keras for seconds
    if order == "pause":
        run.resume()
    run.wait(RUN_TIMEOUT / 1000)
    pool.close()
    run.cleanup()
    assert not run.running
    assert run.failure == ""
    assert run.record.status == ("stopped" if order == "stop" else "finished"), run.record.reason
