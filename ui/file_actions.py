"""File menu work of the main window: new, open, save, import, export, recovery.

A mixin of :class:`ui.main_window.MainWindow`; every netlab error ends here as
a one-line message (status bar or a dialog), never as a traceback.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.errors import NetLabError
from netlab.graph.codegen import to_python
from netlab.project import Project, load_project, save_project
from netlab.templates import TEMPLATES, new_project
from ui import dialogs
from ui.canvas.scene import window_layout
from ui.document import Document

MAX_RECENT = 8


class BackgroundTask(QObject):
    """Runs slow work (Keras import or export) off the GUI thread; reports one line."""

    finished = Signal(str)
    failed = Signal(str)

    def start(self, work: Any, done_message: str) -> None:
        """Runs ``work()`` on a worker thread."""
        threading.Thread(
            target=self._run, args=(work, done_message), name="netlab-export", daemon=True
        ).start()

    def _run(self, work: Any, done_message: str) -> None:
        try:
            work()
        except NetLabError as err:
            self.failed.emit(str(err))
            return
        except (OSError, ValueError, RuntimeError, TypeError) as err:
            first = (str(err).splitlines() or [type(err).__name__])[0]
            self.failed.emit(f"{type(err).__name__}: {first}")
            return
        self.finished.emit(done_message)


class FileActions:
    """File menu handlers (mixed into MainWindow)."""

    # Prompts --------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Asks about unsaved edits; False if the user cancelled."""
        if not self.document.modified:
            return True
        answer = dialogs.unsaved_changes(self, self.document.title)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # New / open -------------------------------------------------------------------
    def new_from_template(self, name: str = "") -> None:
        """File > New from template."""
        if not self.maybe_save():
            return
        name = name or dialogs.choose_template(self)
        if not name:
            return
        project = new_project(name)
        layout = window_layout(project.graph)
        self.set_document(Document(project, name=f"{name} (new)"), layout)
        self.status(f"New project from the {TEMPLATES[name].name} template")

    def open_file(self, path: str = "") -> None:
        """File > Open (and Open Recent)."""
        if not self.maybe_save():
            return
        path = path or dialogs.open_path(self, "Open project", dialogs.PROJECT_FILTER)
        if not path:
            return
        try:
            project = load_project(path)
        except NetLabError as err:
            self.forget_recent(path) if not Path(path).exists() else None
            dialogs.error(self, "Cannot open", str(err))
            return
        self.set_document(Document(project, path=path))
        self.add_recent(path)
        self.status(f"Opened {path}")

    def import_keras(self, path: str = "") -> None:
        """File > Import Keras model: a new project, laid out automatically."""
        if not self.maybe_save():
            return
        path = path or dialogs.open_path(self, "Import Keras model", dialogs.KERAS_FILTER)
        if not path:
            return
        from netlab.project.keras_io import import_model_as_project  # imports Keras

        try:
            project = import_model_as_project(path)
        except NetLabError as err:
            dialogs.error(self, "Cannot import", str(err))
            return
        layout = window_layout(project.graph)
        self.set_document(Document(project, name=Path(path).stem), layout)
        self.document.undo_stack.resetClean()  # imported, not yet saved as a project
        self.status(f"Imported {path}: {len(project.graph.nodes)} layers")

    # Save -----------------------------------------------------------------------
    def save(self) -> bool:
        """File > Save; Save As when the project has no file yet."""
        if not self.document.path:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        """File > Save As."""
        suggested = f"{self.document.title.split(' ')[0]}.netlab"
        path = dialogs.save_path(self, "Save project", dialogs.PROJECT_FILTER, suggested)
        if not path:
            return False
        if not path.endswith(".netlab"):
            path += ".netlab"
        return self._write(path)

    def _write(self, path: str) -> bool:
        self.store_view()
        try:
            save_project(path, self.document.project)
        except NetLabError as err:
            dialogs.error(self, "Cannot save", str(err))
            return False
        self.document.mark_saved(path)
        self.add_recent(path)
        self.status(f"Saved {path}")
        return True

    # Export ---------------------------------------------------------------------
    def export_python(self, path: str = "") -> None:
        """File > Export > Python code (plain Keras)."""
        path = path or dialogs.save_path(self, "Export Python code", dialogs.PYTHON_FILTER,
                                         "model.py")  # fmt: skip
        if not path:
            return
        from netlab.fileutil import atomic_write

        try:
            code = to_python(self.document.graph)
            atomic_write(path, lambda tmp: Path(tmp).write_text(code))
        except NetLabError as err:
            dialogs.error(self, "Cannot export", str(err))
            return
        except OSError as err:
            dialogs.error(self, "Cannot export", f"{path}: cannot write: {err.strerror or err}")
            return
        self.status(f"Exported Python code to {path}")

    def export_keras(self, path: str = "") -> None:
        """File > Export > Keras model (built and saved on a worker thread)."""
        path = path or dialogs.save_path(self, "Export Keras model", dialogs.KERAS_FILTER,
                                         "model.keras")  # fmt: skip
        if not path:
            return
        from netlab.project.keras_io import export_keras

        project = Project(self.document.graph.copy(), weights=self.document.project.weights)
        self.export_task = BackgroundTask()
        self.export_task.finished.connect(self.status)
        self.export_task.failed.connect(lambda m: dialogs.error(self, "Cannot export", m))
        self.status(f"Exporting the Keras model to {path}…")
        self.export_task.start(lambda: export_keras(project, path), f"Exported {path}")

    # Recent files ---------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Recently opened or saved projects, newest first."""
        value = self.settings.value("recentFiles", [])
        return [value] if isinstance(value, str) else list(value or [])

    def add_recent(self, path: str) -> None:
        """Puts ``path`` first in the recent files."""
        path = os.path.abspath(path)
        files = [path, *[p for p in self.recent_files() if p != path]][:MAX_RECENT]
        self.settings.setValue("recentFiles", files)
        self.update_recent_menu()

    def forget_recent(self, path: str) -> None:
        """Drops a file that no longer exists from the recent files."""
        path = os.path.abspath(path)
        self.settings.setValue("recentFiles", [p for p in self.recent_files() if p != path])
        self.update_recent_menu()

    # Autosave and recovery ------------------------------------------------------
    def autosave(self) -> None:
        """Writes the document to the recovery file if it has unsaved edits."""
        if not self.recovery_path or not self.document.modified:
            return
        self.store_view()
        try:
            save_project(self.recovery_path, self.document.project)
            meta = {"path": self.document.path, "title": self.document.title,
                    "time": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
            Path(f"{self.recovery_path}.json").write_text(json.dumps(meta))
        except (NetLabError, OSError) as err:
            self.status(f"Autosave failed: {err}")

    def clear_recovery(self) -> None:
        """Removes the recovery files (the window closed normally)."""
        for path in (self.recovery_path, f"{self.recovery_path}.json"):
            if path and os.path.exists(path):
                os.remove(path)

    def offer_recovery(self) -> bool:
        """After a crash: offers the autosaved work; True if it was restored."""
        if not self.recovery_path or not os.path.exists(self.recovery_path):
            return False
        try:
            meta = json.loads(Path(f"{self.recovery_path}.json").read_text())
        except (OSError, ValueError):
            meta = {}
        description = f"{meta.get('title', 'Untitled')}, autosaved {meta.get('time', '')}"
        if not dialogs.restore_recovery(self, description):
            self.clear_recovery()
            return False
        try:
            project = load_project(self.recovery_path)
        except NetLabError as err:
            dialogs.error(self, "Cannot restore", str(err))
            self.clear_recovery()
            return False
        self.set_document(Document(project, path=meta.get("path"),
                                   name=meta.get("title", "Recovered")))  # fmt: skip
        self.document.undo_stack.resetClean()  # restored work is unsaved work
        self.status("Restored the autosaved work: save it to keep it")
        return True
