"""The frame every inspect sub-tab shares: controls, a one-line message, content or a reason.

A view computes only while it is the visible tab; a change made while it is
hidden is remembered and computed when it is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.inspect.context import InspectContext
from ui.inspect.worker import Worker

BUSY_TEXT = "computing…"


class InspectView(QWidget):
    """One sub-tab of the inspect panel.

    Subclasses fill :attr:`controls` and :attr:`content` and implement
    :meth:`populate`, :meth:`work` and :meth:`show_result`.

    Signals:
        computed(str): the view's name, after a result or an error was shown.
    """

    computed = Signal(str)
    name = "view"

    def __init__(self, lock: threading.Lock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: InspectContext | None = None
        self.worker = Worker(lock, self)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.failed.connect(self._on_worker_failed)
        self._active = False
        self._stale = False
        self.controls = QHBoxLayout()
        self.message_label = QLabel()
        self.message_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.reason_label = QLabel()
        self.reason_label.setAlignment(Qt.AlignCenter)
        self.reason_label.setWordWrap(True)
        self.content = QWidget()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.reason_label)
        self.pages.addWidget(self.content)
        self._controls_box = QWidget()
        self._controls_box.setLayout(self.controls)
        self.controls.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self._controls_box)
        layout.addWidget(self.message_label)
        layout.addWidget(self.pages, 1)

    # Called by the panel ---------------------------------------------------------
    def set_context(self, context: InspectContext | None, reason: str = "") -> None:
        """Shows a new model (``None``: none, with ``reason`` as the line shown)."""
        self.worker.cancel()
        self.context = context
        self.clear_result()
        self.show_message("")
        explanation = reason if context is None else self.populate(context)
        self._controls_box.setVisible(not explanation)
        self.reason_label.setText(explanation)
        self.pages.setCurrentWidget(self.reason_label if explanation else self.content)
        self._stale = not explanation
        if self._active and self._stale:
            self.refresh()

    def set_active(self, active: bool) -> None:
        """Called when the tab is shown (True) or hidden; shown views compute what changed."""
        self._active = active
        if active and self._stale:
            self.refresh()

    @property
    def busy(self) -> bool:
        """Whether a computation is running or waiting."""
        return self.worker.busy

    def message(self) -> str:
        """The one line shown: the reason the view does not apply, an error, or progress."""
        if self.pages.currentWidget() is self.reason_label:
            return self.reason_label.text()
        return self.message_label.text()

    # For subclasses ----------------------------------------------------------------
    def request(self) -> None:
        """Computes again now if the view is visible, else when it is shown."""
        if self.context is None or self.pages.currentWidget() is not self.content:
            return
        self._stale = True
        if self._active:
            self.refresh()

    def refresh(self) -> None:
        """Starts the computation of the current settings."""
        self._stale = False
        work = self.work()
        if work is None:
            return
        self.show_message(BUSY_TEXT)
        self.worker.submit(work)

    def show_message(self, text: str, error: bool = False) -> None:
        """Shows one line above the content (red for an error)."""
        self.message_label.setText(text)
        self.message_label.setStyleSheet(theme.error_style() if error else "")

    def populate(self, context: InspectContext) -> str:
        """Fills the controls for a new model; returns why the view does not apply, or ''."""
        raise NotImplementedError

    def work(self) -> Callable[[], Any] | None:
        """The computation for the current settings (run on a worker thread), or None."""
        raise NotImplementedError

    def show_result(self, result: Any) -> None:
        """Shows what :meth:`work` returned (on the GUI thread)."""
        raise NotImplementedError

    def clear_result(self) -> None:
        """Forgets the shown result (a new model, or an error)."""

    def _on_worker_finished(self, result: Any) -> None:
        self.show_message("")
        self.show_result(result)
        self.computed.emit(self.name)

    def _on_worker_failed(self, message: str) -> None:
        self.clear_result()
        self.show_message(message, error=True)
        self.computed.emit(self.name)


def layer_combo(layers: list[tuple[str, str]]) -> QComboBox:
    """A combo box listing ``(name, key)`` pairs as "name (key)"; item data is the name."""
    combo = QComboBox()
    fill_layer_combo(combo, layers)
    return combo


def fill_layer_combo(combo: QComboBox, layers: list[tuple[str, str]]) -> None:
    """Replaces the combo's items without emitting change signals."""
    combo.blockSignals(True)
    combo.clear()
    for name, key in layers:
        combo.addItem(f"{name} ({key})", name)
    combo.blockSignals(False)


def sample_spin(context: InspectContext, spin: QSpinBox) -> None:
    """Limits the example spin box to the context's examples, without emitting signals."""
    spin.blockSignals(True)
    spin.setRange(0, max(0, context.size - 1))
    spin.setValue(min(spin.value(), max(0, context.size - 1)))
    spin.setToolTip(f"example of the {context.split} set (0 to {context.size - 1})")
    spin.blockSignals(False)


def labelled(text: str, widget: QWidget) -> list[QWidget]:
    """A label and its widget, for a controls row."""
    label = QLabel(text)
    label.setBuddy(widget)
    return [label, widget]
