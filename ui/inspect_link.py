"""Between the open document and what looks inside its network: the Inspect tab and the
activation previews on the canvas.

The model is built as the network is now, once per change and off the GUI thread;
the latest run's records go to the Gradients and Histograms tabs; a run's epoch
weights go to the previews; a kernel typed in the Inspect tab becomes one undoable
edit. The main window owns one link and forwards its signals here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netlab.graph.commands import SetWeights
from netlab.training.processes import epoch_weights
from ui.canvas.previews import ActivationPreviews
from ui.tasks import run_task

if TYPE_CHECKING:
    from ui.main_window import MainWindow

BUILDING_PREVIEWS = "Activations on the canvas: building the model…"


class InspectLink:
    """Keeps the Inspect tab and the canvas previews showing the window's document."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.inspect = window.inspect
        #: Whether the Inspect tab holds the model of the network as it is now.
        self.ready = False
        self.previews = ActivationPreviews(self.inspect, lambda *args: run_task(window, *args))
        self.previews.shown.connect(self._on_previews_shown)
        self.previews.failed.connect(lambda m: window.status(f"Activations on the canvas: {m}"))
        self.inspect.example_changed.connect(lambda: self.previews.refresh())
        self.inspect.weights_edited.connect(self._on_weights_edited)

    def show_document(self) -> None:
        """A new document: nothing built yet; its latest records shown."""
        self.inspect.clear()
        self.ready = False
        self.show_latest_record()

    def network_changed(self) -> None:
        """The network changed: what is shown is stale (built again if it is on screen)."""
        if self.ready:
            self.ready = False
            if self.window.tabs.currentWidget() is self.inspect or self.previews.enabled:
                self.show_model()

    def show_latest_record(self) -> None:
        """The Gradients and Histograms tabs show the project's latest run that has them."""
        runs = self.window.document.project.runs
        self.inspect.show_record(next((r for r in reversed(runs) if r.layer_stats),
                                      runs[-1] if runs else None))  # fmt: skip

    def trained(self, controller: Any) -> None:
        """A run of some document ended with weights; if it is this one's, show them."""
        if controller.document is self.window.document:
            self.show_latest_record()
            self.ready = False
            self.inspect.clear()
            if self.window.tabs.currentWidget() is self.inspect:
                self.show_model()

    def show_model(self) -> None:
        """The Inspect tab: build the network as it is, once per change.

        Layers with weights (trained, imported or typed in) get them; the others
        start from new weights of the project's seed, so an untrained network can be
        looked into too (the panel says so).
        """
        if self.ready:
            return
        document = self.window.document
        project = document.project
        if not document.analysis.valid:
            problem = document.analysis.errors[0].describe(project.graph)
            self.inspect.clear(f"The network has problems: {problem}")
            return
        self.ready = True
        snapshot = type(project)(project.graph.copy(), training=dict(project.training))
        # Untrained: no run yet and some layers start from new weights.
        analysis = document.analysis
        fresh = [i for i, node in project.graph.nodes.items()
                 if sum(analysis.counts.get(i, (0, 0))) and not analysis.fits(i, node.weights)]
        trained = bool(project.runs) or not fresh

        def build() -> tuple[Any, Any, Any, dict[str, Any]]:
            from netlab.data import load_dataset
            from netlab.project import build_with_weights

            model = build_with_weights(snapshot)
            return model, snapshot.graph, load_dataset(snapshot.training["dataset"]), \
                dict(snapshot.training)  # fmt: skip

        self.window.status("Building the model with its saved weights…" if project.weights else
                           "Building the model (new weights: it has not been trained)…")
        run_task(self.window, "model", build,
                 lambda args: self.inspect.show_model(*args, trained=trained),
                 lambda m: self.inspect.clear(f"Cannot inspect: {m}"))  # fmt: skip

    def show_activations(self, on: bool) -> None:
        """Every node on the canvas shows its output for the Inspect tab's example."""
        self.previews.set_enabled(on)
        if on:
            self.show_model()  # the model (once per change); then the previews
            if self.inspect.context is None and self.ready:
                self.window.status(BUILDING_PREVIEWS)

    def _on_previews_shown(self, found: Any) -> None:
        if self.window.scene is not None:
            self.window.scene.show_previews(found)
        bar = self.window.statusBar()
        if bar.currentMessage() == BUILDING_PREVIEWS:
            bar.clearMessage()  # built: the pictures say the rest

    def epoch_trained(self, controller: Any) -> None:
        """A run handed over an epoch's weights: the previews show what the network does now."""
        if self.previews.enabled and controller.document is self.window.document:
            folder = controller.process.folder / "epoch"
            self.previews.refresh(lambda: epoch_weights(folder))

    def ask_kernel(self, layer: str) -> None:
        """The inspector's "Set its kernel by hand": Inspect > Feature maps, its dialog open."""
        self.window.tabs.setCurrentWidget(self.inspect)
        self.inspect.show_view("features")
        self.inspect.features.ask_kernel(layer)

    def _on_weights_edited(self, layer: str, arrays: Any) -> None:
        """A kernel typed in the Inspect tab: the layer's weights, as one undoable edit."""
        graph = self.window.document.graph
        node = next((n for n in graph.nodes.values() if n.name == layer), None)
        if node is not None:
            self.window.execute(SetWeights(node.id, arrays, text=f"Set the kernel of {layer}"))
