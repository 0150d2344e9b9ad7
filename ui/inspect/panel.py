"""The Inspect panel: evaluation and a look inside a trained network, in four sub-tabs.

Everything shown is computed by :mod:`netlab.inspect` on worker threads; this
panel only arranges the views, starts their work, and shows results and errors.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from netlab.data import Dataset
from netlab.errors import InspectError
from netlab.graph.model import Graph
from ui import theme
from ui.inspect.attention_view import AttentionView
from ui.inspect.augment_view import AugmentationView
from ui.inspect.boundary_view import BoundaryView
from ui.inspect.context import InspectContext, load_context
from ui.inspect.evaluation_view import EvaluationView
from ui.inspect.features_view import FeaturesView
from ui.inspect.layers_view import GradientsView, HistogramsView
from ui.inspect.positions_view import PositionsView
from ui.inspect.view import InspectView
from ui.inspect.worker import Worker

HINT = "Train the network (or open a project with weights) to look inside it."
LOADING = "preparing the examples…"
UNTRAINED = ("Not trained yet: layers without saved or typed-in weights have their initial "
             "ones (seed {seed}). Train the network to see what it learns.")
TAB_TITLES = {"evaluation": "Evaluation", "features": "Feature maps", "attention": "Attention",
              "positions": "Positions", "augmentation": "Augmentation",
              "gradients": "Gradients", "histograms": "Histograms",
              "boundary": "Decision boundary"}  # fmt: skip


class InspectPanel(QWidget):
    """Evaluation, feature maps, attention and positional embeddings of a trained model.

    Call :meth:`show_model` after training (or loading weights); until then the
    panel shows a hint. Each sub-tab computes when it is shown, on a worker
    thread, and shows netlab's errors as one line.

    Signals:
        computed(str): a view (``"evaluation"``, ``"features"``, ``"attention"``,
            ``"positions"``) showed a result or an error; ``"context"`` when
            loading the examples failed.
    """

    computed = Signal(str)
    #: A kernel was typed in: (layer name, the layer's new weight arrays).
    weights_edited = Signal(str, object)
    #: A model's examples are loaded (the views can compute), or the example changed.
    example_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self.context: InspectContext | None = None
        self.trained = True
        self.loader = Worker(self._lock, self)
        self.loader.finished.connect(self._on_loader_finished)
        self.loader.failed.connect(self._on_loader_failed)
        self.evaluation = EvaluationView(self._lock)
        self.features = FeaturesView(self._lock)
        self.attention = AttentionView(self._lock)
        self.positions = PositionsView(self._lock)
        self.augmentation = AugmentationView(self._lock)
        self.boundary = BoundaryView(self._lock)
        self.gradients = GradientsView()
        self.histograms = HistogramsView()
        self.tabs = QTabWidget()
        for view in self.views:
            self.tabs.addTab(view, TAB_TITLES[view.name])
            view.computed.connect(self.computed)
        for record_view in (self.gradients, self.histograms):  # from the run, not the model
            self.tabs.addTab(record_view, TAB_TITLES[record_view.name])
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.features.weights_edited.connect(self.weights_edited)
        self.features.example_changed.connect(self.example_changed)
        self.hint_label = QLabel(HINT)
        self.hint_label.setAlignment(Qt.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.status_label = QLabel()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hint_label)
        self.pages.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status_label)
        layout.addWidget(self.pages, 1)
        self.status_label.hide()

    @property
    def views(self) -> list[InspectView]:
        """The sub-tabs, in tab order."""
        return [self.evaluation, self.boundary, self.features, self.attention, self.positions,
                self.augmentation]

    # Public ----------------------------------------------------------------------------
    def show_model(self, model: Any, graph: Graph, dataset: Dataset, config: dict[str, Any],
                   trained: bool = True) -> None:  # fmt: skip
        """Shows a model; the visible sub-tab starts computing.

        Args:
            model: The ``keras.Model`` (``TrainingRun.model``, or one built with the
                project's weights).
            graph: The graph it was built from (node names are layer names).
            dataset: The data set it was trained on.
            config: The training configuration (``validation_split``, ``seed``, ...).
            trained: False for a network that has not been trained: the panel says
                that its weights are the initial ones (and any typed in).
        """
        self.context = None
        self.trained = trained
        for view in self.views:
            view.set_context(None, LOADING)
        self._show_status(LOADING)
        self.pages.setCurrentWidget(self.tabs)
        self.loader.submit(lambda: load_context(model, graph, dataset, config))

    def clear(self, reason: str = HINT) -> None:
        """Forgets the model and shows ``reason`` (by default the hint) instead."""
        self.loader.cancel()
        self.context = None
        for view in self.views:
            view.set_context(None, reason)
        self._show_status("")
        self.hint_label.setText(reason)
        self.pages.setCurrentWidget(self.hint_label)

    def show_record(self, record: Any) -> None:
        """The run whose recorded gradients and histograms are shown (``None``: no run)."""
        self.gradients.show_record(record)
        self.histograms.show_record(record)

    @property
    def busy(self) -> bool:
        """Whether anything is still being computed."""
        return self.loader.busy or any(view.busy for view in self.views)

    def show_view(self, name: str) -> None:
        """Brings the sub-tab ``name`` (``"evaluation"``, ``"features"``, ...) to the front."""
        records = {"gradients": self.gradients, "histograms": self.histograms}
        self.tabs.setCurrentWidget(records[name] if name in records else self.view(name))

    def view(self, name: str) -> InspectView:
        """The sub-tab called ``name``."""
        return {view.name: view for view in self.views}[name]

    def message(self, name: str | None = None) -> str:
        """The one line shown by the panel (``None``) or by the sub-tab ``name``."""
        if name is None:
            if self.pages.currentWidget() is self.hint_label:
                return self.hint_label.text()
            return self.status_label.text()
        return self.view(name).message()

    # Views' images, for tests and screenshots ------------------------------------------------
    def confusion_image(self) -> QImage:
        """The confusion matrix, one pixel per (true, predicted) cell."""
        return self.evaluation.confusion.image()

    def feature_grid_image(self) -> QImage:
        """The mosaic of all output channels of the chosen layer."""
        return self.features.grid_map.image()

    def attention_images(self) -> list[QImage]:
        """One image per head: ``T x T`` (or the patch grid for the class token)."""
        return [heat_map.image() for heat_map in self.attention.head_maps]

    def position_image(self) -> QImage:
        """The ``L x L`` similarity of the position vectors."""
        return self.positions.similarity_map.image()

    # Slots ----------------------------------------------------------------------------------
    def _show_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(theme.error_style() if error else "")
        self.status_label.setVisible(bool(text))

    def _on_loader_finished(self, context: InspectContext) -> None:
        self.context = context
        seed = context.config.get("seed", 0)
        self._show_status("" if self.trained else UNTRAINED.format(seed=seed))
        current = self.tabs.currentWidget()
        for view in self.views:
            view.set_active(view is current)
            view.set_context(context)
        self.example_changed.emit()

    @property
    def lock(self) -> threading.Lock:
        """Held while a view computes with the model (take it to use or change the model)."""
        return self._lock

    def example(self) -> Any:
        """The example the Feature maps tab shows, as the model takes it.

        Raises:
            InspectError: If there is no model, or the lecture's image does not fit it.
        """
        if self.context is None:
            raise InspectError(None, "no model to run yet")
        return self.features.sample()

    def _on_loader_failed(self, message: str) -> None:
        self._show_status(message, error=True)
        for view in self.views:
            view.set_context(None, message)
        self.computed.emit("context")

    def _on_tabs_current_changed(self, _index: int) -> None:
        current = self.tabs.currentWidget()
        for view in self.views:
            view.set_active(view is current)
