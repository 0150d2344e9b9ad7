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
        self.asked: list[str] = []
        self.errors: list[str] = []


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
    record("choose_template", "template")
    monkeypatch.setattr(dialogs, "error", lambda parent, title, text: given.errors.append(text))
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
