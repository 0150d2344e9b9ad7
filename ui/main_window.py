"""The main window: the layer catalog, the canvas with the default example, help."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTreeWidget, QTreeWidgetItem

from netlab import catalog
from netlab.graph.layout import auto_layout
from netlab.templates import cnn
from ui.canvas.scene import GraphScene
from ui.canvas.view import GraphView


def describe(spec: catalog.LayerSpec) -> str:
    """The help shown for a layer type: what it does, its inputs and parameters."""
    lines = [spec.display_name, "", spec.help, ""]
    if spec.inputs:
        many = " (two or more)" if spec.variadic else ""
        lines.append(f"Inputs: {', '.join(spec.inputs)}{many}")
    for param in spec.params:
        lines.append(f"  {param.name} = {param.default!r}: {param.help}")
    return "\n".join(lines)


class _BackendLoader(QObject):
    """Imports Keras on a worker thread (it takes seconds) to name the backend."""

    loaded = Signal(str)

    def start(self) -> None:
        threading.Thread(target=self._run, name="netlab-keras-import", daemon=True).start()

    def _run(self) -> None:
        import keras

        self.loaded.emit(f"Keras {keras.__version__} on {keras.backend.backend()}")


class MainWindow(QMainWindow):
    """NetLab's main window."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("NetLab")
        self.resize(1360, 760)
        self.library = QTreeWidget()
        self.library.setObjectName("layerLibrary")
        self.library.setHeaderHidden(True)
        for category, specs in catalog.categories().items():
            group = QTreeWidgetItem([category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in specs:
                item = QTreeWidgetItem([spec.display_name])
                item.setToolTip(0, spec.help)
                item.setData(0, Qt.ItemDataRole.UserRole, spec.key)
                group.addChild(item)
            self.library.addTopLevelItem(group)
        self.library.expandAll()
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.help.setMargin(12)
        self.graph = cnn()  # the default example: a small CNN for the 8x8 digits
        self.scene = GraphScene(self.graph, auto_layout(self.graph))
        self.canvas = GraphView(self.scene)
        splitter = QSplitter()
        splitter.addWidget(self.library)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.help)
        splitter.setSizes([240, 800, 320])
        self.setCentralWidget(splitter)
        self.statusBar().showMessage(f"{len(catalog.CATALOG)} layer types · starting the backend…")
        self.library.currentItemChanged.connect(self._on_library_current_changed)
        self.library.setCurrentItem(self.library.topLevelItem(0).child(0))
        self._loader = _BackendLoader()
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.start()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        self.canvas.fit(min_scale=0.8)  # readable; the rest of a long chain scrolls

    def _on_loader_loaded(self, backend: str) -> None:
        self.statusBar().showMessage(f"{len(catalog.CATALOG)} layer types · {backend}")

    def _on_library_current_changed(self, current: QTreeWidgetItem | None) -> None:
        key = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if key:
            self.help.setText(describe(catalog.get(key)))
