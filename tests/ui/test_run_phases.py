"""Stop, New and closing the window in every phase of a run: starting, training, paused, storing."""

import threading

import pytest

RUN_TIMEOUT = 600_000  # a hang guard only


@pytest.fixture(autouse=True)
def storing_waits(monkeypatch):
    """Holds a run in its storing phase (reading the weights) until the test lets it go."""
    from ui.training.runner import RunController

    held, release = threading.Event(), threading.Event()
    read = RunController._read_weights

    def slow_read(self):
        held.set()
        release.wait(60)
        return read(self)

    monkeypatch.setattr(RunController, "_read_weights", slow_read)
    yield held, release
    release.set()


def _start(window, qtbot, phase, storing_waits=None):
    panel = window.training
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=RUN_TIMEOUT)
    panel.set_setting("epochs", 3 if phase == "storing" else 200)
    panel.set_setting("batch_size", 64)
    before = len(window.document.project.runs)
    panel.train_button.click()
    if phase in ("training", "paused"):
        qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0, timeout=RUN_TIMEOUT)
    if phase == "paused":
        panel.toggle_pause()
        qtbot.waitUntil(lambda: panel.controller.paused, timeout=RUN_TIMEOUT)  # truly held
    if phase == "storing":  # the engine is done; the weights are being read for the project
        qtbot.waitUntil(storing_waits[0].is_set, timeout=RUN_TIMEOUT)
        assert panel.training
    return panel, before


def _no_run_thread():
    return not any(t.name == "netlab-gui-run" and t.is_alive() for t in threading.enumerate())


PHASES = ["starting", "training", "paused", "storing"]


@pytest.mark.parametrize("phase", PHASES)
def test_stop_works_in_every_phase_and_keeps_what_trained(window, qtbot, phase,
                                                         storing_waits):
    panel, before = _start(window, qtbot, phase, storing_waits)
    assert panel.stop_button.isEnabled()
    panel.stop_button.click()
    storing_waits[1].set()
    qtbot.waitUntil(lambda: not panel.training and panel.train_button.isEnabled(),
                    timeout=RUN_TIMEOUT)  # fmt: skip
    runs = window.document.project.runs
    if phase == "starting":
        assert len(runs) == before  # nothing trained: nothing kept, nothing in the legend
        assert panel.runs.count() == before
    else:
        assert len(runs) == before + 1
        assert runs[-1].status in ("stopped", "finished")
        assert window.document.project.weights is not None


@pytest.mark.parametrize("answer", ["stop", "discard", "cancel"])
@pytest.mark.parametrize("phase", PHASES)
def test_new_during_a_run_asks_and_the_run_stays_with_its_project(window, answers, qtbot,
                                                                  phase, answer,
                                                                  storing_waits):  # fmt: skip
    panel, before = _start(window, qtbot, phase, storing_waits)
    old = window.document
    answers.during_run, answers.unsaved, answers.template = answer, "discard", "mlp"
    window.menu_actions["new"].trigger()
    storing_waits[1].set()
    if answer == "cancel":
        assert window.document is old
        panel.stop()
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    qtbot.waitUntil(lambda: panel.train_button.isEnabled() or window.document is not old,
                    timeout=RUN_TIMEOUT)  # fmt: skip
    if answer == "cancel":
        assert window.document is old
        return
    qtbot.waitUntil(lambda: window.document is not old, timeout=RUN_TIMEOUT)
    assert window.document.title == "mlp (new)"
    assert window.document.project.runs == []  # nothing of the old run came along
    assert panel.runs.count() == 0
    kept = len(old.project.runs) - before
    assert kept == (1 if answer == "stop" and phase != "starting" else 0)


@pytest.mark.parametrize("answer", ["stop", "discard", "cancel"])
@pytest.mark.parametrize("phase", PHASES)
def test_closing_during_a_run_asks_then_closes_without_threads_left(window, answers, qtbot,
                                                                    phase, answer,
                                                                    storing_waits):  # fmt: skip
    panel, _ = _start(window, qtbot, phase, storing_waits)
    answers.during_run, answers.unsaved = answer, "discard"
    window.close()
    assert "run_in_progress" in answers.asked
    storing_waits[1].set()
    if answer == "cancel":
        assert window.isVisible()
        panel.stop()
        qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
        return
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT)
    qtbot.waitUntil(_no_run_thread, timeout=RUN_TIMEOUT)
