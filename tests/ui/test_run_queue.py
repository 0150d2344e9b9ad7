"""A queue of runs: Train while runs train queues the next; N side by side; each its own."""

from PySide6.QtCore import Qt

from netlab.graph.commands import SetParam
from netlab.templates import new_project
from ui.document import Document

RUN_TIMEOUT = 600_000  # hang guard only


def _mlp(window, epochs=2):
    project = new_project("mlp")
    project.training.update(epochs=epochs, schedule="constant")
    window.set_document(Document(project, name="mlp"))
    panel = window.training
    window.tabs.setCurrentWidget(panel)
    return panel


def _entries(panel):
    return {panel.runs.item(i).data(Qt.ItemDataRole.UserRole): panel.runs.item(i).text()
            for i in range(panel.runs.count())}  # fmt: skip


def test_runs_queued_while_one_trains_run_in_order_each_with_the_graph_of_its_moment(
        window, qtbot):  # fmt: skip
    panel = _mlp(window)
    qtbot.waitUntil(lambda: panel.can_train()[0], timeout=240_000)
    document = window.document
    hidden1 = next(n for n in document.graph.nodes.values() if n.name == "hidden1")
    starts = []
    for units in (16, 32, 48):
        document.execute(SetParam(hidden1.id, "units", units))
        panel.train_button.click()
        starts.append(len(panel.active))
    assert starts == [1, 1, 1]  # one at a time: the second and third wait
    assert [c.run_id for c in panel.queue] == ["run2", "run3"]
    assert panel.train_button.text() == "Queue a run"
    assert _entries(panel)["run3"] == "Run 3 (queued)"
    seen_active = set()
    panel.timer.timeout.connect(lambda: seen_active.add(len(panel.active)))
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    assert seen_active <= {0, 1}  # never two at once
    runs = document.project.runs
    assert [r.id for r in runs] == ["run1", "run2", "run3"]
    assert all(r.status == "finished" for r in runs)
    assert [r.started <= s.started for r, s in zip(runs, runs[1:], strict=False)] == [True, True]
    widths = [next(n["params"]["units"] for n in r.graph["nodes"] if n["name"] == "hidden1")
              for r in runs]  # fmt: skip
    assert widths == [16, 32, 48]
    assert _entries(panel) == {"run1": "Run 1", "run2": "Run 2", "run3": "Run 3"}
    assert panel.train_button.text() == "Train"
    assert panel.train_button.isEnabled()


def test_two_runs_side_by_side_each_with_its_own_progress(window, qtbot):
    panel = _mlp(window, epochs=4)
    panel.parallel.setValue(2)
    qtbot.waitUntil(lambda: panel.can_train()[0], timeout=240_000)
    panel.train_button.click()
    assert panel.train_button.text() == "Train another"
    panel.train_button.click()
    assert len(panel.active) == 2
    assert not panel.queue
    both = []
    panel.timer.timeout.connect(lambda: both.append(
        all(len(panel.series[c.run_id].batch_loss) > 0 for c in panel.active)
        and len(panel.active) == 2))  # fmt: skip
    qtbot.waitUntil(lambda: any(both) or not panel.training, timeout=RUN_TIMEOUT)
    assert any(both)  # both trained at the same time, each into its own curves
    qtbot.waitUntil(lambda: not panel.training, timeout=RUN_TIMEOUT)
    runs = window.document.project.runs
    assert [r.status for r in runs] == ["finished", "finished"]
    assert all(len(r.epochs) == 4 for r in runs)
    # Seeded alike, trained alike: side by side changes nothing in what they learn.
    assert runs[0].epochs[-1]["loss"] == runs[1].epochs[-1]["loss"]


def test_new_project_with_runs_queued_stops_the_run_and_drops_the_queue(window, qtbot, answers):
    panel = _mlp(window, epochs=50)
    qtbot.waitUntil(lambda: panel.can_train()[0], timeout=240_000)
    old = window.document
    for _ in range(3):
        panel.train_button.click()
    assert len(panel.queue) == 2
    qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0, timeout=RUN_TIMEOUT)
    answers.during_run = "stop"
    answers.unsaved = "discard"
    window.menu_actions["new"].trigger()
    qtbot.waitUntil(lambda: window.document is not old, timeout=RUN_TIMEOUT)
    assert not panel.training
    assert [r.id for r in old.project.runs] == ["run1"]  # the one training, stopped and kept
    assert old.project.runs[0].status == "stopped"
    assert window.document.project.runs == []
    assert _entries(panel) == {}
