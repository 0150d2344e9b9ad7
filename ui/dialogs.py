"""Every question the window asks, in one place (tests replace these functions)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from netlab.templates import TEMPLATES

PROJECT_FILTER = "NetLab projects (*.netlab)"
KERAS_FILTER = "Keras models (*.keras)"
PYTHON_FILTER = "Python files (*.py)"


def open_path(parent: QWidget, caption: str, filters: str) -> str:
    """A file to open, or "" if cancelled."""
    return QFileDialog.getOpenFileName(parent, caption, "", filters)[0]


def save_path(parent: QWidget, caption: str, filters: str, suggested: str = "") -> str:
    """A file to write, or "" if cancelled."""
    return QFileDialog.getSaveFileName(parent, caption, suggested, filters)[0]


def unsaved_changes(parent: QWidget, title: str) -> str:
    """``save``, ``discard`` or ``cancel`` for a document with unsaved edits."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)  # fmt: skip
    answer = QMessageBox.question(parent, "Unsaved changes",
                                  f"Save the changes to {title}?", buttons)  # fmt: skip
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


def restore_recovery(parent: QWidget, description: str) -> bool:
    """Whether to restore the work autosaved before NetLab last ended unexpectedly."""
    answer = QMessageBox.question(
        parent, "Restore unsaved work?",
        f"NetLab did not close normally last time. Restore the autosaved work?\n\n{description}",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


def choose_template(parent: QWidget) -> str:
    """A template name for File > New, or "" if cancelled."""
    labels = [f"{t.name}: {t.description}" for t in TEMPLATES.values()]
    label, ok = QInputDialog.getItem(parent, "New from template", "Template:", labels, 1, False)
    return label.split(":")[0] if ok else ""


def error(parent: QWidget, title: str, message: str) -> None:
    """Shows a one-line error."""
    QMessageBox.warning(parent, title, message)
