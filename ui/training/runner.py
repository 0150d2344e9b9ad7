"""Runs a training run for the GUI in a worker process (netlab.training.processes).

The engine's events arrive on a reader thread; they are queued here and the
GUI drains the queue on a timer (``drain``), so redraws happen at a capped rate
however fast batches come. The window's process never builds or trains the
model: it only draws, and a run that dies takes nothing with it.

A run belongs to the document it started from: its record and weights go to
that document, whatever the window shows when it ends. Stop and discard work
in every phase (starting, training, paused, storing).
"""

from __future__ import annotations

import datetime
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.graph.model import Arrays, frozen_arrays
from netlab.training import RunEnded, RunStateChanged
from netlab.training.processes import ProcessRun, WorkerPool
from ui.document import Document

_POOL: WorkerPool | None = None


def pool() -> WorkerPool:
    """The app's pool of worker processes (one spare started ahead)."""
    global _POOL
    if _POOL is None:
        _POOL = WorkerPool()
    return _POOL


def close_pool() -> None:
    """Ends the spare worker and every worker still alive (the app quits)."""
    global _POOL
    if _POOL is not None:
        _POOL.close()
        _POOL = None


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
        self.graph = project.graph.copy()
        self.config = dict(project.training)
        weights = project.weights_to_keep() if continue_training else None
        self.run_id, self.name = run_id, name
        self.process = ProcessRun(pool(), self.graph.to_dict(), self.config, weights, run_id,
                                  name, self._on_run_event)  # fmt: skip
        self.trained_weights: dict[str, Arrays] | None = None  # by node id
        self.discarded = False
        self.paused = False
        self.total_steps = 0  # known once the run has started
        self.started = datetime.datetime.now().isoformat(timespec="seconds")
        self.events: deque[Any] = deque()
        self._thread = threading.Thread(target=self._work, name="netlab-gui-run", daemon=True)

    def start(self) -> None:
        """Hands the run to a worker process and waits for it on a thread."""
        self._thread.start()

    def drain(self) -> list[Any]:
        """The events that arrived since the last call (GUI thread)."""
        out = []
        while self.events:
            out.append(self.events.popleft())
        return out

    def pause(self) -> None:
        """Holds training after the current batch."""
        self.process.pause()

    def resume(self) -> None:
        """Continues a paused run."""
        self.process.resume()

    def stop(self) -> None:
        """Ends training after the current batch; its weights are kept. Works in every phase."""
        self.process.stop()

    def discard(self) -> None:
        """Stops and drops the run: nothing of it goes to the project."""
        self.discarded = True
        self.stop()

    def kill(self) -> None:
        """Ends the worker process at once (closing the window when a run will not stop)."""
        self.discarded = True
        self.process.kill()

    @property
    def record(self) -> Any:
        """The run's record, once it ended."""
        return self.process.record

    @property
    def running(self) -> bool:
        """Whether the run has not ended and been read yet."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the run ended and its weights were read (tests)."""
        self._thread.join(timeout)

    def _work(self) -> None:
        self.process.start()
        self.process.wait()
        if self.process.failure:
            self.failed.emit(self.process.failure)
            self.process.cleanup()
            return
        record = self.process.record
        record.started = record.started or self.started
        record.finished = record.finished or datetime.datetime.now().isoformat(timespec="seconds")
        died = record.reason.startswith("the training process ended unexpectedly")
        if record.status in ("finished", "stopped") or died:
            self.trained_weights = self._read_weights()
        self.process.cleanup()
        self.ended.emit(RunEnded(self.run_id, record.status, record.reason, record))

    def _read_weights(self) -> dict[str, Arrays] | None:
        """The run's weights by node id (the run is "storing" meanwhile)."""
        if self.discarded:
            return None
        weights = self.process.weights()
        if weights is None:
            return None
        by_name = {n.name: n.id for n in self.graph.nodes.values()}
        # Made read-only here, on the reader thread: the GUI then takes them without a copy
        # (copying ResNet-34's 85 MB on the GUI thread stalled it 130 ms).
        return {by_name[name]: frozen_arrays(arrays) for name, arrays in weights.items()
                if name in by_name}  # fmt: skip

    def _on_run_event(self, event: Any) -> None:
        if isinstance(event, RunStateChanged):
            self.paused = event.state == "paused"
        self.events.append(event)
