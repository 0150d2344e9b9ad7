"""File menu work: new, open, save (on a worker thread), import, export, recovery, recent.

Every netlab error ends here as a one-line message (status bar or a dialog),
never as a traceback. Saving takes a snapshot of the project on the GUI
thread (milliseconds: the weight arrays are shared, not copied) and writes it
on a worker at disk speed; the title says "saving…" meanwhile.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings
from shiboken6 import isValid

from netlab.errors import NetLabError
from netlab.fileutil import atomic_write
from netlab.graph.codegen import to_python
from netlab.project import Project, Snapshot, load_project, write_snapshot
from netlab.templates import TEMPLATES, new_project
from ui import dialogs
from ui.canvas.scene import window_layout
from ui.document import Document
from ui.tasks import Task, run_task

if TYPE_CHECKING:
    from ui.main_window import MainWindow

MAX_RECENT = 8


class FileController(QObject):
    """The File menu of one window.

    Args:
        window: What it works on: ``window.document`` (the open project),
            ``window.set_document``, ``window.store_view``, ``window.status``,
            ``window.after_run`` (waits for a training run to end, asking
            first) and ``window.update_title``.
        settings: Where the recent files are kept.
        recovery_path: The autosave file (None: no autosave).
    """

    def __init__(self, window: MainWindow, settings: QSettings,
                 recovery_path: str | None) -> None:  # fmt: skip
        super().__init__(window)
        self.window, self.settings, self.recovery_path = window, settings, recovery_path
        self.saving: Task | None = None
        self._autosaving: Task | None = None
        self.import_task: Task | None = None  # a Keras model being imported

    @property
    def document(self) -> Document:
        """The window's open project."""
        return self.window.document

    # Prompts --------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Asks about unsaved edits; False if the user cancelled."""
        if not self.document.modified:
            return True
        answer = dialogs.unsaved_changes(self.window, self.document.title)
        if answer == "save":
            return self.save(wait=True)
        return answer == "discard"

    def _replace_document(self, then: Callable[[], None]) -> None:
        """Runs ``then`` once no run trains (asking) and the open project may go (asking)."""
        self.window.after_run(lambda: then() if self.maybe_save() else None)

    # New / open -------------------------------------------------------------------
    def new_project(self, name: str = "") -> None:
        """File > New: an empty network or a template."""
        self._replace_document(lambda: self._new(name))

    def _new(self, name: str) -> None:
        name = name or dialogs.choose_new(self.window)
        if not name:
            return
        project = new_project(name)
        window_layout(project.graph)
        title = "Empty network" if name == "empty" else f"{name} (new)"
        self.window.set_document(Document(project, name=title))
        self.window.status(f"New project: {TEMPLATES[name].summary}")

    def open_project(self, project: Project, title: str) -> None:
        """Opens ``project`` (not from a file: a lab's) as a new, unsaved document."""
        self._replace_document(lambda: self.window.set_document(Document(project, name=title)))

    def open_file(self, path: str = "") -> None:
        """File > Open (and Open Recent)."""
        self._replace_document(lambda: self._open(path))

    def _open(self, path: str) -> None:
        path = path or dialogs.open_path(self.window, "Open project", dialogs.PROJECT_FILTER)
        if not path:
            return
        if path.endswith((".keras", ".h5")):
            self._import(path)
            return
        try:
            project = load_project(path)
        except NetLabError as err:
            if not Path(path).exists():
                self.forget_recent(path)
            dialogs.error(self.window, "Cannot open", str(err))
            return
        self.window.set_document(Document(project, path=path))
        self.add_recent(path)
        self.window.status(f"Opened {path}")
        if project.warnings:
            dialogs.warnings(self.window, "Opened with changes", project.warnings)

    def import_keras(self, path: str = "") -> None:
        """File > Import Keras model: a new project, laid out automatically."""
        self._replace_document(lambda: self._import(path))

    def _import(self, path: str) -> None:
        path = path or dialogs.open_path(self.window, "Import Keras model", dialogs.KERAS_FILTER)
        if not path:
            return
        if self.import_task is not None and self.import_task.running:
            self.window.status("Not done: a model is still being imported")
            return
        self.window.status(f"Importing {path}…")
        self.import_task = run_task(self, "import", lambda: _imported_project(path),
                                    lambda project: self._show_imported(path, project),
                                    lambda line: dialogs.error(self.window, "Cannot import",
                                                               line))  # fmt: skip

    def _show_imported(self, path: str, project: Project) -> None:
        self.window.set_document(Document(project, name=Path(path).stem))
        self.document.mark_modified()  # imported, not yet saved as a project
        frozen = sum(not n.trainable for n in project.graph.nodes.values())
        self.window.status(f"Imported {path}: {len(project.graph.nodes)} layers"
                           + (f", {frozen} frozen" if frozen else ""))  # fmt: skip

    # Save -----------------------------------------------------------------------
    def save(self, wait: bool = False) -> bool:
        """File > Save; Save As when the project has no file yet.

        Args:
            wait: Block until written (before closing the window or the project).

        Returns:
            False if cancelled or (when waiting) if writing failed.
        """
        if not self.document.path:
            return self.save_as(wait)
        return self._write(self.document.path, wait)

    def save_as(self, wait: bool = False) -> bool:
        """File > Save As."""
        suggested = f"{self.document.title.split(' ')[0]}.netlab"
        path = dialogs.save_path(self.window, "Save project", dialogs.PROJECT_FILTER, suggested)
        if not path:
            return False
        if not path.endswith(".netlab"):
            path += ".netlab"
        return self._write(path, wait)

    def _write(self, path: str, wait: bool) -> bool:
        self.wait_for_saves()
        self.window.store_view()
        document = self.document
        snap, state = document.snapshot()

        def done(_result: object = None) -> None:
            self.saving = None
            document.mark_saved(path, state)
            self.add_recent(path)
            self.window.status(f"Saved {path}")
            self.window.update_title()

        def failed(message: str) -> None:
            self.saving = None
            self.window.update_title()
            dialogs.error(self.window, "Cannot save", message)

        if wait:  # closing the project or the window: it must be on disk before going on
            try:
                write_snapshot(path, snap)
            except NetLabError as err:
                failed(str(err))
                return False
            done()
            return True
        self.saving = run_task(self, "save", lambda: write_snapshot(path, snap), done, failed)
        self.window.update_title()
        return True

    def wait_for_saves(self) -> None:
        """Blocks until running saves (and autosaves) are written and reported (quitting)."""
        for task in (self.saving, self._autosaving):
            if task is not None and isValid(task):
                task.wait()
                QCoreApplication.sendPostedEvents(task)  # its queued "done" is delivered now

    # Export ---------------------------------------------------------------------
    def export_python(self, path: str = "") -> None:
        """File > Export > Python code (plain Keras)."""
        path = path or dialogs.save_path(self.window, "Export Python code",
                                         dialogs.PYTHON_FILTER, "model.py")  # fmt: skip
        if not path:
            return
        try:
            code = to_python(self.document.graph)
            atomic_write(path, lambda tmp: Path(tmp).write_text(code, encoding="utf-8"))
        except NetLabError as err:
            dialogs.error(self.window, "Cannot export", str(err))
            return
        except OSError as err:
            dialogs.error(self.window, "Cannot export",
                          f"{path}: cannot write: {err.strerror or err}")  # fmt: skip
            return
        self.window.status(f"Exported Python code to {path}")

    def export_keras(self, path: str = "") -> None:
        """File > Export > Keras model (built and saved on a worker thread)."""
        path = path or dialogs.save_path(self.window, "Export Keras model", dialogs.KERAS_FILTER,
                                         "model.keras")  # fmt: skip
        if not path:
            return
        from netlab.project.keras_io import export_keras

        project = Project(self.document.graph.copy())
        self.window.status(f"Exporting the Keras model to {path}…")
        run_task(self, "export", lambda: export_keras(project, path),
                 lambda _r: self.window.status(f"Exported {path}"),
                 lambda m: dialogs.error(self.window, "Cannot export", m))  # fmt: skip

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
        self.window.update_recent_menu()

    def forget_recent(self, path: str) -> None:
        """Drops a file that no longer exists from the recent files."""
        path = os.path.abspath(path)
        self.settings.setValue("recentFiles", [p for p in self.recent_files() if p != path])
        self.window.update_recent_menu()

    # Autosave and recovery ------------------------------------------------------
    def autosave(self) -> None:
        """Writes the document to the recovery file (on a worker) if it has unsaved edits."""
        if not self.recovery_path or not self.document.modified:
            return
        if self._autosaving is not None and self._autosaving.running:
            return
        self.window.store_view()
        snap, _state = self.document.snapshot()
        meta = {"path": self.document.path, "title": self.document.title,
                "time": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
        self._autosaving = run_task(self, "autosave", lambda: self._write_recovery(snap, meta),
                                    None, lambda m: self.window.status(f"Autosave failed: {m}"))

    def _write_recovery(self, snap: Snapshot, meta: dict[str, Any]) -> None:
        write_snapshot(self.recovery_path, snap)
        text = json.dumps(meta)
        atomic_write(f"{self.recovery_path}.json", lambda tmp: Path(tmp).write_text(text))

    def clear_recovery(self) -> None:
        """Removes the recovery files (the window closed normally)."""
        if self._autosaving is not None:
            self._autosaving.wait()
        for path in (self.recovery_path, f"{self.recovery_path}.json"):
            if path and os.path.exists(path):
                os.remove(path)

    def _keep_aside(self) -> str:
        """Moves a recovery file that cannot be restored aside; returns where it went."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = str(Path(self.recovery_path).with_name(f"recovery-unreadable-{stamp}.netlab"))
        os.replace(self.recovery_path, aside)
        if os.path.exists(f"{self.recovery_path}.json"):
            os.replace(f"{self.recovery_path}.json", f"{aside}.json")
        return aside

    def offer_recovery(self) -> bool:
        """After a crash: offers the autosaved work; True if it was restored.

        A recovery file that cannot be restored is never deleted: it is moved
        aside and the message says where.
        """
        if not self.recovery_path or not os.path.exists(self.recovery_path):
            return False
        try:
            meta = json.loads(Path(f"{self.recovery_path}.json").read_text())
        except (OSError, ValueError):
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        description = f"{meta.get('title', 'Untitled')}, autosaved {meta.get('time', '')}"
        if not dialogs.restore_recovery(self.window, description):
            self.clear_recovery()
            return False
        try:
            project = load_project(self.recovery_path)
        except NetLabError as err:
            aside = self._keep_aside()
            dialogs.error(self.window, "Cannot restore", f"{err}. The autosaved file is kept as "
                          f"{aside}.")  # fmt: skip
            return False
        path = meta.get("path") if isinstance(meta.get("path"), str) else None
        title = str(meta.get("title", "Recovered"))
        self.window.set_document(Document(project, path=path, name=title))
        self.document.mark_modified()  # restored work is unsaved work
        self.window.status("Restored the autosaved work: save it to keep it")
        if project.warnings:
            dialogs.warnings(self.window, "Restored with changes", project.warnings)
        return True


def _imported_project(path: str) -> Project:
    """On a worker: the model imported, laid out, and its generic layers' shapes known."""
    from netlab.catalog import keras_layer
    from netlab.graph.analysis import analyse
    from netlab.project.keras_io import import_model_as_project  # imports Keras

    project = import_model_as_project(path)
    window_layout(project.graph)
    analyse(project.graph)  # generic layers' shapes: asked of Keras here, not in the window
    keras_layer.resolve_pending()
    return project
