"""Work off the GUI thread, with its result or its one-line failure back on the GUI thread.

The one way the window runs slow work (importing Keras, building a model,
writing a file, listing devices): ``run_task(owner, "name", work, done, failed)``.
The thread is named ``netlab-<name>`` so that the app waits for it before
exiting (a thread torn down inside TensorFlow crashed the process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from netlab.errors import NetLabError, first_line

# What may go wrong in the libraries NetLab calls, besides its own errors: reported in one
# line. Anything else is a bug and reaches the excepthook (and the tests).
EXPECTED = (NetLabError, OSError, ValueError, RuntimeError, TypeError, MemoryError, KeyError)
UNEXPECTED = "the work failed unexpectedly (details in the terminal)"


class Task(QObject):
    """One piece of work on a worker thread.

    Signals:
        done(object): the result, on the GUI thread.
        failed(str): why it failed, one line, on the GUI thread.
    """

    done = Signal(object)
    failed = Signal(str)
    _ended = Signal(bool, object)  # from the worker; queued to this object's (GUI) thread

    def __init__(self, name: str, work: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name, self._work = name, work
        self._thread = threading.Thread(target=self._run, name=f"netlab-{name}", daemon=True)
        self._ended.connect(self._on_ended)

    def start(self) -> Task:
        """Starts the work; returns itself."""
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """Whether the work has not ended yet."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the work ends (closing the window, tests)."""
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        ok, value = False, UNEXPECTED
        try:
            value, ok = self._work(), True
        except EXPECTED as err:
            value = first_line(err)
        finally:
            # Anything else propagates (its traceback goes to the terminal), and whoever
            # waits still hears of the failure instead of waiting forever.
            try:
                self._ended.emit(ok, value)
            except RuntimeError:  # the owner was deleted meanwhile (its window closed)
                pass

    def _on_ended(self, ok: bool, value: Any) -> None:
        # On the GUI thread: callbacks connected to done / failed run here, whatever they are.
        if ok:
            self.done.emit(value)
        else:
            self.failed.emit(value)


def run_task(owner: QObject, name: str, work: Callable[[], Any],
             done: Callable[[Any], None] | None = None,
             failed: Callable[[str], None] | None = None) -> Task:  # fmt: skip
    """Runs ``work()`` on a worker thread; ``done(result)`` or ``failed(line)`` on the GUI thread.

    The task belongs to ``owner`` (it lives as long as the owner, or until it ends).
    """
    task = Task(name, work, owner)
    if done is not None:
        task.done.connect(done)
    if failed is not None:
        task.failed.connect(failed)
    task.done.connect(task.deleteLater)
    task.failed.connect(task.deleteLater)
    return task.start()
