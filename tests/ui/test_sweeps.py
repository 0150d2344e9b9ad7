"""The Sweeps tab as a user drives it: write what varies, start, compare, apply, undo, save."""

from PySide6.QtCore import Qt

from netlab.graph.commands import SetParam
from netlab.project import load_project
from netlab.templates import new_project
from tests.ui.conftest import wait_for_saves
from ui.document import Document

SWEEP_TIMEOUT = 600_000  # hang guard only


def _mlp_window(window):
    project = new_project("mlp")
    project.training.update(epochs=2, schedule="constant")
    window.set_document(Document(project, name="mlp"))
    window.tabs.setCurrentWidget(window.sweeps)
    return window.sweeps


def test_a_bad_line_is_named_and_nothing_starts(window):
    panel = _mlp_window(window)
    panel.dimensions.setPlainText("learning_rate=1e-4:1e-1:log\nunits@nowhere=8,16")
    assert not panel.start()
    assert panel.error.text() == "line 2: units@nowhere: the network has no layer named 'nowhere'"
    assert window.document.project.sweeps == []
    assert panel.start_button.isEnabled()


def test_add_offers_the_projects_settings_and_layer_parameters(window):
    panel = _mlp_window(window)
    offered = [panel.add_choice.itemText(i) for i in range(panel.add_choice.count())]
    assert "learning_rate=1e-4:1e-1:log" in offered
    assert "units@hidden1=32,64,128" in offered
    panel.add_choice.setCurrentText("units@hidden1=32,64,128")
    panel.add_button.click()
    assert panel.dimensions.toPlainText() == "units@hidden1=32,64,128"
    assert panel.parse().dimensions[0].choices == (32, 64, 128)


def test_a_grid_sweep_runs_shows_its_trials_and_the_best_is_applied_in_one_undo_step(
        window, qtbot, answers, tmp_path):  # fmt: skip
    panel = _mlp_window(window)
    document = window.document
    panel.dimensions.setPlainText("learning_rate=0.003,1e-6\nunits@hidden2=8,32")
    panel.strategy.setCurrentIndex(panel.strategy.findData("grid"))
    panel.trials.setValue(3)
    panel.prune.setChecked(False)
    assert panel.start()
    assert not panel.start_button.isEnabled()
    # Editing while the sweep runs does not touch it: trials train the network as it was.
    hidden1 = next(n for n in document.graph.nodes.values() if n.name == "hidden1")
    document.execute(SetParam(hidden1.id, "units", 48))
    qtbot.waitUntil(lambda: not panel.running, timeout=SWEEP_TIMEOUT)
    (sweep,) = document.project.sweeps
    assert len(sweep.trials) == 3
    assert sweep.trials[0].values == {"learning_rate": 0.003, "units@hidden2": 32}  # baseline
    assert panel.table.rowCount() == 3
    header = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    assert header[:4] == ["trial", "learning_rate", "units@hidden2", "val_loss"]
    best = sweep.best()
    assert int(panel.table.item(0, 0).text()) == best.number  # best first
    # Each trial is a run: listed on the Training tab, trained on the graph of its start.
    runs = {r.id: r for r in document.project.runs}
    assert {t.run_id for t in sweep.trials} <= set(runs)
    listed = [window.training.runs.item(i).data(Qt.ItemDataRole.UserRole)
              for i in range(window.training.runs.count())]  # fmt: skip
    assert {t.run_id for t in sweep.trials} <= set(listed)
    for trial in sweep.trials:
        graph = runs[trial.run_id].graph
        units = {n["name"]: n["params"].get("units") for n in graph["nodes"]}
        assert units["hidden1"] == 64  # not the 48 set meanwhile
        assert units["hidden2"] == trial.values["units@hidden2"]
    # Sorting by a column keeps rows whole.
    panel.table.sortItems(1)
    panel.select_trial(best.number)
    assert panel.selected_trials() == [best]
    panel.curves_button.click()
    assert window.tabs.currentWidget() is window.training
    shown = [window.training.runs.item(i) for i in range(window.training.runs.count())]
    ticked = {i.data(Qt.ItemDataRole.UserRole) for i in shown
              if i.checkState() == Qt.CheckState.Checked}  # fmt: skip
    assert ticked == {best.run_id}
    # Apply: the values in the project, one undo step; undo brings the old ones back.
    before_graph = document.graph.to_dict()
    before_lr = document.project.training["learning_rate"]
    window.tabs.setCurrentWidget(panel)
    assert panel.apply_selected() is None
    hidden2 = next(n for n in document.graph.nodes.values() if n.name == "hidden2")
    assert hidden2.params["units"] == best.values["units@hidden2"]
    assert document.project.training["learning_rate"] == best.values["learning_rate"]
    assert window.training.editors["learning_rate"].value() == best.values["learning_rate"]
    document.undo_stack.undo()
    assert document.graph.to_dict() == before_graph
    assert document.project.training["learning_rate"] == before_lr
    document.undo_stack.redo()
    assert document.project.training["learning_rate"] == best.values["learning_rate"]
    # Saved and opened again: the sweep and its trials' runs.
    answers.save_path = str(tmp_path / "swept.netlab")
    window.files.save_as()
    wait_for_saves(window, qtbot)
    again = load_project(tmp_path / "swept.netlab")
    assert again.sweeps[0].to_dict() == sweep.to_dict()
    window.files.open_file(str(tmp_path / "swept.netlab"))
    assert window.sweeps.table.rowCount() == 3


def test_stop_ends_the_sweep_and_keeps_the_trials_that_ended(window, qtbot):
    panel = _mlp_window(window)
    window.document.project.training["epochs"] = 50
    panel.dimensions.setPlainText("learning_rate=1e-3:1e-2:log")
    panel.strategy.setCurrentIndex(panel.strategy.findData("random"))
    panel.trials.setValue(20)
    assert panel.start()
    qtbot.wait(3000)  # any phase of the trial: starting, training
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=SWEEP_TIMEOUT)
    (sweep,) = window.document.project.sweeps
    assert len(sweep.trials) == 1  # one at a time: the one running was stopped, no others
    assert sweep.trials[0].reason == "the sweep was stopped"
    assert sweep.trials[0].epochs < 50
    assert panel.start_button.isEnabled()
