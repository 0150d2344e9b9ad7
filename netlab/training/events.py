"""Training events, and a channel that delivers them without ever blocking training.

The training thread posts; a dispatcher thread calls the listeners. A slow
listener makes batch events coalesce (only the newest undelivered one is
kept, and it says how many were dropped); every other event is delivered, in
order.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunStarted:
    """Training began. ``summary`` is Keras's model summary as text."""

    run_id: str
    summary: str
    parameters: int
    epochs: int
    steps_per_epoch: int
    config: dict[str, Any]


@dataclass(frozen=True)
class BatchEnded:
    """One training step finished.

    ``dropped`` counts earlier batch events coalesced into this one, and
    ``earlier`` keeps their ``(step, loss, learning_rate)``, so a listener
    that draws every batch loses none.
    """

    run_id: str
    epoch: int
    step: int
    batch: int
    steps_per_epoch: int
    loss: float
    metrics: dict[str, float]
    learning_rate: float
    samples_per_second: float
    dropped: int = 0
    earlier: tuple[tuple[int, float, float], ...] = ()


@dataclass(frozen=True)
class EpochEnded:
    """One epoch finished; ``metrics`` has Keras's names (``loss``, ``val_accuracy``...)."""

    run_id: str
    epoch: int
    metrics: dict[str, float]
    seconds: float


@dataclass(frozen=True)
class RunStateChanged:
    """The run was paused or resumed."""

    run_id: str
    state: str


@dataclass(frozen=True)
class RunEnded:
    """Training ended: ``status`` is ``finished``, ``stopped`` or ``failed``."""

    run_id: str
    status: str
    reason: str
    record: Any = field(repr=False, default=None)


Listener = Callable[[Any], None]
BATCH_INTERVAL = 0.02  # seconds: batch events reach listeners at up to 50 per second


class EventChannel:
    """Delivers posted events to listeners on its own thread."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._queue: deque[tuple[int, Any]] = deque()
        self._batch: tuple[int, BatchEnded] | None = None
        self._earlier: list[tuple[int, float, float]] = []
        self._order = itertools.count()
        self._posted = -1  # order number of the newest event posted
        self._delivered = -1  # ... and of the newest handed to the listeners
        self._cond = threading.Condition()
        self._closed = False
        # Started by the first post, so a run that never starts leaves no thread behind.
        self._thread = threading.Thread(target=self._dispatch, name="netlab-events", daemon=True)

    def subscribe(self, listener: Listener) -> None:
        """Calls ``listener(event)`` for every event from now on (on the channel's thread)."""
        with self._cond:
            self._listeners.append(listener)

    def post(self, event: Any) -> None:
        """Queues ``event``; returns at once.

        Batch events do not wake the dispatcher: it picks the newest one up at
        most ``BATCH_INTERVAL`` seconds later, so a fast training loop pays no
        thread switch per batch.
        """
        with self._cond:
            if not self._thread.is_alive() and not self._closed:
                self._thread.start()
            self._posted = next(self._order)
            if isinstance(event, BatchEnded):
                if self._batch is not None:
                    old = self._batch[1]
                    self._earlier.append((old.step, old.loss, old.learning_rate))
                self._batch = (self._posted, event)
                return
            self._queue.append((self._posted, event))
            self._cond.notify()

    def close(self) -> None:
        """Delivers what is queued, then stops the dispatcher."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until every event posted so far has reached the listeners; False on timeout."""
        with self._cond:
            target = self._posted
            self._cond.notify()
            return self._cond.wait_for(lambda: self._delivered >= target, timeout)

    def join(self, timeout: float | None = None) -> None:
        """Waits until everything posted before :meth:`close` was delivered."""
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _next(self) -> tuple[int, Any] | None:
        with self._cond:
            while not self._queue and not self._closed:
                if self._batch is not None:
                    self._cond.wait(BATCH_INTERVAL)
                    break
                self._cond.wait()
            batch_first = self._batch is not None and (
                not self._queue or self._batch[0] < self._queue[0][0]
            )
            if batch_first and self._batch is not None:
                order, event = self._batch
                earlier = tuple(self._earlier)
                event = BatchEnded(**{**event.__dict__, "dropped": len(earlier),
                                      "earlier": earlier})  # fmt: skip
                self._batch, self._earlier = None, []
                return order, event
            if self._queue:
                return self._queue.popleft()
            return None  # closed and empty

    def _dispatch(self) -> None:
        while (item := self._next()) is not None:
            order, event = item
            with self._cond:
                listeners = list(self._listeners)
            for listener in listeners:
                listener(event)
            with self._cond:
                self._delivered = order
                self._cond.notify_all()
