"""Runs the inspect views' computations off the GUI thread and hands back one line on failure.

Keras work (predictions, sub-models) runs as a :class:`ui.tasks.Task`. All
workers of a panel share one lock, so one model is never asked two things at
once, and a request that a newer one replaced before it started is skipped.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.tasks import run_task

_tickets = itertools.count(1)
_SKIPPED = object()


class Worker(QObject):
    """Computes on worker threads, one request at a time per lock; the newest result wins.

    Signals:
        finished(object): the result of the newest request.
        failed(str): why the newest request failed, in one line.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, lock: threading.Lock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._latest = 0
        self._pending = 0

    @property
    def busy(self) -> bool:
        """Whether a request is still running or waiting for its turn."""
        return self._pending > 0

    def submit(self, work: Callable[[], Any]) -> None:
        """Runs ``work()`` on a worker thread; a request submitted later supersedes it."""
        ticket = next(_tickets)
        self._latest = ticket
        self._pending += 1

        def guarded() -> Any:
            with self._lock:
                return work() if ticket == self._latest else _SKIPPED

        run_task(self, f"inspect-{ticket}", guarded,
                 lambda result: self._on_done(ticket, result, ""),
                 lambda error: self._on_done(ticket, _SKIPPED, error))  # fmt: skip

    def cancel(self) -> None:
        """Drops the results of every request made so far."""
        self._latest = next(_tickets)

    def _on_done(self, ticket: int, result: Any, error: str) -> None:
        self._pending -= 1
        if ticket != self._latest:
            return
        if error:
            self.failed.emit(error)
        elif result is not _SKIPPED:
            self.finished.emit(result)
