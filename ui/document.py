"""The open project as the GUI sees it: the netlab Project, its undo stack and its file.

Every change of the project goes through this one door, so the title, the
autosave, the undo stack and every view see it: graph edits through
:meth:`Document.execute` (a netlab command pushed on a ``QUndoStack``, one
entry per user action), training settings through :meth:`set_setting`, a
finished run through :meth:`add_run`. A command that netlab refuses changes
nothing; ``execute`` returns the one-line reason (and ``refused`` carries it).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from netlab.catalog import keras_layer
from netlab.errors import NetLabError
from netlab.graph.analysis import Analysis, analyse
from netlab.graph.commands import Command
from netlab.graph.geometry import DIRECTIONS, flow_direction
from netlab.graph.model import Arrays, Graph, GraphChange
from netlab.project import Project, RunRecord, Snapshot, snapshot
from netlab.project.exercise import Exercise, locked_change, locked_state
from ui.tasks import Task, run_task


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


class _ValuesEntry(QUndoCommand):
    """A graph command and some training settings as one undo step (a sweep's trial applied)."""

    def __init__(self, document: Document, command: Command, settings: dict[str, Any]) -> None:
        super().__init__(command.text)
        self.document, self.command, self.settings = document, command, settings
        self.old = {name: document.project.training.get(name) for name in settings}
        self.done = True

    def redo(self) -> None:
        if not self.done:
            self.command.apply(self.document.graph)
            self.document._set_settings(self.settings)
        self.done = False

    def undo(self) -> None:
        self.command.revert(self.document.graph)
        self.document._set_settings(self.old)


class Document(QObject):
    """A project open in the window.

    Signals:
        refused(str): an edit was refused; the reason, one line.
        changed(): after each change of the project (once per user action).
        settings_changed(str): a training setting changed; its name.
        runs_changed(): a run was added.
        sweeps_changed(): a sweep was added or one of its trials ended.
        reanalysed(): Keras has worked out shapes the analysis was waiting for.
    """

    refused = Signal(str)
    changed = Signal()
    settings_changed = Signal(str)
    runs_changed = Signal()
    sweeps_changed = Signal()
    reanalysed = Signal()

    def __init__(self, project: Project, path: str | None = None,
                 name: str = "Untitled") -> None:  # fmt: skip
        super().__init__()
        self.project = project
        self.path = path
        self.name = name
        self.undo_stack = QUndoStack(self)
        self._analysis: Analysis | None = None
        self._previous_analysis: Analysis | None = None  # lends its parameter checks
        self._outside_changes = 0  # settings, runs, weights: not on the undo stack
        self._saved_outside = 0
        self._undone_outside = False
        self._shapes_task: Task | None = None  # Keras working out generic layers' shapes
        self.teacher = False  # edits the exercise's locked nodes too (the Goals panel)
        if project.view.get("direction") not in DIRECTIONS:
            project.view["direction"] = flow_direction(project.graph) if project.graph.edges \
                else "down"  # fmt: skip
        project.graph.subscribe(self._on_graph_event)
        self.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)

    @property
    def graph(self) -> Graph:
        """The project's network."""
        return self.project.graph

    @property
    def direction(self) -> str:
        """The way the network flows on the canvas: ``"down"`` or ``"right"``."""
        return str(self.project.view["direction"])

    @property
    def analysis(self) -> Analysis:
        """Shapes, counts and problems of the graph as it is now (cached until an edit)."""
        if self._analysis is None:
            self._analysis = analyse(self.graph, self._previous_analysis)
            self._previous_analysis = self._analysis
            if keras_layer.pending() and self._shapes_task is None:
                # Generic Keras layers whose shapes only Keras knows: asked on a worker,
                # the window shows "Keras is working out its shape" meanwhile.
                self._shapes_task = run_task(self, "keras-shapes", keras_layer.resolve_pending,
                                             self._on_shapes_known, self._on_shapes_known)
        return self._analysis

    @property
    def shapes_pending(self) -> bool:
        """Whether Keras is still working out the shapes of generic layers."""
        return self._shapes_task is not None

    def _on_shapes_known(self, _result: object = None) -> None:
        self._shapes_task = None
        self._analysis = None
        self.reanalysed.emit()  # every view asks for the analysis again

    @property
    def title(self) -> str:
        """The file name, or the project's name before the first save."""
        return Path(self.path).name if self.path else self.name

    @property
    def modified(self) -> bool:
        """Whether there are changes since the last save (or since opening)."""
        return self._outside_changes != self._saved_outside or not self.undo_stack.isClean()

    # The one door ---------------------------------------------------------------
    def execute(self, command: Command) -> str | None:
        """Runs ``command`` as one undoable step; returns netlab's reason if it refuses.

        An edit of a node the exercise locks is refused (and undone) unless
        :attr:`teacher` is on.
        """
        locked = [] if self.teacher else self.project.exercise.locked
        before = locked_state(self.graph, locked) if locked else {}
        try:
            command.apply(self.graph)
        except NetLabError as err:
            self.refused.emit(str(err))
            return str(err)
        reason = locked_change(before, self.graph, locked) if locked else None
        if reason is not None:
            command.revert(self.graph)
            self.refused.emit(reason)
            return reason
        self.undo_stack.push(_UndoEntry(command, self.graph))
        return None

    def set_exercise(self, exercise: Exercise) -> None:
        """Replaces the project's goals and locked nodes (the Goals panel)."""
        self.project.exercise = exercise
        self._changed_outside()

    def set_setting(self, name: str, value: Any) -> None:
        """Changes one training setting (already checked)."""
        if self.project.training.get(name) == value:
            return
        self.project.training[name] = value
        self._changed_outside()
        self.settings_changed.emit(name)

    def apply_values(self, command: Command, settings: dict[str, Any]) -> str | None:
        """Applies ``command`` and sets ``settings`` (checked) as one undoable step.

        Returns netlab's reason if it refuses (nothing changes then).
        """
        try:
            command.apply(self.graph)
        except NetLabError as err:
            self.refused.emit(str(err))
            return str(err)
        entry = _ValuesEntry(self, command, settings)
        self._set_settings(settings)
        self.undo_stack.push(entry)
        return None

    def _set_settings(self, settings: dict[str, Any]) -> None:
        for name, value in settings.items():
            if self.project.training.get(name) != value:
                self.project.training[name] = value
                self.settings_changed.emit(name)

    def add_sweep(self, sweep: Any) -> None:
        """Records a sweep (its trials are added with :meth:`add_trial` as they end)."""
        self.project.sweeps.append(sweep)
        self._changed_outside()
        self.sweeps_changed.emit()

    def add_trial(self, sweep: Any, trial: Any, record: RunRecord | None) -> None:
        """Records a sweep's trial that ended, and its run if it trained."""
        if record is not None:
            self.project.runs.append(record)
        sweep.trials.append(trial)
        self._changed_outside()
        if record is not None:
            self.runs_changed.emit()
        self.sweeps_changed.emit()

    def set_view(self, **view: Any) -> None:
        """Records the canvas's zoom, centre or direction (saved with the project, no undo)."""
        self.project.view.update(view)

    def add_run(self, record: RunRecord, weights: dict[str, Arrays] | None = None) -> None:
        """Records a finished (or stopped) run and, if given, its weights by node id.

        A node deleted meanwhile gets nothing; ids are never reused, so no other
        node can get them.
        """
        self.project.runs.append(record)
        if weights:
            with self.graph.batch():
                for node_id, arrays in weights.items():
                    if node_id in self.graph.nodes:
                        self.graph.set_weights(node_id, arrays)
        self._changed_outside()
        self.runs_changed.emit()

    def _changed_outside(self) -> None:
        self._outside_changes += 1
        self.changed.emit()

    # Saving -----------------------------------------------------------------------
    def snapshot(self) -> tuple[Snapshot, tuple[int, int]]:
        """What a save writes now, and the state it was taken at (for :meth:`mark_saved`)."""
        return snapshot(self.project), (self.undo_stack.index(), self._outside_changes)

    def mark_saved(self, path: str, state: tuple[int, int] | None = None) -> None:
        """Records that the project now lives in ``path``, saved as it was at ``state``.

        Changes made while a save was being written stay unsaved.
        """
        self.path = path
        index, outside = state or (self.undo_stack.index(), self._outside_changes)
        if index == self.undo_stack.index():
            self.undo_stack.setClean()
        self._saved_outside = outside
        self.changed.emit()

    def mark_modified(self) -> None:
        """Records that the project must be saved though nothing was edited (restored work)."""
        self._changed_outside()

    def close(self) -> None:
        """Stops listening to the graph and signalling (the document is being replaced)."""
        self.project.graph.unsubscribe(self._on_graph_event)
        self.undo_stack.indexChanged.disconnect(self._on_undo_stack_index_changed)
        with warnings.catch_warnings():  # PySide warns about a signal nobody listened to
            warnings.simplefilter("ignore", RuntimeWarning)
            for signal in (self.refused, self.changed, self.settings_changed, self.runs_changed,
                           self.sweeps_changed, self.reanalysed,
                           self.undo_stack.cleanChanged):  # fmt: skip
                signal.disconnect()

    def _on_undo_stack_index_changed(self, index: int) -> None:
        self.changed.emit()

    def _on_graph_event(self, change: GraphChange) -> None:
        if not change.only_moves:
            self._analysis = None
