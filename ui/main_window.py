"""The main window: canvas in the middle, palette, inspector, problems and summary docks.

The window puts the parts together: the File and Edit menus' work lives in
:class:`ui.file_controller.FileController` and :class:`ui.edit_controller.EditController`,
every change of the project goes through the :class:`ui.document.Document`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QWidget,
)
from shiboken6 import isValid

from netlab.catalog.flops import format_flops
from netlab.graph.geometry import DIRECTIONS
from netlab.project import Project
from netlab.templates import new_project
from netlab.training.processes import STOP_GRACE
from ui import dialogs, theme
from ui.canvas.scene import GraphScene, window_layout
from ui.canvas.view import GraphView
from ui.document import Document
from ui.edit_controller import EditController
from ui.file_controller import FileController
from ui.goals import GoalsPanel
from ui.help import LayerReference
from ui.inspect import InspectPanel
from ui.inspect_link import InspectLink
from ui.inspector import Inspector
from ui.labs import LabsPanel
from ui.menus import build_menus
from ui.palette import Palette
from ui.problems import ModelSummary, ProblemsList
from ui.runs_view import RunsView, lab_sources
from ui.sweeps import SweepPanel
from ui.tasks import run_task
from ui.training.panel import TrainingPanel

AUTOSAVE_MS = 120_000


def _import_keras() -> str:
    import keras

    gc.freeze()  # the libraries' objects stay; full collections need not walk them
    return f"Keras {keras.__version__} on {keras.backend.backend()}"


class MainWindow(QMainWindow):
    """NetLab's main window.

    Args:
        settings: Where geometry, docks, recent files and theme persist.
        recovery_path: The autosave file (None: no autosave).
        load_backend: Whether to import Keras in the background for the status bar.
    """

    def __init__(self, settings: QSettings | None = None, recovery_path: str | None = None,
                 load_backend: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.settings = settings or QSettings()
        self.backend_text = "backend loading…"
        self.document: Document | None = None
        self.scene: GraphScene | None = None
        self._after_run: Callable[[], None] | None = None
        self._after_sweep: Callable[[], None] | None = None
        self.setWindowTitle("NetLab")
        self.resize(1400, 820)
        self.setMinimumSize(760, 520)
        self.files = FileController(self, self.settings, recovery_path)
        self.edits = EditController(self)
        self._build_widgets()
        self.theme = str(self.settings.value("theme", "light"))
        self.menu_actions = build_menus(self)
        a = self.menu_actions
        self.canvas.context_actions = [a["cut"], a["copy"], a["duplicate"], a["delete"], None,
                                       a["freeze"], a["unfreeze"], None, a["expand"],
                                       a["collapse"]]  # fmt: skip
        self._connect()
        self.set_theme(self.theme)
        self.new_default_document()
        self._restore_settings()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.files.autosave)
        self.autosave_timer.start(AUTOSAVE_MS)
        if load_backend:
            run_task(self, "keras-import", _import_keras, self._on_backend_loaded,
                     lambda m: self.status(f"Keras could not be loaded: {m}"))  # fmt: skip

    def _build_widgets(self) -> None:
        self.canvas = GraphView(None)  # the document's scene comes with set_document
        self.training = TrainingPanel()
        self.inspect = InspectPanel()
        self.sweeps = SweepPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.canvas, "Network")
        self.tabs.addTab(self.training, "Training")
        self.tabs.addTab(self.inspect, "Inspect")
        self.tabs.addTab(self.sweeps, "Sweeps")
        self.labs = LabsPanel()
        self.tabs.addTab(self.labs, "Labs")
        self.runs = RunsView(lambda: [(self.document.title, self.document.project),
                                      *lab_sources(self.labs.result, self.document.project)],
                             lambda: self.files.recent_files())  # fmt: skip
        self.tabs.addTab(self.runs, "Runs")
        self.tabs.currentChanged.connect(
            lambda index: self.runs.refresh() if self.tabs.widget(index) is self.runs else None)
        self.setCentralWidget(self.tabs)
        self.palette_widget = Palette()
        self.inspector = Inspector()
        self.problems = ProblemsList()
        self.summary = ModelSummary()
        self.goals = GoalsPanel(lambda: [self.document.graph.nodes[i].name
                                         for i in self.scene.selected_node_ids()])
        area = Qt.DockWidgetArea
        self.docks = {
            "palette": self._dock("Layers", self.palette_widget, area.LeftDockWidgetArea),
            "inspector": self._dock("Properties", _scrolling(self.inspector),
                                    area.RightDockWidgetArea),  # fmt: skip
            "problems": self._dock("Problems", self.problems, area.BottomDockWidgetArea),
            "summary": self._dock("Model summary", self.summary, area.BottomDockWidgetArea),
            "goals": self._dock("Goals", self.goals, area.BottomDockWidgetArea),
        }
        self.tabifyDockWidget(self.docks["problems"], self.docks["summary"])
        self.tabifyDockWidget(self.docks["summary"], self.docks["goals"])
        self.docks["problems"].raise_()
        self.resizeDocks([self.docks["problems"]], [170], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [240, 300],
                         Qt.Orientation.Horizontal)  # fmt: skip
        self._docks_hidden: list[QDockWidget] = []
        self._docks_state = QByteArray()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

    def _connect(self) -> None:
        self.palette_widget.add_requested.connect(lambda key: self.edits.add_layer(key))
        self.problems.node_activated.connect(self.focus_node)
        self.summary.node_activated.connect(self.focus_node)
        self.inspector.expand_requested.connect(self.edits.expand)
        self.inspect_link = InspectLink(self)
        self.previews = self.inspect_link.previews
        self.inspector.kernel_requested.connect(self.inspect_link.ask_kernel)
        self.canvas.layer_dropped.connect(self.edits.drop_layer)
        self.training.message.connect(self.status)
        self.training.trained.connect(self.inspect_link.trained)
        self.training.fit_changed.connect(self._refresh_views)
        self.training.run_ended.connect(self._on_training_run_ended)
        self.sweeps.message.connect(self.status)
        self.labs.message.connect(self.status)
        self.labs.open_project.connect(self._open_lab_project)
        self.sweeps.ended.connect(self._on_sweep_ended)
        self.sweeps.show_runs.connect(self._show_runs)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.training.epoch_trained.connect(self.inspect_link.epoch_trained)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.replace(' ', '_').lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # Documents ----------------------------------------------------------------
    def new_default_document(self) -> None:
        """The default example: the small CNN for the 8x8 digits, ready to train."""
        project = new_project("cnn")
        window_layout(project.graph)
        self.set_document(Document(project, name="Digits CNN (example)"))

    def set_document(self, document: Document) -> None:
        """Shows ``document`` (its graph on a new scene); the old one is closed."""
        if self.document is not None:
            self.menu_actions["undo_group"].removeStack(self.document.undo_stack)
            self.document.close()
            self.document.deleteLater()
            self.scene.selectionChanged.disconnect(self._on_scene_selection_changed)
            self.scene.detach()
            self.scene.deleteLater()
        self.document = document
        document.setParent(self)
        self.scene = GraphScene(document.graph, document.direction, lambda: document.analysis)
        self.scene.setParent(self)
        self.scene.command_requested.connect(self.execute)
        self.scene.refused.connect(lambda reason: self.status(f"Not done: {reason}"))
        self.scene.selectionChanged.connect(self._on_scene_selection_changed)
        document.refused.connect(lambda reason: self.status(f"Not done: {reason}"))
        document.changed.connect(self._on_document_changed)
        document.reanalysed.connect(self._on_reanalysed)
        document.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        self.canvas.setScene(self.scene)
        self.menu_actions["undo_group"].addStack(document.undo_stack)
        self.menu_actions["undo_group"].setActiveStack(document.undo_stack)
        for direction in DIRECTIONS:
            self.menu_actions[f"direction_{direction}"].setChecked(direction == document.direction)
        self.inspector.show_node(None, None)
        self.training.show_document(document)
        self.sweeps.show_document(document)
        self.goals.show_document(document)
        self.inspect_link.show_document()
        self._on_document_changed()
        QTimer.singleShot(0, self.fit_view)

    def execute(self, command: Any) -> bool:
        """Runs a netlab command on the document's undo stack; False if refused (reason shown)."""
        return self.edits._execute(command)

    def after_run(self, then: Callable[[], None]) -> None:
        """Runs ``then`` now, or, while a run trains, after asking and once the run has ended.

        A sweep that is running is stopped first (after asking); its finished trials stay.
        """
        if self.sweeps.running:
            if dialogs.run_in_progress(self, f"{self.document.title} (a sweep)") == "cancel":
                return
            self._after_sweep = lambda: self.after_run(then)
            self.sweeps.stop()
            self.status("Stopping the sweep…")
            return
        if not self.training.training:
            then()
            return
        answer = dialogs.run_in_progress(self, self.document.title)
        if answer == "cancel":
            return
        if answer == "discard":
            self.training.discard()
        else:
            self.training.stop_all()
        self._after_run = then
        self.status("Stopping the run…")
        # A run that does not stop (a worker stuck in native code) is ended by force.
        QTimer.singleShot(int(STOP_GRACE * 1000) * 3, self._kill_stuck_run)

    def _kill_stuck_run(self) -> None:
        if self._after_run is not None:
            for controller in list(self.training.active):
                if controller.running:
                    controller.kill()

    def _on_sweep_ended(self) -> None:
        then, self._after_sweep = self._after_sweep, None
        if then is not None:
            QTimer.singleShot(0, then)

    def _on_training_run_ended(self) -> None:
        then, self._after_run = self._after_run, None
        if then is not None:
            QTimer.singleShot(0, then)

    def status(self, message: str) -> None:
        """A message in the status bar for a few seconds."""
        self.statusBar().showMessage(message, 8000)

    def _on_document_changed(self) -> None:
        locked = frozenset(self.document.project.exercise.locked)
        if locked != self.scene.locked:
            self.scene.locked = locked
            self.scene.refresh(reroute=False)
        self.training.refresh_fit()  # then fit_changed: _refresh_views
        self.inspect_link.network_changed()  # the Inspect tab shows the network as it is now

    def _on_reanalysed(self) -> None:
        if self.scene is not None:
            self.scene.refresh(reroute=False)
        self._on_document_changed()

    def _refresh_views(self) -> None:
        if self.document is None:
            return
        self.problems.show_document(self.document, self.training.data_problems())
        self.summary.show_document(self.document)
        self.inspector.reload()
        self._update_status()
        self.update_title()

    def _on_undo_stack_clean_changed(self, clean: bool) -> None:
        if isValid(self) and self.document is not None and isValid(self.document.undo_stack):
            self.update_title()  # (not while the window and its undo stacks are torn down)

    def update_title(self) -> None:
        """The window title: the project, unsaved changes, a save being written."""
        saving = " (saving…)" if self.files.saving is not None else ""
        self.setWindowModified(self.document.modified)
        self.setWindowTitle(f"{self.document.title}[*]{saving} — NetLab")

    def _update_status(self) -> None:
        analysis = self.document.analysis
        trainable, frozen = analysis.totals()
        errors = len(analysis.errors)
        validity = "valid" if analysis.valid else f"{errors} problem{'s' * (errors != 1)}"
        if self.training.data_problems():
            validity += " · the data does not fit (see Problems)"
        device = self.document.project.training.get("device", "cpu")
        flops = format_flops(analysis.total_flops(), "FLOPs")
        self.status_label.setText(f"{trainable + frozen:,} parameters · {flops} · {validity} · "
                                  f"{self.backend_text} · device {device}")  # fmt: skip

    def _on_backend_loaded(self, backend: str) -> None:
        self.backend_text = backend
        self._update_status()
        self.training.list_devices()

    def show_activations(self, on: bool) -> None:
        """View > Activations on the Canvas: every node shows its output for the example."""
        self.menu_actions["activations"].setChecked(on)
        self.inspect_link.show_activations(on)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.inspect:
            self.inspect_link.show_model()
        # The editing docks belong to the Network tab; other tabs get the room.
        editing = self.tabs.widget(index) is self.canvas
        if not editing and not self._docks_hidden:
            self._docks_state = self.saveState()  # their sizes: showing again would shrink them
            self._docks_hidden = [d for d in self.docks.values() if d.isVisible()]
            for dock in self._docks_hidden:
                dock.hide()
        elif editing and self._docks_hidden:
            for dock in self._docks_hidden:
                dock.show()
            self._docks_hidden = []
            self.restoreState(self._docks_state)

    # Selection and view -------------------------------------------------------
    def _on_scene_selection_changed(self) -> None:
        if not isValid(self.scene):
            return  # the scene is being destroyed with the window
        ids = self.scene.selected_node_ids()
        self.inspector.show_node(self.document, ids[0] if len(ids) == 1 else None)
        if len(ids) > 1:
            self.inspector.title.setText(f"{len(ids)} layers selected")

    def focus_node(self, node_id: str) -> None:
        """Selects a node and centres the view on it."""
        if node_id in self.scene.nodes:
            self.tabs.setCurrentWidget(self.canvas)
            self.scene.select_nodes([node_id])
            if self.canvas.zoom() < 0.75:  # far away: close enough to read the node
                self.canvas.reset_zoom()
            self.canvas.centerOn(self.scene.nodes[node_id])

    def fit_view(self) -> None:
        """View > Fit: the whole network, however large (far away, nodes show their names)."""
        self.canvas.fit()

    def set_direction(self, direction: str) -> None:
        """View > Layout direction: the network flows down or right, laid out again."""
        self.document.set_view(direction=direction)
        self.scene.set_direction(direction)
        for name in DIRECTIONS:
            self.menu_actions[f"direction_{name}"].setChecked(name == direction)
        self.edits.auto_layout()

    def set_theme(self, name: str) -> None:
        """View > Theme."""
        theme.apply(name)
        self.theme = theme.current().name
        self.settings.setValue("theme", self.theme)
        if self.scene is not None:
            self.scene.setBackgroundBrush(QBrush(QColor(theme.current().background)))
            for node in self.scene.nodes.values():
                for port in [*node.inputs, *([node.output] if node.output else [])]:
                    port.highlight(False)  # ports take the new colours
            self.scene.update()
        colours = theme.current()
        self.training.plots.set_colours(colours.background, colours.node_text)
        self.sweeps.set_colours(colours.background, colours.node_text)
        self.labs.set_colours(colours.background, colours.node_text)
        self.runs.set_colours(colours.background, colours.node_text)
        self.inspect.gradients.set_colours(colours.background, colours.node_text)
        self.training.data.plot.setBackground(colours.background)
        for key in ("theme_light", "theme_dark"):
            if key in getattr(self, "menu_actions", {}):
                self.menu_actions[key].setChecked(key == f"theme_{self.theme}")

    def show_layer_reference(self) -> None:
        """Help > Layer reference."""
        self.reference = LayerReference(self)
        self.reference.show()

    # Settings and closing -------------------------------------------------------
    def store_view(self) -> None:
        """Keeps the view's zoom and centre in the project (saved with it)."""
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        self.document.set_view(zoom=round(self.canvas.zoom(), 4),
                               center=[round(centre.x(), 1), round(centre.y(), 1)])  # fmt: skip

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("windowState")
        if state is not None:
            self.restoreState(state)
        self.update_recent_menu()

    def _save_window_state(self) -> None:
        # As the Network tab shows it: the editing docks hidden for another tab come back.
        for dock in self._docks_hidden:
            dock.show()
        self._docks_hidden = []
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())

    def _open_lab_project(self, project: Project, title: str) -> None:
        self.files.open_project(project, title)
        if self.document.project is project:  # not cancelled
            self.tabs.setCurrentWidget(self.canvas)

    def show_lab(self, name: str) -> None:
        """Labs > a lab: the Labs tab with that lab chosen."""
        self.tabs.setCurrentWidget(self.labs)
        self.labs.choose(name)

    def _show_runs(self, run_ids: list[str]) -> None:
        self.training.show_only(run_ids)
        self.tabs.setCurrentWidget(self.training)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.training.training or self.sweeps.running:
            event.ignore()
            self.after_run(self.close)  # asks; closes again once the run has ended
            return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.labs.stop()  # a lab's projects are its own: it stops and they go
        self.labs.wait()
        self.files.wait_for_saves()
        self._save_window_state()
        self.files.clear_recovery()
        event.accept()

    def update_recent_menu(self) -> None:
        """Rebuilds File > Open Recent."""
        menu = self.menu_actions["recent_menu"]
        menu.clear()
        for path in self.files.recent_files():
            action = QAction(path, menu)
            action.triggered.connect(lambda _checked=False, p=path: self.files.open_file(p))
            menu.addAction(action)
        menu.setEnabled(bool(self.files.recent_files()))

    def offer_recovery(self) -> bool:
        """After a crash: offers the autosaved work (see FileController.offer_recovery)."""
        return self.files.offer_recovery()


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: a long form (a generic layer's settings) scrolls, never
    squeezes its rows onto each other."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
