"""Runs the inspect views' computations off the GUI thread and hands back one line on failure.

Keras work (predictions, sub-models) runs on a worker thread; the result comes
back to the GUI thread through a queued Qt signal. All workers of a panel share
one lock, so one model is never asked two things at once, and a request that a
newer one replaced before it started is skipped.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.errors import NetLabError

_tickets = itertools.count(1)
_SKIPPED = object()
UNEXPECTED = "the computation failed unexpectedly (details in the terminal)"


def one_line(err: BaseException) -> str:
    """An exception as one line: netlab's message, or the type and its first line."""
    if isinstance(err, NetLabError):
        return str(err)
    first = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


class Worker(QObject):
    """Computes on worker threads, one request at a time per lock; the newest result wins.

    Signals:
        finished(object): the result of the newest request.
        failed(str): why the newest request failed, in one line.
    """

    finished = Signal(object)
    failed = Signal(str)
    _done = Signal(int, object, str)

    def __init__(self, lock: threading.Lock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._latest = 0
        self._pending = 0
        self._done.connect(self._on_thread_done)

    @property
    def busy(self) -> bool:
        """Whether a request is still running or waiting for its turn."""
        return self._pending > 0

    def submit(self, work: Callable[[], Any]) -> None:
        """Runs ``work()`` on a new thread; a request submitted later supersedes it."""
        ticket = next(_tickets)
        self._latest = ticket
        self._pending += 1
        threading.Thread(target=self._run, args=(ticket, work), name=f"netlab-inspect-{ticket}",
                         daemon=True).start()  # fmt: skip

    def cancel(self) -> None:
        """Drops the results of every request made so far."""
        self._latest = next(_tickets)

    def _run(self, ticket: int, work: Callable[[], Any]) -> None:
        result: Any = _SKIPPED
        error = UNEXPECTED
        with self._lock:
            try:
                if ticket == self._latest:
                    result, error = work(), ""
                else:
                    error = ""
            except (NetLabError, ValueError, TypeError, RuntimeError, MemoryError) as err:
                error = one_line(err)
            finally:
                # Why: anything else propagates (its traceback goes to the terminal) but
                # the view still hears of the failure instead of waiting forever.
                self._emit_done(ticket, result, error)

    def _emit_done(self, ticket: int, result: Any, error: str) -> None:
        try:
            self._done.emit(ticket, result, error)
        except RuntimeError:  # the panel was deleted while this thread computed
            pass

    def _on_thread_done(self, ticket: int, result: Any, error: str) -> None:
        self._pending -= 1
        if ticket != self._latest:
            return
        if error:
            self.failed.emit(error)
        elif result is not _SKIPPED:
            self.finished.emit(result)
