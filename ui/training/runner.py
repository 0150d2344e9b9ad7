"""Runs the netlab training engine for the GUI, off the GUI thread.

The engine's events arrive on its channel thread; they are queued here and the
GUI drains the queue on a timer (``drain``), so redraws happen at a capped rate
however fast batches come, and the training loop never waits for the GUI.

A run belongs to the document it started from: its record and weights go to
that document, whatever the window shows when it ends. Stop and discard work
in every phase (loading the data, building, training, paused, storing).
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.data import load_dataset
from netlab.errors import NetLabError, first_line
from netlab.graph.model import Arrays
from netlab.training import RunEnded, RunStarted, TrainingRun
from ui.document import Document


class RunController(QObject):
    """One training run started from the GUI.

    Args:
        document: The project it trains and reports to.
        run_id: Id of the run in the project.
        name: Shown in the run list.
        continue_training: Start from the project's trained weights (else new ones).

    Signals:
        ended(object): the ``RunEnded`` event, once the run's weights were read.
        failed(str): the run could not start (data or graph problem), one line.
    """

    ended = Signal(object)
    failed = Signal(str)

    def __init__(self, document: Document, run_id: str, name: str,
                 continue_training: bool = False) -> None:  # fmt: skip
        super().__init__()
        project = document.project
        self.document = document
        self.graph, self.config = project.graph.copy(), dict(project.training)
        self.weights = project.weights_to_keep() if continue_training else None
        self.run_id, self.name = run_id, name
        self.run: TrainingRun | None = None
        self.dataset: Any = None
        self.trained_weights: dict[str, Arrays] | None = None  # by node id
        self.discarded = False
        self.events: deque[Any] = deque()
        self._stop = threading.Event()
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
        """Ends training after the current batch; its weights are kept. Works in every phase."""
        self._stop.set()
        if self.run is not None:
            self.run.stop()

    def discard(self) -> None:
        """Stops and drops the run: nothing of it goes to the project."""
        self.discarded = True
        self.stop()

    @property
    def stopping(self) -> bool:
        """Whether stop (or discard) was asked for."""
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        """Whether the worker thread is still working."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the worker thread ends (tests)."""
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
        except (OSError, ValueError, MemoryError) as err:  # a data file the loader did not expect
            self.failed.emit(first_line(err))
            return
        if self._stop.is_set():  # pressed while the data loaded
            self.run.stop()
        self.run.subscribe(self._on_run_event)
        self.run.run()
        self.run.events.join()
        record = self.run.record
        if record.status in ("finished", "stopped") and self.run.model is not None:
            self.trained_weights = self._read_weights()
        self.ended.emit(RunEnded(self.run_id, record.status, record.reason, record))

    def _read_weights(self) -> dict[str, Arrays] | None:
        """The trained model's weights by node id (the run is "storing" meanwhile)."""
        if self.discarded:
            return None
        by_name = {n.name: n.id for n in self.graph.nodes.values()}
        return {by_name[layer.name]: tuple(layer.get_weights())
                for layer in self.run.model.layers if layer.weights and layer.name in by_name}

    def _on_run_event(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            # Python's full garbage collections walk every object and hold the GIL for
            # hundreds of milliseconds with TensorFlow's graphs around: the window froze.
            # Frozen objects (the built model, the libraries) are no longer walked.
            gc.freeze()
        if not isinstance(event, RunEnded):  # reported by ``ended`` with the weights read
            self.events.append(event)
