"""Starts the Qt application and shows the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow


def run() -> int:
    """Opens the main window and runs the event loop until it closes."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("NetLab")
    window = MainWindow()
    window.show()
    return app.exec()
