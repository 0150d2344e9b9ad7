"""The menu bar and its shortcuts (File, Edit, View, Help)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from netlab.labs import LABS

Key = QKeySequence.StandardKey


def _action(window: QMainWindow, menu: QMenu, text: str, slot: Any,
            shortcut: Any = None) -> QAction:  # fmt: skip
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(w: Any) -> dict[str, Any]:
    """Creates the menus of main window ``w``; returns its actions by name."""
    a: dict[str, Any] = {}
    bar = w.menuBar()
    file = bar.addMenu("&File")
    files, edits = w.files, w.edits
    a["new"] = _action(w, file, "&New…", files.new_project, Key.New)
    a["open"] = _action(w, file, "&Open…", files.open_file, Key.Open)
    a["recent_menu"] = file.addMenu("Open &Recent")
    file.addSeparator()
    a["save"] = _action(w, file, "&Save", files.save, Key.Save)
    a["save_as"] = _action(w, file, "Save &As…", files.save_as, Key.SaveAs)
    file.addSeparator()
    a["import_keras"] = _action(w, file, "&Import Keras model…", files.import_keras)
    a["export_keras"] = _action(w, file, "&Export Keras model…", files.export_keras)
    a["export_python"] = _action(w, file, "Export &Python code…", files.export_python)
    file.addSeparator()
    a["quit"] = _action(w, file, "&Quit", w.close, Key.Quit)

    edit = bar.addMenu("&Edit")
    a["undo_group"] = QUndoGroup(w)
    a["undo"] = a["undo_group"].createUndoAction(w, "&Undo")
    a["undo"].setShortcut(Key.Undo)
    a["redo"] = a["undo_group"].createRedoAction(w, "&Redo")
    # Each sequence once: on Linux Key.Redo is Ctrl+Shift+Z itself, and a sequence given
    # twice is an "ambiguous shortcut" that Qt then fires for neither.
    redo = dict.fromkeys(QKeySequence(k).toString() for k in (Key.Redo, "Ctrl+Y", "Ctrl+Shift+Z"))
    a["redo"].setShortcuts([QKeySequence(k) for k in redo if k])
    edit.addActions([a["undo"], a["redo"]])
    edit.addSeparator()
    a["cut"] = _action(w, edit, "Cu&t", edits.cut_selection, Key.Cut)
    a["copy"] = _action(w, edit, "&Copy", edits.copy_selection, Key.Copy)
    a["paste"] = _action(w, edit, "&Paste", edits.paste, Key.Paste)
    a["duplicate"] = _action(w, edit, "D&uplicate", edits.duplicate, QKeySequence("Ctrl+D"))
    a["delete"] = _action(w, edit, "&Delete", edits.delete_selection, Key.Delete)
    a["select_all"] = _action(w, edit, "Select &All", edits.select_all, Key.SelectAll)
    edit.addSeparator()
    a["auto_layout"] = _action(w, edit, "Auto &Layout", edits.auto_layout, QKeySequence("Ctrl+L"))
    a["expand"] = _action(w, edit, "&Expand block or group into layers", lambda: edits.expand(),
                          QKeySequence("Ctrl+E"))  # fmt: skip
    a["collapse"] = _action(w, edit, "C&ollapse layers into a block or group", edits.collapse,
                            QKeySequence("Ctrl+Shift+E"))  # fmt: skip
    edit.addSeparator()
    a["freeze"] = _action(w, edit, "&Freeze selected layers", lambda: edits.set_trainable(False),
                          QKeySequence("Ctrl+K"))  # fmt: skip
    a["unfreeze"] = _action(w, edit, "U&nfreeze selected layers",
                            lambda: edits.set_trainable(True),
                            QKeySequence("Ctrl+Shift+K"))  # fmt: skip

    view = bar.addMenu("&View")
    a["zoom_in"] = _action(w, view, "Zoom &In", lambda: w.canvas.zoom_by(1.25), Key.ZoomIn)
    a["zoom_out"] = _action(w, view, "Zoom &Out", lambda: w.canvas.zoom_by(0.8), Key.ZoomOut)
    a["fit"] = _action(w, view, "&Fit to Window", w.fit_view, QKeySequence("Ctrl+0"))
    a["reset_zoom"] = _action(w, view, "&Reset Zoom (100%)", w.canvas.reset_zoom,
                              QKeySequence("Ctrl+1"))  # fmt: skip
    view.addSeparator()
    flows = QActionGroup(w)
    for name, label in (("down", "Top to bottom"), ("right", "Left to right")):
        action = _action(w, view, f"Layout: {label}", lambda n=name: w.set_direction(n))
        action.setCheckable(True)
        flows.addAction(action)
        a[f"direction_{name}"] = action
    view.addSeparator()
    a["activations"] = _action(w, view, "&Activations on the Canvas",
                               lambda: w.show_activations(a["activations"].isChecked()),
                               QKeySequence("Ctrl+Shift+A"))  # fmt: skip
    a["activations"].setCheckable(True)
    a["activations"].setToolTip("every layer shows its output for the example chosen in "
                                "Inspect > Feature maps, refreshed after edits and epochs")
    view.addSeparator()
    themes = QActionGroup(w)
    for name in ("light", "dark"):
        action = _action(w, view, f"{name.title()} theme", lambda n=name: w.set_theme(n))
        action.setCheckable(True)
        action.setChecked(w.theme == name)
        themes.addAction(action)
        a[f"theme_{name}"] = action
    view.addSeparator()
    docks = view.addMenu("&Panels")
    for dock in w.docks.values():
        docks.addAction(dock.toggleViewAction())

    labs_menu = bar.addMenu("&Labs")
    for lab in LABS.values():
        a[f"lab_{lab.name}"] = _action(w, labs_menu, lab.title,
                                       lambda _=False, name=lab.name: w.show_lab(name))
    help_menu = bar.addMenu("&Help")
    a["reference"] = _action(
        w, help_menu, "&Layer reference", w.show_layer_reference, Key.HelpContents
    )
    a["about"] = _action(w, help_menu, "&About NetLab", lambda: QMessageBox.about(
        w, "About NetLab", "NetLab: build, train and look inside neural networks.\n"
        "Layers, shapes and training from the netlab core; Keras 3 underneath."))  # fmt: skip
    return a
