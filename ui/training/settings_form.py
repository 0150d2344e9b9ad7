"""The training settings of a project as editors, checked like layer parameters.

Generated from ``netlab.project.TRAINING_PARAMS``; the Training tab adds its own
rows first (device, runs at once, continue), which stay when another project's
settings are shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from netlab.errors import NetLabError
from netlab.project import TRAINING_PARAMS
from ui.param_editors import make_editor, set_editor_value, with_error_line


class SettingsForm(QWidget):
    """An editor per training setting, with the reason a value was refused under it.

    Args:
        skip: Settings the tab shows in its own way (the data set, the device).

    Signals:
        changed(str, object): a setting the user changed, its value checked.
    """

    changed = Signal(str, object)

    def __init__(self, skip: tuple[str, ...]) -> None:
        super().__init__()
        self.skip = skip
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)  # inside the tab's group box, which has its own
        self.fixed = 0  # the tab's own rows, before the generated ones
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

    def add_row(self, label: str | QWidget, widget: QWidget | None = None) -> None:
        """One of the tab's own rows (kept when the settings are shown anew)."""
        if widget is None:
            assert isinstance(label, QWidget)
            self.form.addRow(label)
        else:
            self.form.addRow(label, widget)
        self.fixed += 1

    def show_settings(self, config: dict[str, Any]) -> None:
        """Editors for ``config``'s values; nothing of the last project's stays."""
        while self.form.rowCount() > self.fixed:
            self.form.removeRow(self.fixed)
        self.editors, self.errors = {}, {}
        for param in TRAINING_PARAMS:
            if param.name in self.skip:
                continue
            editor = make_editor(param, config.get(param.name, param.default), self._apply)
            box, error = with_error_line(editor)
            label = QLabel(param.name.replace("_", " "))
            label.setToolTip(param.help)
            self.form.addRow(label, box)
            self.editors[param.name], self.errors[param.name] = editor, error

    def show_value(self, name: str, value: Any) -> None:
        """Shows ``value`` in the editor of ``name`` (set elsewhere), without calling back."""
        if name in self.editors:
            set_editor_value(self.editors[name], value)

    def _apply(self, param: Any, value: Any) -> None:
        try:
            value = param.check(value)
        except NetLabError as err:
            self.errors[param.name].setText(str(err))
            self.errors[param.name].setVisible(True)
            return
        self.errors[param.name].setVisible(False)
        self.errors[param.name].setText("")
        self.changed.emit(param.name, value)
