"""Starts the Qt application and shows the main window."""

from __future__ import annotations

import os
import sys
import threading
import time

from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from netlab.catalog import keras_layer
from netlab.desktop import ICON
from ui.main_window import MainWindow
from ui.training.runner import close_pool


def wait_for_workers(timeout: float = 60.0) -> None:
    """Lets NetLab's worker threads finish before the interpreter shuts down.

    Why: a window closed while Keras was still being imported (or a view still
    computing) ended the process with a segmentation fault, the thread torn down
    inside TensorFlow's import.
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.startswith("netlab-") and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


def recovery_file() -> str:
    """Where the autosave of unsaved work goes (NETLAB_RECOVERY_DIR overrides)."""
    folder = os.environ.get("NETLAB_RECOVERY_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation
    )
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, "recovery.netlab")


def open_given_file(window: MainWindow, path: str) -> None:
    """Opens a file named on the command line: a project, or a Keras model to import."""
    window.files.open_file(path)


def run(quit_after_ms: int | None = None, open_path: str | None = None) -> int:
    """Opens the main window and runs the event loop until it closes.

    Args:
        quit_after_ms: Close the window after this long (smoke tests; also
            ``NETLAB_QUIT_AFTER_MS``).
        open_path: A ``.netlab`` project to open or a ``.keras`` model to import
            once the window shows (after the offer to restore autosaved work).
    """
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("NetLab")
    app.setApplicationName("NetLab")
    app.setDesktopFileName("netlab")  # matches netlab install-desktop's entry (Wayland app id)
    app.setWindowIcon(QIcon(str(ICON)))
    keras_layer.compute_missing = False  # generic layers' shapes: on a worker (Document)
    window = MainWindow(QSettings(), recovery_file())
    window.show()
    if os.environ.get("NETLAB_REPORT_SHOWN"):  # bench/gui_edit.py times the first paint
        QTimer.singleShot(0, lambda: print("NetLab window shown", flush=True))
    QTimer.singleShot(0, window.offer_recovery)
    if open_path:
        QTimer.singleShot(0, lambda: open_given_file(window, open_path))
    quit_after_ms = quit_after_ms or int(os.environ.get("NETLAB_QUIT_AFTER_MS", "0") or 0)
    if quit_after_ms:
        QTimer.singleShot(quit_after_ms, lambda: _report_and_close(window))
    code = app.exec()
    close_pool()
    wait_for_workers()
    return code


def _report_and_close(window: MainWindow) -> None:
    state = "valid" if window.document.analysis.valid else "invalid"
    print(f"NetLab window: {window.document.title}, {len(window.document.graph.nodes)} layers, "
          f"{state}", flush=True)  # fmt: skip
    window.close()
