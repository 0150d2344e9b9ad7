"""What the screenshot tools share: a window of their own, and waiting on the event loop."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow


def screenshot_window() -> tuple[QApplication, MainWindow]:
    """The application and a 1560x940 main window with settings in a temporary file."""
    app = QApplication(sys.argv)
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, None)
    window.resize(1560, 940)
    window.show()
    return app, window


def wait(app: QApplication, done: Callable[[], bool], timeout: float = 900.0) -> None:
    """Processes events until ``done()`` holds; then a few more, so everything is painted."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the view did not finish in time")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
