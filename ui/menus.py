"""The menu bar and its shortcuts (File, Edit, View, Help)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

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
    a["new"] = _action(w, file, "&New from template…", w.new_from_template, Key.New)
    a["open"] = _action(w, file, "&Open…", w.open_file, Key.Open)
    a["recent_menu"] = file.addMenu("Open &Recent")
    file.addSeparator()
    a["save"] = _action(w, file, "&Save", w.save, Key.Save)
    a["save_as"] = _action(w, file, "Save &As…", w.save_as, Key.SaveAs)
    file.addSeparator()
    a["import_keras"] = _action(w, file, "&Import Keras model…", w.import_keras)
    a["export_keras"] = _action(w, file, "&Export Keras model…", w.export_keras)
    a["export_python"] = _action(w, file, "Export &Python code…", w.export_python)
    file.addSeparator()
    a["quit"] = _action(w, file, "&Quit", w.close, Key.Quit)

    edit = bar.addMenu("&Edit")
    a["undo_group"] = QUndoGroup(w)
    a["undo"] = a["undo_group"].createUndoAction(w, "&Undo")
    a["undo"].setShortcut(Key.Undo)
    a["redo"] = a["undo_group"].createRedoAction(w, "&Redo")
    a["redo"].setShortcut(Key.Redo)
    edit.addActions([a["undo"], a["redo"]])
    edit.addSeparator()
    a["cut"] = _action(w, edit, "Cu&t", w.cut_selection, Key.Cut)
    a["copy"] = _action(w, edit, "&Copy", w.copy_selection, Key.Copy)
    a["paste"] = _action(w, edit, "&Paste", w.paste, Key.Paste)
    a["duplicate"] = _action(w, edit, "D&uplicate", w.duplicate, QKeySequence("Ctrl+D"))
    a["delete"] = _action(w, edit, "&Delete", w.delete_selection, Key.Delete)
    a["select_all"] = _action(w, edit, "Select &All", w.select_all, Key.SelectAll)
    edit.addSeparator()
    a["auto_layout"] = _action(w, edit, "Auto &Layout", w.auto_layout, QKeySequence("Ctrl+L"))
    a["expand"] = _action(w, edit, "&Expand block into layers", w.expand, QKeySequence("Ctrl+E"))
    a["collapse"] = _action(w, edit, "C&ollapse layers into block", w.collapse,
                            QKeySequence("Ctrl+Shift+E"))  # fmt: skip

    view = bar.addMenu("&View")
    a["zoom_in"] = _action(w, view, "Zoom &In", lambda: w.canvas.zoom_by(1.25), Key.ZoomIn)
    a["zoom_out"] = _action(w, view, "Zoom &Out", lambda: w.canvas.zoom_by(0.8), Key.ZoomOut)
    a["fit"] = _action(w, view, "&Fit to Window", w.fit_view, QKeySequence("Ctrl+0"))
    a["reset_zoom"] = _action(w, view, "&Reset Zoom (100%)", w.canvas.reset_zoom,
                              QKeySequence("Ctrl+1"))  # fmt: skip
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

    help_menu = bar.addMenu("&Help")
    a["reference"] = _action(
        w, help_menu, "&Layer reference", w.show_layer_reference, Key.HelpContents
    )
    a["about"] = _action(w, help_menu, "&About NetLab", lambda: QMessageBox.about(
        w, "About NetLab", "NetLab: build, train and look inside neural networks.\n"
        "Layers, shapes and training from the netlab core; Keras 3 underneath."))  # fmt: skip
    return a
