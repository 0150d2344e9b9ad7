"""A model from elsewhere in the window: generic Keras layers, frozen layers, fine-tuning."""

import json

import keras
import pytest
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QPlainTextEdit, QPushButton

from netlab.catalog import keras_layer
from netlab.project import load_project
from tests.ui.conftest import wait_for_import, wait_for_saves

L = keras.layers


@pytest.fixture
def transfer_model(tmp_path):
    """A frozen nested base (with a layer NetLab has no entry for) and a new head."""
    base = keras.Sequential([
        keras.Input((12, 12, 3)),
        L.Conv2D(4, 3, name="conv"),
        L.Conv2D(4, 3, kernel_regularizer="l2", name="regularised"),  # generic: keeps the l2
        L.BatchNormalization(name="bn"),
    ], name="base")  # fmt: skip
    base.trainable = False
    inputs = keras.Input((12, 12, 3), name="image")
    x = L.GlobalAveragePooling2D(name="gap")(base(inputs))
    model = keras.Model(inputs, L.Dense(10, activation="softmax", name="head")(x))
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "transfer.keras"
    model.save(path)
    return str(path)


def _import(window, answers, qtbot, path, expand="base"):
    answers.open_path = path
    window.menu_actions["import_keras"].trigger()
    wait_for_import(window, qtbot)
    assert not answers.errors
    if expand:  # the nested model is one group node; Edit > Expand shows its layers
        group = window.document.graph.node_by_name(expand)
        assert group.key == "Subnetwork"
        assert window.scene.nodes[group.id].state.params == "3 layers"
        assert not group.trainable
        _select(window, expand)
        window.menu_actions["expand"].trigger()


def _select(window, name):
    node_id = window.document.graph.node_by_name(name).id
    window.scene.select_nodes([node_id])
    return node_id


def test_imported_model_shows_frozen_and_generic_layers(window, answers, qtbot, transfer_model):
    _import(window, answers, qtbot, transfer_model)
    graph = window.document.graph
    items = window.scene.nodes
    assert items[graph.node_by_name("base_conv").id].state.frozen
    assert not items[graph.node_by_name("head").id].state.frozen
    generic = items[graph.node_by_name("base_regularised").id].state
    assert generic.kind == "Conv2D (Keras)"
    assert generic.shape.startswith("(None, 8, 8, 4)")
    assert window.document.project.training["metrics"] == ("accuracy",)
    # Its weights are what a user fine-tunes: training continues from them.
    assert window.training.continue_box.isChecked()
    answers.unsaved = "discard"
    window.menu_actions["new"].trigger()  # a template (the MLP): its runs start afresh
    assert not window.training.continue_box.isChecked()


def test_generic_layer_edited_in_typed_fields_and_as_json(window, answers, qtbot, transfer_model):
    _import(window, answers, qtbot, transfer_model)
    node_id = _select(window, "base_regularised")
    inspector = window.inspector
    filters = inspector.editors["config.filters"]
    filters.setValue(6)
    assert window.document.graph.nodes[node_id].params["layer"]["config"]["filters"] == 6
    assert window.document.analysis.shapes[node_id] == (8, 8, 6)
    strides = inspector.editors["config.strides"]
    assert isinstance(strides, QLineEdit)
    strides.setText("2, 2")
    strides.editingFinished.emit()
    assert window.document.analysis.shapes[node_id] == (4, 4, 6)
    text = inspector.editors["layer"]
    assert isinstance(text, QPlainTextEdit)
    text.setPlainText("{not json")
    inspector.findChild(QPushButton, "apply_layer_json").click()
    assert inspector.errors["layer"].text().startswith("not JSON")
    layer = window.document.graph.nodes[node_id].params["layer"]
    bad = {**layer, "config": {**layer["config"], "padding": "sideways"}}
    text.setPlainText(json.dumps(bad))
    inspector.findChild(QPushButton, "apply_layer_json").click()
    assert "Keras cannot rebuild" in inspector.errors["layer"].text()
    assert "padding" in inspector.errors["layer"].text()
    window.menu_actions["undo"].trigger()
    assert window.document.analysis.valid
    assert window.document.analysis.shapes[node_id] == (4, 4, 6)


def test_freeze_and_unfreeze_from_the_menu_the_inspector_and_the_file(
        window, answers, qtbot, transfer_model, tmp_path):  # fmt: skip
    _import(window, answers, qtbot, transfer_model)
    graph = window.document.graph
    head = _select(window, "head")
    trainable_before = window.document.analysis.totals()[0]
    window.menu_actions["freeze"].trigger()
    assert not graph.nodes[head].trainable
    assert window.scene.nodes[head].state.frozen
    assert window.document.analysis.totals()[0] == 0
    window.menu_actions["undo"].trigger()
    assert graph.nodes[head].trainable
    assert window.document.analysis.totals()[0] == trainable_before
    _select(window, "base_conv")
    switch = window.inspector.editors["trainable"]
    assert isinstance(switch, QCheckBox)
    assert not switch.isChecked()
    switch.setChecked(True)
    assert graph.node_by_name("base_conv").trainable
    answers.save_path = str(tmp_path / "tuned.netlab")
    window.menu_actions["save"].trigger()
    wait_for_saves(window, qtbot)
    again = load_project(tmp_path / "tuned.netlab").graph
    assert again.node_by_name("base_conv").trainable
    assert not again.node_by_name("base_bn").trainable


def test_right_click_on_a_layer_offers_freeze(window, answers, qtbot, transfer_model):
    _import(window, answers, qtbot, transfer_model)
    graph = window.document.graph
    head = graph.node_by_name("head").id
    window.scene.clearSelection()
    item = window.scene.nodes[head]
    window.canvas.centerOn(item)
    qtbot.wait(20)
    point = window.canvas.mapFromScene(item.sceneBoundingRect().center())
    viewport = window.canvas.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)  # as a right click delivers it
    menu = window.canvas.context_menu
    assert window.scene.selected_node_ids() == [head]
    freeze = next(a for a in menu.actions() if a.text().startswith("&Freeze"))
    menu.close()
    freeze.trigger()
    assert not graph.nodes[head].trainable


def test_generic_shapes_are_worked_out_off_the_gui_thread(window, answers, qtbot, monkeypatch,
                                                          tmp_path):  # fmt: skip
    monkeypatch.setattr(keras_layer, "compute_missing", False)
    inputs = keras.Input((9, 2), name="seq")
    up = L.Conv1DTranspose(3, 2, strides=2, name="up")(inputs)
    keras.Model(inputs, up).save(tmp_path / "up.keras")
    _import(window, answers, qtbot, str(tmp_path / "up.keras"), expand="")
    document = window.document
    node_id = document.graph.node_by_name("up").id
    assert document.analysis.shapes[node_id] == (18, 3)  # the import's worker asked Keras
    # An edit to a configuration Keras has not seen: pending, then known, never blocking.
    layer = document.graph.nodes[node_id].params["layer"]
    from netlab.graph.commands import SetParam

    changed = {**layer, "config": {**layer["config"], "strides": [3], "filters": 5}}
    document.execute(SetParam(node_id, "layer", changed))
    first = document.analysis
    assert node_id not in first.shapes
    assert [p.message for p in first.errors][-1].endswith(keras_layer.PENDING_MESSAGE)
    qtbot.waitUntil(lambda: not document.shapes_pending, timeout=30_000)
    assert document.analysis.shapes[node_id] == (27, 5)
    assert window.scene.nodes[node_id].state.shape.startswith("(None, 27, 5)")


def test_import_freeze_the_base_replace_the_head_and_train(window, answers, qtbot, tmp_path):
    """The fine-tuning recipe, as a user does it in the window, on the digits."""
    import numpy as np

    from tests.ui.test_training_panel import RUN_TIMEOUT, _finished, _panel

    inputs = keras.Input((8, 8, 1), name="digits")
    x = L.Conv2D(8, 3, padding="same", name="conv")(inputs)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Flatten(name="flat")(L.MaxPooling2D(name="pool")(x))
    keras.Model(inputs, L.Dense(3, name="old_head")(x)).save(tmp_path / "pretrained.keras")
    _import(window, answers, qtbot, str(tmp_path / "pretrained.keras"), expand="")
    graph = window.document.graph
    imported = {name: [np.array(a) for a in graph.node_by_name(name).weights]
                for name in ("conv", "bn")}  # fmt: skip
    window.scene.select_nodes([graph.node_by_name(n).id for n in ("conv", "bn")])
    window.menu_actions["freeze"].trigger()
    window.scene.select_nodes([graph.node_by_name("old_head").id])
    window.menu_actions["delete"].trigger()
    window.edits.add_layer("Dense")
    head = next(n for n in graph.nodes.values() if n.key == "Dense")
    window.inspector.editors["units"].setValue(10)
    window.inspector.editors["activation"].setCurrentIndex(
        window.inspector.editors["activation"].findData("softmax"))  # fmt: skip
    window.inspector.editors["activation"].activated.emit(
        window.inspector.editors["activation"].currentIndex())  # fmt: skip
    from netlab.graph.commands import Connect

    output = next(n for n in graph.nodes.values() if n.key == "Output")
    assert window.execute(Connect(graph.node_by_name("flat").id, head.id, 0))
    assert window.execute(Connect(head.id, output.id, 0))
    assert window.document.analysis.valid
    panel = _panel(window, epochs=2, loss="categorical_crossentropy")
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=240_000)
    assert panel.continue_box.isChecked()
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    record = window.document.project.runs[-1]
    assert record.status == "finished"
    assert record.epochs[-1]["val_accuracy"] > 0.5
    for name, arrays in imported.items():  # the frozen base, BatchNorm statistics included
        for before, after in zip(arrays, graph.node_by_name(name).weights, strict=True):
            np.testing.assert_array_equal(before, after)
    assert graph.node_by_name(head.name).weights is not None  # the new head trained
