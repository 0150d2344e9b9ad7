"""Every question the window asks, in one place (tests replace these functions).

File dialogs start in the folder last used (else the home folder), never in
the folder NetLab was started from, so Enter never writes into the source tree.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from netlab.templates import TEMPLATES

PROJECT_FILTER = "NetLab projects (*.netlab)"
KERAS_FILTER = "Keras models (*.keras *.h5)"
PYTHON_FILTER = "Python files (*.py)"


def _folder() -> str:
    folder = str(QSettings().value("lastFolder", "") or "")
    return folder if folder and os.path.isdir(folder) else str(Path.home())


def _remember(path: str) -> str:
    if path:
        QSettings().setValue("lastFolder", str(Path(path).resolve().parent))
    return path


def open_path(parent: QWidget, caption: str, filters: str) -> str:
    """A file to open, or "" if cancelled."""
    return _remember(QFileDialog.getOpenFileName(parent, caption, _folder(), filters)[0])


def save_path(parent: QWidget, caption: str, filters: str, suggested: str = "") -> str:
    """A file to write, or "" if cancelled; ``suggested`` is a name in the last folder."""
    start = os.path.join(_folder(), Path(suggested).name) if suggested else _folder()
    return _remember(QFileDialog.getSaveFileName(parent, caption, start, filters)[0])


def folder_path(parent: QWidget, caption: str) -> str:
    """A folder, or "" if cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, caption, _folder())
    if folder:
        QSettings().setValue("lastFolder", folder)
    return folder


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


def run_in_progress(parent: QWidget, title: str) -> str:
    """``stop`` (keep the run so far), ``discard`` or ``cancel`` while a run trains."""
    box = QMessageBox(QMessageBox.Icon.Question, "Training in progress",
                      f"{title} is training. Stop it and keep the run so far (its weights "
                      "and curves), or discard the run?", parent=parent)  # fmt: skip
    stop = box.addButton("Stop and keep", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard the run", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(stop)
    box.exec()
    clicked = box.clickedButton()
    return "stop" if clicked is stop else "discard" if clicked is discard else "cancel"


def restore_recovery(parent: QWidget, description: str) -> bool:
    """Whether to restore the work autosaved before NetLab last ended unexpectedly."""
    answer = QMessageBox.question(
        parent, "Restore unsaved work?",
        f"NetLab did not close normally last time. Restore the autosaved work?\n\n{description}",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


class NewProjectDialog(QDialog):
    """File > New: an empty network or one of the course's templates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New network")
        self.choices = QListWidget()
        self.choices.setObjectName("newChoices")
        for template in TEMPLATES.values():
            key, summary = template.name, template.summary
            name = "Empty network" if key == "empty" else key
            item = QListWidgetItem(f"{name}\n    {summary}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        self.choices.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Start from:"))
        column.addWidget(self.choices)
        column.addWidget(buttons)
        self.resize(560, 420)

    def choice(self) -> str:
        """The key of the chosen entry."""
        item = self.choices.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""


def choose_new(parent: QWidget) -> str:
    """A template name (``"empty"`` for an empty network) for File > New, or "" if cancelled."""
    dialog = NewProjectDialog(parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else ""


def error(parent: QWidget, title: str, message: str) -> None:
    """Shows a one-line error."""
    QMessageBox.warning(parent, title, message)


def warnings(parent: QWidget, title: str, lines: list[str]) -> None:
    """Shows what loading a file found and fixed (it opened all the same)."""
    QMessageBox.information(parent, title, "\n\n".join(lines))
