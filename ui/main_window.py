"""The main window. For now: the layer library, loaded in the background."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMainWindow, QSplitter

from netlab.catalog_preview import LayerInfo, layer_library


class _LibraryLoader(QObject):
    """Imports the layer library on a worker thread (Keras takes seconds)."""

    loaded = Signal(list)

    def start(self) -> None:
        threading.Thread(target=self._run, name="netlab-layer-library", daemon=True).start()

    def _run(self) -> None:
        self.loaded.emit(layer_library())


class MainWindow(QMainWindow):
    """NetLab's main window."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("NetLab")
        self.resize(1000, 640)
        self.library = QListWidget()
        self.library.setObjectName("layerLibrary")
        self.help = QLabel("Loading the layer library…")
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.help.setMargin(12)
        splitter = QSplitter()
        splitter.addWidget(self.library)
        splitter.addWidget(self.help)
        splitter.setSizes([320, 680])
        self.setCentralWidget(splitter)
        self.statusBar().showMessage("Loading Keras…")
        self.library.currentItemChanged.connect(self._on_library_current_changed)
        self._loader = _LibraryLoader()
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.start()

    def _on_loader_loaded(self, infos: list[LayerInfo]) -> None:
        for info in infos:
            item = QListWidgetItem(info.name)
            item.setToolTip(info.summary)
            item.setData(Qt.ItemDataRole.UserRole, info.help)
            self.library.addItem(item)
        import keras  # already imported by the loader: cheap here

        self.statusBar().showMessage(
            f"{len(infos)} layers · Keras {keras.__version__} on {keras.backend.backend()}"
        )
        self.library.setCurrentRow(0)

    def _on_library_current_changed(self, current: QListWidgetItem | None) -> None:
        if current is not None:
            self.help.setText(current.data(Qt.ItemDataRole.UserRole))
