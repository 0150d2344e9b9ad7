"""A main window with its own settings file and recovery file, dialogs answered by tests."""

import pytest
from PySide6.QtCore import QSettings

from ui import dialogs
from ui.main_window import MainWindow


class Answers:
    """What the patched dialogs answer, and what they were asked."""

    def __init__(self):
        self.open_path = ""
        self.save_path = ""
        self.unsaved = "cancel"
        self.restore = True
        self.template = "mlp"
        self.during_run = "stop"
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []


@pytest.fixture
def answers(monkeypatch):
    given = Answers()

    def record(name, value):
        def ask(*args, **kwargs):
            given.asked.append(name)
            return getattr(given, value)

        monkeypatch.setattr(dialogs, name, ask)

    record("open_path", "open_path")
    record("save_path", "save_path")
    record("unsaved_changes", "unsaved")
    record("restore_recovery", "restore")
    record("choose_new", "template")
    record("run_in_progress", "during_run")
    monkeypatch.setattr(dialogs, "error", lambda parent, title, text: given.errors.append(text))
    monkeypatch.setattr(dialogs, "warnings",
                        lambda parent, title, lines: given.warnings.extend(lines))  # fmt: skip
    return given


@pytest.fixture
def make_window(qtbot, tmp_path, answers):
    def make(recovery=True):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        recovery_path = str(tmp_path / "recovery.netlab") if recovery else None
        window = MainWindow(settings, recovery_path, load_backend=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()


def wait_for_saves(window, qtbot):
    """Until the window's saves and autosaves are on disk and reported back."""
    window.files.wait_for_saves()
    qtbot.waitUntil(lambda: window.files.saving is None, timeout=60_000)
    qtbot.wait(10)  # the queued "done" of an autosave


def wait_for_import(window, qtbot):
    """Waits until File > Import has put the model in the window (or said why not)."""
    task = window.files.import_task
    assert task is not None
    task.wait(120)
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    qtbot.wait(50)  # the result reaches the window through the event loop
