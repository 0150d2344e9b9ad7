"""The main window: canvas in the middle, palette, inspector, problems and summary docks."""

from __future__ import annotations

import gc
import threading
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QTabWidget, QWidget
from shiboken6 import isValid

from netlab.errors import NetLabError
from netlab.graph.layout import Layout
from netlab.templates import new_project
from ui import theme
from ui.canvas.scene import GraphScene, window_layout
from ui.canvas.view import GraphView
from ui.document import Document
from ui.edit_actions import EditActions
from ui.file_actions import FileActions
from ui.inspect import InspectPanel
from ui.inspector import Inspector
from ui.menus import build_menus
from ui.palette import Palette
from ui.problems import ModelSummary, ProblemsList
from ui.training.panel import TrainingPanel

AUTOSAVE_MS = 120_000


class _BackendLoader(QObject):
    """Imports Keras on a worker thread (it takes seconds) to name the backend."""

    loaded = Signal(str)

    def start(self) -> None:
        threading.Thread(target=self._run, name="netlab-keras-import", daemon=True).start()

    def _run(self) -> None:
        import keras

        gc.freeze()  # the libraries' objects stay; full collections need not walk them
        self.loaded.emit(f"Keras {keras.__version__} on {keras.backend.backend()}")


class _ModelLoader(QObject):
    """Builds a project's model with its saved weights and loads its data (worker thread)."""

    loaded = Signal(object)
    failed = Signal(str)

    def start(self, project: Any) -> None:
        thread = threading.Thread(target=self._run, args=(project,), name="netlab-model")
        thread.daemon = True
        thread.start()

    def _run(self, project: Any) -> None:
        from netlab.data import load_dataset
        from netlab.project import build_with_weights

        try:
            model = build_with_weights(project)
            dataset = load_dataset(project.training["dataset"])
        except NetLabError as err:
            self.failed.emit(str(err))
            return
        self.loaded.emit((model, project.graph, dataset, dict(project.training)))


class MainWindow(FileActions, EditActions, QMainWindow):
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
        self.recovery_path = recovery_path
        self.backend_text = "backend loading…"
        self.document: Document | None = None
        self.scene: GraphScene | None = None
        self.setWindowTitle("NetLab")
        self.resize(1400, 820)
        self.canvas = GraphView(None)  # the document's scene comes with set_document
        self.training = TrainingPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.canvas, "Network")
        self.tabs.addTab(self.training, "Training")
        self.inspect = InspectPanel()
        self.tabs.addTab(self.inspect, "Inspect")
        self._inspect_ready = False
        self.setCentralWidget(self.tabs)
        self.palette_widget = Palette()
        self.inspector = Inspector()
        self.problems = ProblemsList()
        self.summary = ModelSummary()
        area = Qt.DockWidgetArea
        self.docks = {
            "palette": self._dock("Layers", self.palette_widget, area.LeftDockWidgetArea),
            "inspector": self._dock("Properties", self.inspector, area.RightDockWidgetArea),
            "problems": self._dock("Problems", self.problems, area.BottomDockWidgetArea),
            "summary": self._dock("Model summary", self.summary, area.BottomDockWidgetArea),
        }
        self.tabifyDockWidget(self.docks["problems"], self.docks["summary"])
        self.docks["problems"].raise_()
        self.resizeDocks([self.docks["problems"]], [170], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [240, 300],
                         Qt.Orientation.Horizontal)  # fmt: skip
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.theme = str(self.settings.value("theme", "light"))
        self.actions = build_menus(self)
        self.palette_widget.add_requested.connect(self._on_palette_add_requested)
        self.problems.node_activated.connect(self.focus_node)
        self.summary.node_activated.connect(self.focus_node)
        self.inspector.expand_requested.connect(self.expand)
        self.canvas.layer_dropped.connect(self._on_canvas_layer_dropped)
        self.training.message.connect(self.status)
        self.training.trained.connect(self._on_training_trained)
        self._docks_hidden: list[QDockWidget] = []
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.set_theme(self.theme)
        self.new_default_document()
        self._restore_settings()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start(AUTOSAVE_MS)
        if load_backend:
            self._loader = _BackendLoader()
            self._loader.loaded.connect(self._on_loader_loaded)
            self._loader.start()

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
        layout = window_layout(project.graph)
        self.set_document(Document(project, name="Digits CNN (example)"), layout)

    def set_document(self, document: Document, layout: Layout | None = None) -> None:
        """Shows ``document`` (its graph on a new scene); the old one is closed."""
        if self.document is not None:
            self.actions["undo_group"].removeStack(self.document.undo_stack)
            self.document.close()
            self.document.deleteLater()
            self.scene.selectionChanged.disconnect(self._on_scene_selection_changed)
            self.scene.detach()
            self.scene.deleteLater()
        self.document = document
        document.setParent(self)
        self.scene = GraphScene(document.graph, layout, lambda: document.analysis)
        self.scene.setParent(self)
        self.scene.command_requested.connect(self.execute)
        self.scene.refused.connect(self._on_refused)
        self.scene.selectionChanged.connect(self._on_scene_selection_changed)
        document.refused.connect(self._on_refused)
        document.changed.connect(self._on_document_changed)
        document.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        self.canvas.setScene(self.scene)
        self.actions["undo_group"].addStack(document.undo_stack)
        self.actions["undo_group"].setActiveStack(document.undo_stack)
        self.inspector.show_node(None, None)
        self.training.show_document(document)
        self.inspect.clear()
        self._inspect_ready = False
        self._on_document_changed()
        QTimer.singleShot(0, self.fit_view)

    def execute(self, command: object) -> bool:
        """Runs a netlab command on the document's undo stack."""
        return self.document.execute(command)

    def status(self, message: str) -> None:
        """A message in the status bar for a few seconds."""
        self.statusBar().showMessage(message, 8000)

    def _on_refused(self, reason: str) -> None:
        self.status(f"Not done: {reason}")

    def _on_document_changed(self) -> None:
        self.problems.show_document(self.document)
        self.summary.show_document(self.document)
        self.inspector.reload()
        self.training.refresh_fit()
        self._update_status()
        self._update_title()

    def _on_undo_stack_clean_changed(self, clean: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        self.setWindowModified(self.document.modified)
        self.setWindowTitle(f"{self.document.title}[*] — NetLab")

    def _update_status(self) -> None:
        analysis = self.document.analysis
        trainable, frozen = analysis.totals()
        errors = len(analysis.errors)
        validity = "valid" if analysis.valid else f"{errors} problem{'s' * (errors != 1)}"
        device = self.document.project.training.get("device", "cpu")
        self.status_label.setText(f"{trainable + frozen:,} parameters · {validity} · "
                                  f"{self.backend_text} · device {device}")  # fmt: skip

    def _on_loader_loaded(self, backend: str) -> None:
        self.backend_text = backend
        self._update_status()
        self.training.list_devices()

    def _on_training_trained(self, controller: Any) -> None:
        run = controller.run
        self.inspect.show_model(run.model, run.graph, controller.dataset, run.config)
        self._inspect_ready = True

    def _show_saved_model(self) -> None:
        """The Inspect tab of a project opened with weights: build its model once."""
        if self._inspect_ready or not self.document.project.weights:
            return
        self._inspect_ready = True
        project = self.document.project
        snapshot = type(project)(project.graph.copy(), training=dict(project.training),
                                 weights=project.weights)  # fmt: skip
        self._model_loader = _ModelLoader()
        self._model_loader.loaded.connect(lambda args: self.inspect.show_model(*args))
        self._model_loader.failed.connect(lambda m: self.status(f"Cannot inspect: {m}"))
        self.status("Building the model with its saved weights…")
        self._model_loader.start(snapshot)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.inspect:
            self._show_saved_model()
        # The editing docks belong to the Network tab; other tabs get the room.
        editing = self.tabs.widget(index) is self.canvas
        if not editing and not self._docks_hidden:
            self._docks_hidden = [d for d in self.docks.values() if d.isVisible()]
            for dock in self._docks_hidden:
                dock.hide()
        elif editing:
            for dock in self._docks_hidden:
                dock.show()
            self._docks_hidden = []

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
            self.scene.select_nodes([node_id])
            self.canvas.centerOn(self.scene.nodes[node_id])

    def fit_view(self) -> None:
        """View > Fit: the whole graph, readable (the rest of a long chain scrolls)."""
        self.canvas.fit(min_scale=0.75)

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
        self.training.data.plot.setBackground(colours.background)
        for key in ("theme_light", "theme_dark"):
            if key in getattr(self, "actions", {}):
                self.actions[key].setChecked(key == f"theme_{self.theme}")

    # Settings and closing -------------------------------------------------------
    def store_view(self) -> None:
        """Keeps the view's zoom and centre in the project (saved with it)."""
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        centre_xy = [round(centre.x(), 1), round(centre.y(), 1)]
        self.document.project.view = {"zoom": round(self.canvas.zoom(), 4), "center": centre_xy}

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("windowState")
        if state is not None:
            self.restoreState(state)
        self.update_recent_menu()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        controller = self.training.controller
        if controller is not None and controller.running:
            controller.stop()
            controller.wait(30)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.clear_recovery()
        event.accept()

    def update_recent_menu(self) -> None:
        """Rebuilds File > Open Recent."""
        menu = self.actions["recent_menu"]
        menu.clear()
        for path in self.recent_files():
            action = QAction(path, menu)
            action.triggered.connect(lambda _checked=False, p=path: self.open_file(p))
            menu.addAction(action)
        menu.setEnabled(bool(self.recent_files()))
