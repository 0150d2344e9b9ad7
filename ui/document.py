"""The open project as the GUI sees it: the netlab Project, its undo stack and its file.

Every edit goes through :meth:`Document.execute`, which runs a netlab command
and pushes it on a ``QUndoStack`` (one entry per user action). A command that
netlab refuses changes nothing and comes back as the ``refused`` signal with
netlab's one-line reason.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from netlab.errors import NetLabError
from netlab.graph.analysis import Analysis, analyse
from netlab.graph.commands import Command
from netlab.graph.model import Graph, GraphChange
from netlab.project import Project


class _UndoEntry(QUndoCommand):
    """A netlab command on the Qt undo stack; its first ``redo`` is already done."""

    def __init__(self, command: Command, graph: Graph) -> None:
        super().__init__(command.text)
        self.command, self.graph, self.done = command, graph, True

    def redo(self) -> None:
        if not self.done:
            self.command.apply(self.graph)
        self.done = False

    def undo(self) -> None:
        self.command.revert(self.graph)


class Document(QObject):
    """A project open in the window.

    Signals:
        refused(str): an edit was refused; the reason, one line.
        changed(): after each edit, undo or redo (once per user action).
    """

    refused = Signal(str)
    changed = Signal()

    def __init__(self, project: Project, path: str | None = None,
                 name: str = "Untitled") -> None:  # fmt: skip
        super().__init__()
        self.project = project
        self.path = path
        self.name = name
        self.undo_stack = QUndoStack(self)
        self._analysis: Analysis | None = None
        self._changed_outside_undo = False  # training settings, runs, weights
        project.graph.subscribe(self._on_graph_event)
        self.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)

    @property
    def graph(self) -> Graph:
        """The project's network."""
        return self.project.graph

    @property
    def analysis(self) -> Analysis:
        """Shapes, counts and problems of the graph as it is now (cached until an edit)."""
        if self._analysis is None:
            self._analysis = analyse(self.graph)
        return self._analysis

    @property
    def title(self) -> str:
        """The file name, or the project's name before the first save."""
        return Path(self.path).name if self.path else self.name

    @property
    def modified(self) -> bool:
        """Whether there are edits since the last save (or since opening)."""
        return self._changed_outside_undo or not self.undo_stack.isClean()

    def execute(self, command: Command) -> bool:
        """Runs ``command`` as one undoable step; False (and ``refused``) if netlab refuses."""
        try:
            command.apply(self.graph)
        except NetLabError as err:
            self.refused.emit(str(err))
            return False
        self.undo_stack.push(_UndoEntry(command, self.graph))
        return True

    def mark_saved(self, path: str) -> None:
        """Records that the project now lives in ``path`` with no unsaved edits."""
        self.path = path
        self._changed_outside_undo = False
        self.undo_stack.setClean()
        self.changed.emit()

    def mark_modified(self) -> None:
        """Records a change that is not an undoable graph edit (settings, a new run)."""
        self._changed_outside_undo = True
        self.changed.emit()

    def close(self) -> None:
        """Stops listening to the graph and signalling (the document is being replaced)."""
        self.project.graph.unsubscribe(self._on_graph_event)
        self.undo_stack.indexChanged.disconnect(self._on_undo_stack_index_changed)
        for signal in (self.refused, self.changed, self.undo_stack.cleanChanged):
            signal.disconnect()

    def _on_undo_stack_index_changed(self, index: int) -> None:
        self.changed.emit()

    def _on_graph_event(self, change: GraphChange) -> None:
        if not change.only_moves:
            self._analysis = None
