"""The list of a project's runs on the Training tab: a colour, a name, a tick to show it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem


class RunList(QListWidget):
    """One entry per run, by run id; the text can say what the run is doing.

    Signals:
        visibility_changed(str, bool): the user ticked a run (True) or unticked it.
    """

    visibility_changed = Signal(str, bool)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("runList")
        self.itemChanged.connect(lambda item: self.visibility_changed.emit(
            self._id(item), item.checkState() == Qt.CheckState.Checked))  # fmt: skip

    @staticmethod
    def _id(item: QListWidgetItem) -> str:
        return str(item.data(Qt.ItemDataRole.UserRole))

    def _item(self, run_id: str) -> QListWidgetItem | None:
        return next((self.item(row) for row in range(self.count())
                     if self._id(self.item(row)) == run_id), None)  # fmt: skip

    def add(self, run_id: str, name: str, colour: str) -> None:
        """A ticked entry for a run."""
        pixmap = QPixmap(12, 12)
        pixmap.fill(QColor(colour))
        item = QListWidgetItem(pixmap, name)
        item.setData(Qt.ItemDataRole.UserRole, run_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        self.blockSignals(True)
        self.addItem(item)
        self.blockSignals(False)

    def set_text(self, run_id: str, text: str) -> None:
        """What the entry says ("Run 3 (queued)", "Run 2 (epoch 4, loss 0.31)", "Run 2")."""
        item = self._item(run_id)
        if item is not None:
            item.setText(text)

    def remove(self, run_id: str) -> None:
        """Takes a run's entry out."""
        item = self._item(run_id)
        if item is not None:
            self.takeItem(self.row(item))

    def show_only(self, run_ids: list[str]) -> None:
        """Ticks the entries of ``run_ids`` and unticks the others (their curves follow)."""
        wanted = set(run_ids)
        for row in range(self.count()):
            item = self.item(row)
            item.setCheckState(Qt.CheckState.Checked if self._id(item) in wanted
                               else Qt.CheckState.Unchecked)  # fmt: skip
