"""The Runs tab: runs of different networks side by side, sorted, overlaid and diffed."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetSelectionRange

from netlab.graph.commands import SetParam
from netlab.project import RunRecord, save_project
from netlab.templates import new_project


def _run(project, run_id, accuracy):
    epochs = [{"loss": 1.0, "val_accuracy": accuracy - 0.1, "seconds": 1.0},
              {"loss": 0.5, "val_accuracy": accuracy, "seconds": 1.0}]  # fmt: skip
    project.runs.append(RunRecord(run_id, run_id, project.graph.to_dict(), project.training,
                                  epochs=epochs))  # fmt: skip


def test_runs_of_open_and_recent_projects_compare_and_diff(window, qtbot, tmp_path):
    project = window.document.project
    _run(project, "run1", 0.9)
    SetParam(project.graph.node_by_name("conv2").id, "filters", 8).do(project.graph)
    _run(project, "run2", 0.8)
    other = new_project("mlp")
    _run(other, "run1", 0.95)
    save_project(tmp_path / "mlp.netlab", other)
    window.files.add_recent(str(tmp_path / "mlp.netlab"))
    window.files.add_recent(str(tmp_path / "gone.netlab"))
    view = window.runs
    window.tabs.setCurrentWidget(view)
    assert view.table.rowCount() == 2
    view.recent_button.click()
    qtbot.waitUntil(lambda: view.table.rowCount() == 3, timeout=30_000)
    assert "1 could not be read" in view.note.text()
    view.table.sortItems(5, Qt.SortOrder.DescendingOrder)  # best validation accuracy first
    assert [view.table.item(r, 5).text() for r in range(3)] == ["0.95", "0.9", "0.8"]
    view.table.sortItems(4, Qt.SortOrder.AscendingOrder)  # FLOPs: the MLP, then narrow conv2
    assert view.table.item(0, 0).text() == "mlp.netlab"
    assert view.table.item(1, 1).text().startswith("run2")
    last = view.table.columnCount() - 1
    view.table.setRangeSelected(QTableWidgetSelectionRange(1, 0, 2, last), True)  # the CNN's
    assert len(view.selected()) == 2
    assert len(view.plots["loss"].getPlotItem().listDataItems()) == 2
    assert view.diff_button.isEnabled()
    view.diff_button.click()
    text = view.diff.toPlainText()
    assert "~ conv2: filters 8 -> 32" in text.splitlines()
