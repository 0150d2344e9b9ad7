"""Activations on the canvas: every node shows a small picture of its output for one example.

One forward pass returns every layer's output (:func:`netlab.inspect.activations.layer_outputs`,
on a worker thread, holding the Inspect panel's lock since it uses that panel's
model); each output becomes a :class:`~netlab.inspect.activations.Preview`
(an image or a channel grid for feature maps, a bar strip for vectors, a heat
strip for token sequences) and the scene draws it beside its node. Requests that
arrive while a pass runs are folded into one more pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from netlab.errors import InspectError
from netlab.inspect.activations import Preview, layer_outputs, preview
from ui.inspect.images import indexed_image

KIND_WORDS = {"image": "image", "channels": "channels", "bars": "values", "tokens": "tokens",
              "value": "value"}  # fmt: skip


def preview_image(found: Preview) -> QImage:
    """A preview's pixels as an image: grey levels through a colour map, or RGB as it is."""
    pixels = np.ascontiguousarray(found.pixels)
    if pixels.ndim == 3:
        height, width, _ = pixels.shape
        return QImage(pixels.data, width, height, 3 * width, QImage.Format_RGB888).copy()
    colours = "diverging" if found.kind in ("bars", "tokens") else "grey"
    return indexed_image(pixels, colours)


def preview_text(name: str, found: Preview) -> str:
    """The tooltip of a preview: the layer, what is drawn and the output's shape."""
    shape = "×".join(str(s) for s in found.shape)
    return f"{name}: output {shape} ({KIND_WORDS.get(found.kind, found.kind)})"


class ActivationPreviews(QObject):
    """Keeps the canvas's previews in step with the model, the example and the weights.

    Args:
        panel: The Inspect panel, whose model and example the previews show.
        run_task: ``ui.tasks.run_task`` bound to an owner (the window).

    Signals:
        shown(object): ``{node_id: (QImage, text)}`` after a pass, ``None`` when off.
        failed(str): why no previews could be drawn (one line).
    """

    shown = Signal(object)
    failed = Signal(str)

    def __init__(self, panel: Any, run_task: Callable[..., Any]) -> None:
        super().__init__()
        self.panel = panel
        self.run_task = run_task
        self.enabled = False
        self.task: Any = None
        self.pending = False
        self.seconds = 0.0  # the last pass, forward pass and pictures together

    def set_enabled(self, enabled: bool) -> None:
        """Turns the previews on (computed now) or off (removed)."""
        self.enabled = enabled
        if enabled:
            self.refresh()
        else:
            self.pending = False
            self.shown.emit(None)

    def refresh(self, weights: Callable[[], dict[str, list[np.ndarray]] | None] | None = None
                ) -> None:  # fmt: skip
        """Computes the previews again; ``weights`` (called on the worker) loads new ones first.

        A request while a pass runs is done once more when it ends.
        """
        if not self.enabled or self.panel.context is None:
            return
        if self.task is not None and self.task.running:
            self.pending = True
            return
        self.pending = False
        try:
            sample = self.panel.example()
        except InspectError as err:
            self.failed.emit(str(err))
            return
        context = self.panel.context
        lock = self.panel.lock

        def work() -> dict[str, Preview]:
            started = time.perf_counter()
            with lock:
                for name, arrays in ((weights() if weights else None) or {}).items():
                    _load(context.model, name, arrays)
                outputs = layer_outputs(context.model, sample)
            found = {name: preview(array) for name, array in outputs.items()}
            self.seconds = time.perf_counter() - started
            return found

        self.task = self.run_task("activations", work, self._on_done, self._on_failed)

    def _on_done(self, found: dict[str, Preview]) -> None:
        if self.enabled and self.panel.context is not None:
            ids = {node.name: node.id for node in self.panel.context.graph.nodes.values()}
            self.shown.emit({ids[name]: (preview_image(p), preview_text(name, p))
                             for name, p in found.items() if name in ids})  # fmt: skip
        if self.pending:
            self.refresh()

    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)
        if self.pending:
            self.refresh()


def _load(model: Any, name: str, arrays: list[np.ndarray]) -> None:
    """Gives the model's layer ``name`` the arrays, where the layer is there and they fit."""
    from netlab.graph.builder import load_layer_weights

    try:
        layer = model.get_layer(name)
    except ValueError:
        return
    if [tuple(w.shape) for w in layer.weights] == [tuple(a.shape) for a in arrays]:
        load_layer_weights(layer, arrays)
