"""Training from the panel the way a user does: press Train, watch, pause, stop, compare."""

import csv
import math

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDoubleSpinBox

from netlab.graph.commands import SetParam
from netlab.project import build_with_weights
from tests.ui.conftest import wait_for_saves

RUN_TIMEOUT = 600_000  # hang guards only: generous, so a slow or busy machine passes


def _panel(window, **settings):
    panel = window.training
    window.tabs.setCurrentWidget(panel)
    for name, value in settings.items():
        panel.set_setting(name, value)
    return panel


def _finished(panel):
    # Until the GUI thread has handled the run's end (the worker may be gone already).
    return panel.controller is not None and not panel.training


def test_train_the_default_example_to_completion_with_live_plots(window, qtbot):
    panel = _panel(window, epochs=3)
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=240_000)
    assert panel.data.fit.text() == "Fits the network's input and output."
    seen_live = []
    panel.timer.timeout.connect(lambda: seen_live.append(len(panel.live.batch_loss)))
    panel.train_button.click()
    assert panel.train_button.text() == "Queue a run"  # another would wait for this one
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    record = window.document.project.runs[-1]
    assert record.status == "finished"
    assert len(record.epochs) == 3
    assert max(seen_live) > 0  # batch losses were drawn while it trained
    x, y = panel.plots.curve_points(record.id, "loss")
    assert list(x) == [1.0, 2.0, 3.0]
    assert np.allclose(y, [e["loss"] for e in record.epochs])
    x, y = panel.plots.curve_points(record.id, "val_metric")
    assert y[-1] == record.epochs[-1]["val_accuracy"] > 0.8
    assert len(panel.plots.curve_points(record.id, "raw")[0]) == len(record.batches["loss"])
    assert window.document.project.weights is not None
    assert window.isWindowModified()
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.progress_text.text().startswith("Run 1 finished.")


def test_pause_resume_and_stop_keep_usable_weights(window, qtbot):
    panel = _panel(window, epochs=200, batch_size=16)
    panel.train_button.click()
    qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0, timeout=RUN_TIMEOUT)
    panel.pause_button.click()
    qtbot.waitUntil(lambda: panel.pause_button.text() == "Resume", timeout=120_000)
    controller = panel.controller
    qtbot.wait(300)
    panel.drain()
    count = len(panel.live.batch_loss)
    qtbot.wait(300)
    panel.drain()
    assert len(panel.live.batch_loss) == count  # nothing trains while paused
    panel.pause_button.click()
    qtbot.waitUntil(lambda: panel.pause_button.text() == "Pause", timeout=120_000)
    qtbot.waitUntil(lambda: len(panel.live.batch_loss) > count, timeout=120_000)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    assert controller.record.status == "stopped"
    assert "stopped (its weights are kept)" in panel.progress_text.text()
    model = build_with_weights(window.document.project)  # the weights came back to the project
    assert np.isfinite(model.predict(np.zeros((1, 8, 8, 1)), verbose=0)).all()
    assert window.document.project.weights is not None


def test_a_diverging_run_shows_the_reason(window, qtbot):
    # A linear output with squared error and a huge SGD step: the loss overflows.
    classifier = window.document.graph.node_by_name("classifier").id
    assert window.execute(SetParam(classifier, "activation", "linear"))
    panel = _panel(window, epochs=3, learning_rate=10.0, optimizer="sgd", loss="mse",
                   standardize=False)  # fmt: skip
    spin = panel.editors["learning_rate"]
    assert isinstance(spin, QDoubleSpinBox)
    assert spin.value() == 10.0
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=240_000)
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    text = panel.progress_text.text()
    assert text.startswith("Run 1 failed: the loss became")
    assert "try a smaller learning rate" in text


def test_a_data_set_that_does_not_fit_is_a_problem_with_its_fix_and_train_waits(window, qtbot):
    panel = _panel(window, dataset="spirals")
    qtbot.waitUntil(lambda: panel.data.dataset is not None and bool(panel.data.fit.text()),
                    timeout=240_000)  # fmt: skip
    assert panel.data.fit.text().startswith("Does not fit the network: ")
    assert not panel.train_button.isEnabled()
    assert "set its shape to (2,)" in panel.train_button.toolTip()
    problems = [window.problems.topLevelItem(i).text(2)
                for i in range(window.problems.topLevelItemCount())]  # fmt: skip
    assert ("shape: the data's examples have shape (2,) but this Input takes (8, 8, 1): set its "
            "shape to (2,)") in problems
    assert any("set units of 'classifier' to 2" in p for p in problems)
    panel.train()  # as a script would: refused with the reason, nothing recorded
    assert "Not training: the data does not fit" in window.statusBar().currentMessage()
    assert window.document.project.runs == []
    assert panel.runs.count() == 0


def test_runs_overlay_toggle_and_export(window, qtbot, tmp_path):
    panel = _panel(window, epochs=2)
    for _ in range(2):
        panel.train_button.click()
        qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    assert [panel.runs.item(i).text() for i in range(panel.runs.count())] == ["Run 1", "Run 2"]
    assert set(panel.plots.curves) == {"run1", "run2"}
    first = panel.runs.item(0)
    first.setCheckState(first.checkState().Unchecked)
    assert not panel.plots.curves["run1"].loss.isVisible()
    assert panel.plots.curves["run2"].loss.isVisible()
    first.setCheckState(first.checkState().Checked)
    assert panel.plots.curves["run1"].loss.isVisible()
    png, table = tmp_path / "curves.png", tmp_path / "history.csv"
    assert panel.save_png(str(png))
    image = QImage(str(png))
    assert image.width() == panel.plots.view.width()
    assert image.height() > 100
    assert panel.save_csv(str(table))
    rows = list(csv.DictReader(table.open()))
    assert [(r["run"], r["epoch"]) for r in rows] == [("run1", "1"), ("run1", "2"),
                                                      ("run2", "1"), ("run2", "2")]  # fmt: skip
    assert math.isclose(float(rows[-1]["loss"]), window.document.project.runs[1].epochs[-1]["loss"],
                        rel_tol=1e-5)  # fmt: skip


def test_hover_reads_values_and_smoothing_changes_the_curve(window, qtbot):
    panel = _panel(window, epochs=2)
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    text = panel.plots.readout_at(panel.plots.epoch, 2.0)
    assert "Run 1 train: " in text
    assert " at 2" in text
    raw = panel.plots.curve_points("run1", "raw")[1]
    panel.smoothing.setValue(0)
    assert np.allclose(panel.plots.curve_points("run1", "smooth")[1], raw)
    panel.smoothing.setValue(95)
    assert panel.plots.curve_points("run1", "smooth")[1].std() < raw.std()


def test_editing_the_graph_while_training_does_not_touch_the_run(window, qtbot):

    panel = _panel(window, epochs=2)
    panel.train_button.click()
    conv = window.document.graph.node_by_name("conv1").id
    window.execute(SetParam(conv, "filters", 4))
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    record = window.document.project.runs[-1]
    assert record.status == "finished"
    trained = next(n for n in record.graph["nodes"] if n["name"] == "conv1")
    assert trained["params"]["filters"] == 16


def test_the_inspect_tab_shows_the_trained_model_and_a_saved_one(window, qtbot, answers, tmp_path):
    panel = _panel(window, epochs=2)
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("evaluation")
    qtbot.waitUntil(lambda: not window.inspect.confusion_image().isNull(), timeout=240_000)
    assert window.inspect.confusion_image().width() == 10
    answers.save_path = str(tmp_path / "trained.netlab")
    window.menu_actions["save_as"].trigger()
    wait_for_saves(window, qtbot)
    window.new_default_document()
    answers.open_path = answers.save_path
    window.menu_actions["open"].trigger()
    window.tabs.setCurrentWidget(window.training)
    window.tabs.setCurrentWidget(window.inspect)  # a saved project's weights are built once
    window.inspect.show_view("evaluation")
    qtbot.waitUntil(lambda: not window.inspect.confusion_image().isNull(), timeout=240_000)
    assert window.inspect.confusion_image().height() == 10


def test_devices_listed_by_the_backend_are_offered_with_all_gpus(window):
    panel = window.training
    panel._on_devices_listed([("cpu", "CPU"), ("gpu:0", "NVIDIA H100 (80 GiB)")])
    combo = panel.device
    items = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    assert items == [("cpu", "cpu: CPU"), ("gpu:0", "gpu:0: NVIDIA H100 (80 GiB)"),
                     ("all", "all GPUs (data parallel)")]  # fmt: skip
    panel.device.setCurrentIndex(1)
    panel.device.activated.emit(1)
    assert window.document.project.training["device"] == "gpu:0"
    panel._on_devices_listed([("cpu", "CPU")])
    assert panel.device.count() == 1


def test_runs_removed_from_the_plots_leave_no_curves_behind(qtbot):
    # Opening one project after another replaces the runs shown; the curves of the old ones
    # must leave the plots too (they once stayed in the plots' lists: memory grew per project).
    from ui.training.plots import RunSeries, TrainingPlots

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    empty = {id(plot): len(plot.items) for plot in (plots.batch, plots.epoch)}
    for _project in range(5):
        for number in range(3):
            series = RunSeries(f"Run {number}", "#1f77b4")
            series.add_batches([1, 2, 3], [1.0, 0.5, 0.25], [0.1, 0.1, 0.1])
            series.epochs.append({"epoch": 1, "loss": 0.5})
            plots.add_run(f"run{number}", series)
        plots.reset()
    assert {id(plot): len(plot.items) for plot in (plots.batch, plots.epoch)} == empty
    assert not plots.curves
    assert not plots.series
