"""Editors for catalog parameters (``netlab.catalog.spec.Param``), shared by every form.

Each kind gets its widget (spin box, combo box, check box, text for shapes,
pairs and lists); the widget calls back with the Python value the user gave,
which the form checks with the catalog before applying it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netlab.catalog.spec import Param, format_value
from ui import theme

INT_LIMIT = 2**31 - 1


def parse_text(param: Param, text: str) -> Any:
    """What a user typed, as the Python value the catalog checks."""
    text = text.strip()
    if param.kind == "str":
        return text
    if param.kind == "str_list":
        return tuple(part.strip() for part in text.split(",") if part.strip())
    if param.kind == "padding" and text in ("valid", "same"):
        return text
    if param.kind in ("shape", "int_pair", "padding") and re.fullmatch(r"-?\d+([x ]+-?\d+)+", text):
        return tuple(int(part) for part in re.split(r"[x ]+", text))  # 8x8x1, 8 8 1
    if len(text) > 200:
        return text  # no one types a value this long; the check refuses it in one line
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return text  # the catalog's check names what was expected


def show_value(value: Any) -> str:
    """A parameter value as text for the editor, written as everywhere else.

    Lists of names (metrics) as they are typed, ``accuracy, auc``: not ``(accuracy,)``.
    """
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return "" if value is None else format_value(value)


def make_editor(param: Param, value: Any, apply: Callable[[Param, Any], None]) -> QWidget:
    """The editor of ``param`` showing ``value``; calls ``apply(param, new_value)``."""
    if param.kind == "int":
        editor = QSpinBox()
        low = int(param.minimum) if param.minimum is not None else -INT_LIMIT
        high = int(param.maximum) if param.maximum is not None else INT_LIMIT
        editor.setRange(low, min(high, INT_LIMIT))
        editor.setKeyboardTracking(False)
        editor.valueChanged.connect(lambda v: apply(param, v))
    elif param.kind == "float":
        editor = QDoubleSpinBox()
        editor.setDecimals(6)
        editor.setRange(param.minimum if param.minimum is not None else -1e9,
                        param.maximum if param.maximum is not None else 1e9)  # fmt: skip
        editor.setSingleStep(0.1 if (param.maximum or 10) <= 1 else 1.0)
        editor.setKeyboardTracking(False)
        editor.valueChanged.connect(lambda v: apply(param, v))
    elif param.kind == "bool":
        editor = QCheckBox()
        editor.toggled.connect(lambda v: apply(param, v))
    elif param.kind == "choice":
        editor = QComboBox()
        for choice in param.choices:
            editor.addItem(str(choice), choice)
        editor.activated.connect(lambda i: apply(param, editor.itemData(i)))
    else:  # shapes, pairs, padding, optional ints, strings: typed as text
        editor = QLineEdit()
        editor.editingFinished.connect(lambda: apply(param, parse_text(param, editor.text())))
    editor.setToolTip(param.help)
    editor.setObjectName(f"param_{param.name}")
    set_editor_value(editor, value)
    return editor


def set_editor_value(editor: QWidget, value: Any) -> None:
    """Shows ``value`` in ``editor`` without calling back."""
    editor.blockSignals(True)
    try:
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            editor.setText(show_value(value))
    finally:
        editor.blockSignals(False)


def with_error_line(editor: QWidget) -> tuple[QWidget, QLabel]:
    """``editor`` above a hidden red line for the reason a value was refused."""
    error = QLabel()
    error.setStyleSheet(theme.error_style())
    error.setWordWrap(True)
    error.setVisible(False)
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(editor)
    column.addWidget(error)
    return box, error
