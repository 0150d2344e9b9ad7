"""Files through the menus: save and reopen, the unsaved-changes prompt, crash recovery."""

import os

import keras

from netlab.graph.commands import SetParam
from netlab.project import load_project
from tests.ui.conftest import wait_for_import, wait_for_saves


def _edit(window):
    conv = window.document.graph.node_by_name("conv1").id
    assert window.execute(SetParam(conv, "filters", 12))
    return conv


def test_save_and_reopen_through_the_menu(window, answers, tmp_path, qtbot):
    conv = _edit(window)
    assert window.isWindowModified()
    answers.save_path = str(tmp_path / "digits")  # the extension is added
    window.menu_actions["save"].trigger()  # no file yet: Save As, written on a worker
    wait_for_saves(window, qtbot)
    path = str(tmp_path / "digits.netlab")
    assert answers.asked == ["save_path"]
    assert not window.isWindowModified()
    assert window.windowTitle() == "digits.netlab[*] — NetLab"
    assert load_project(path).graph.nodes[conv].params["filters"] == 12
    window.new_default_document()
    answers.open_path = path
    window.menu_actions["open"].trigger()
    assert window.document.graph.nodes[conv].params["filters"] == 12
    assert window.document.path == path
    assert window.menu_actions["recent_menu"].actions()[0].text() == os.path.abspath(path)


def test_a_damaged_file_is_refused_with_one_line_and_the_work_stays(window, answers, tmp_path):
    bad = tmp_path / "bad.netlab"
    bad.write_bytes(b"not a zip")
    graph = window.document.graph
    answers.open_path = str(bad)
    window.menu_actions["open"].trigger()
    assert window.document.graph is graph
    assert len(answers.errors) == 1
    assert "\n" not in answers.errors[0]
    assert str(bad) in answers.errors[0]


def test_unsaved_changes_prompt_on_close_new_and_open(window, answers, tmp_path):
    _edit(window)
    answers.unsaved = "cancel"
    assert not window.close()
    assert window.isVisible()
    assert answers.asked == ["unsaved_changes"]
    window.menu_actions["new"].trigger()
    assert answers.asked == ["unsaved_changes", "unsaved_changes"]
    assert "example" in window.document.title  # cancelled: still the edited example
    answers.unsaved, answers.save_path = "save", str(tmp_path / "kept.netlab")
    answers.template = "mlp"
    window.menu_actions["new"].trigger()
    assert os.path.exists(tmp_path / "kept.netlab")
    assert window.document.title == "mlp (new)"
    _edit_mlp = window.document.graph.node_by_name("hidden1").id
    window.execute(SetParam(_edit_mlp, "units", 10))
    answers.unsaved = "discard"
    assert window.close()


def test_crash_recovery_offers_the_autosaved_work(make_window, answers, tmp_path):
    first = make_window()
    conv = _edit(first)
    first.files.autosave()
    first.files.wait_for_saves()
    assert os.path.exists(tmp_path / "recovery.netlab")
    # The process dies here: no close, so the recovery file stays.
    answers.restore = True
    second = make_window()
    assert second.offer_recovery()
    assert second.document.graph.nodes[conv].params["filters"] == 12
    assert second.isWindowModified()  # restored work is unsaved until saved
    answers.unsaved = "discard"
    second.close()
    assert not os.path.exists(tmp_path / "recovery.netlab")
    third = make_window()
    assert not third.offer_recovery()  # nothing to offer after a normal close


def test_declining_recovery_deletes_it(make_window, answers, tmp_path):
    first = make_window()
    _edit(first)
    first.files.autosave()
    first.files.wait_for_saves()
    answers.restore = False
    second = make_window()
    assert not second.offer_recovery()
    assert not os.path.exists(tmp_path / "recovery.netlab")


def test_import_a_keras_model_lays_it_out_and_export_python(window, answers, tmp_path, qtbot):
    inputs = keras.Input((12,), name="features")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax", name="scores")(hidden)
    path = str(tmp_path / "small.keras")
    keras.Model(inputs, outputs).save(path)
    answers.open_path = path
    window.menu_actions["import_keras"].trigger()
    wait_for_import(window, qtbot)
    graph = window.document.graph
    assert {"features", "hidden", "scores"} <= {n.name for n in graph.nodes.values()}
    ys = sorted(n.pos[1] for n in graph.nodes.values())
    assert len(set(ys)) == len(ys)  # laid out top to bottom, not piled up
    answers.save_path = str(tmp_path / "model.py")
    window.menu_actions["export_python"].trigger()
    code = (tmp_path / "model.py").read_text()
    assert "keras.layers.Dense(8" in code or "Dense(units=8" in code
