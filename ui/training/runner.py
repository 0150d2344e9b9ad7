"""Runs the netlab training engine for the GUI, off the GUI thread.

The engine's events arrive on its channel thread; they are queued here and the
GUI drains the queue on a timer (``drain``), so redraws happen at a capped rate
however fast batches come, and the training loop never waits for the GUI.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.data import load_dataset
from netlab.errors import NetLabError
from netlab.graph.model import Graph
from netlab.project import Weights, weights_of
from netlab.training import RunEnded, RunStarted, TrainingRun


class RunController(QObject):
    """One training run started from the GUI.

    Signals:
        ended(object): the ``RunEnded`` event, once the run's weights were read.
        failed(str): the run could not start (data or graph problem), one line.
    """

    ended = Signal(object)
    failed = Signal(str)

    def __init__(self, graph: Graph, config: dict[str, Any], weights: Weights | None,
                 run_id: str, name: str) -> None:  # fmt: skip
        super().__init__()
        self.graph, self.config, self.weights = graph.copy(), dict(config), weights
        self.run_id, self.name = run_id, name
        self.run: TrainingRun | None = None
        self.dataset: Any = None
        self.trained_weights: Weights | None = None
        self.events: deque[Any] = deque()
        self._thread = threading.Thread(target=self._work, name="netlab-gui-run", daemon=True)

    def start(self) -> None:
        """Loads the data and trains on a worker thread."""
        self._thread.start()

    def drain(self) -> list[Any]:
        """The events that arrived since the last call (GUI thread)."""
        out = []
        while self.events:
            out.append(self.events.popleft())
        return out

    def pause(self) -> None:
        """Holds training after the current batch."""
        if self.run is not None:
            self.run.pause()

    def resume(self) -> None:
        """Continues a paused run."""
        if self.run is not None:
            self.run.resume()

    def stop(self) -> None:
        """Ends training after the current batch; its weights are kept."""
        if self.run is not None:
            self.run.stop()

    @property
    def running(self) -> bool:
        """Whether the worker thread is still working."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the worker thread ends (tests, closing the window)."""
        self._thread.join(timeout)

    def _work(self) -> None:
        gc.freeze()  # see _on_run_event
        try:
            self.dataset = load_dataset(self.config["dataset"])
            self.run = TrainingRun(self.graph, self.dataset, self.config, self.weights,
                                   self.run_id, self.name)  # fmt: skip
        except NetLabError as err:
            self.failed.emit(str(err))
            return
        self.run.subscribe(self._on_run_event)
        self.run.run()
        self.run.events.join()
        ended = self.run.record.status in ("finished", "stopped")
        if ended and self.run.model is not None:
            self.trained_weights = weights_of(self.run.model)
        self.ended.emit(RunEnded(self.run_id, self.run.record.status, self.run.record.reason,
                                 self.run.record))  # fmt: skip

    def _on_run_event(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            # Python's full garbage collections walk every object and hold the GIL for
            # hundreds of milliseconds with TensorFlow's graphs around: the window froze.
            # Frozen objects (the built model, the libraries) are no longer walked.
            gc.freeze()
        if not isinstance(event, RunEnded):  # reported by ``ended`` with the weights read
            self.events.append(event)
