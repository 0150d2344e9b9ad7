"""Training runs in worker processes: the caller never stalls or dies with a run.

A thin layer over :class:`netlab.training.engine.TrainingRun`: a spare worker
process is started ahead (Keras already imported when a run is asked for); a
run sends it the graph, the settings and the data set's name; the engine's
events come back through a pipe (coalesced as in process); stop, pause and
resume go the other way. Weights travel as ``.npy`` files in a folder of the
run's own (no pickles): the starting weights, every finished epoch's, and the
final ones. A worker that dies (killed, a segfault in a native library, out of
memory) ends its run as failed, with the last epoch's weights if there were any.

The command line and the tests keep using the engine in process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from netlab.project.project import RunRecord, Weights
from netlab.training.events import BatchEnded, EpochEnded, RunEnded

_CONTEXT = multiprocessing.get_context("spawn")  # fork would copy Qt's and TF's threads
STOP_GRACE = 10.0  # seconds a worker has to stop by itself before it is killed
# Workers yield the CPU to the window (and the desktop) when both want it: on a machine with
# few cores the window's event loop then never waits for TensorFlow's threads. Training takes
# every cycle nothing else wants, so an idle desktop trains as fast as before.
WORKER_NICENESS = 10


def save_weights(folder: Path, weights: Weights) -> None:
    """Writes weights as ``<layer>/<i>.npy``; the folder appears complete or not at all."""
    part = folder.with_name(folder.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    for name, arrays in weights.items():
        (part / name).mkdir(parents=True)
        for i, array in enumerate(arrays):
            np.save(part / name / f"{i}.npy", np.asarray(array), allow_pickle=False)
    shutil.rmtree(folder, ignore_errors=True)
    part.mkdir(exist_ok=True)
    os.replace(part, folder)


def epoch_weights(folder: Path) -> Weights | None:
    """The newest epoch's weights while the run goes on (``None`` if it is replacing them).

    A reader in another process may meet the folder as the run swaps in the next
    epoch's: that read gives ``None``, and the next one the newer weights.
    """
    try:
        return load_weights(folder)
    except (OSError, ValueError):
        return None


def load_weights(folder: Path) -> Weights | None:
    """The weights :func:`save_weights` wrote, or ``None`` if there are none."""
    if not folder.is_dir():
        return None
    weights: Weights = {}
    for layer in sorted(p for p in folder.iterdir() if p.is_dir()):
        count = len(list(layer.glob("*.npy")))
        weights[layer.name] = [np.load(layer / f"{i}.npy", allow_pickle=False)
                               for i in range(count)]  # fmt: skip
    return weights


def _ended_why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "a signal"
        return f"the training process ended unexpectedly ({name}, signal {-exitcode})"
    return f"the training process ended unexpectedly (exit code {exitcode})"


def _serve(jobs: Any, events: Any) -> None:
    """A worker process: imports Keras, waits for one job, trains it, reports, exits."""
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(WORKER_NICENESS)
    import keras  # noqa: F401  (the point of a spare worker: this is done before the job)

    from netlab.data import load_dataset
    from netlab.errors import NetLabError
    from netlab.graph.model import Graph
    from netlab.project.project import weights_of
    from netlab.training.engine import TrainingRun

    events.send(("ready", os.getpid()))
    job = jobs.recv()
    if job is None:
        return
    folder = Path(job["folder"])
    try:
        dataset = load_dataset(job["config"]["dataset"])
        run = TrainingRun(Graph.from_dict(job["graph"]), dataset, job["config"],
                          load_weights(folder / "initial"), job["run_id"],
                          job["name"])  # fmt: skip
    except NetLabError as err:
        events.send(("failed", str(err)))
        return
    lock = threading.Lock()

    def send(message: Any) -> None:
        with lock:
            events.send(message)

    def control() -> None:
        with contextlib.suppress(EOFError, OSError):
            while (order := jobs.recv()) is not None:
                getattr(run, order)()
        run.stop()  # the caller went away

    def epoch_weights(epoch: int, model: Any) -> None:
        save_weights(folder / "epoch", weights_of(model))
        send(("epoch_weights", epoch))

    threading.Thread(target=control, name="netlab-control", daemon=True).start()
    run.epoch_hook = epoch_weights
    _inject_fault(run, os.environ.get("NETLAB_WORKER_FAULT", ""))
    run.subscribe(lambda event: None if isinstance(event, RunEnded) else send(("event", event)))
    record = run.run()
    run.events.join()
    if record.status in ("finished", "stopped") and run.model is not None:
        save_weights(folder / "final", weights_of(run.model))
    send(("ended", record))


def _inject_fault(run: Any, fault: str) -> None:
    """For the tests of dying workers: ``abort@N``, ``kill@N`` or ``memory@N`` at step N."""
    if not fault:
        return
    kind, _, at = fault.partition("@")
    step = int(at or 0)

    def strike(event: Any) -> None:
        if not isinstance(event, BatchEnded) or event.step < step:
            return
        if kind == "abort":
            os.abort()  # what a crashing native library does
        elif kind == "kill":
            os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's out-of-memory killer does
        elif kind == "memory":
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    run.subscribe(strike)


class WorkerPool:
    """Keeps one worker process started ahead, so a run starts without importing Keras."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env or {}
        self._spare: tuple[Any, Any, Any] | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.started: list[Any] = []

    def warm(self) -> None:
        """Starts the spare worker if there is none."""
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = self._start()

    def _start(self) -> tuple[Any, Any, Any]:
        jobs_parent, jobs_child = _CONTEXT.Pipe()
        events_parent, events_child = _CONTEXT.Pipe(duplex=False)
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            process = _CONTEXT.Process(target=_serve, args=(jobs_child, events_child),
                                       name="netlab-worker", daemon=True)  # fmt: skip
            process.start()
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.update({key: value})
        jobs_child.close()
        events_child.close()
        self.started.append(process)
        return process, jobs_parent, events_parent

    def _spare_ready(self) -> bool:
        """Whether the spare has said it is ready (Keras imported); for benchmarks."""
        with self._lock:
            return self._spare is not None and self._spare[2].poll()

    def take(self) -> tuple[Any, Any, Any]:
        """A worker for a run (the spare, or a new one).

        The next spare is not started here: importing Keras beside a run takes
        seconds of the CPU from it (the first batch came 6 s later, the epochs
        were slower). The run calls :meth:`warm_later` when it has ended.
        """
        with self._lock:
            worker, self._spare = self._spare or self._start(), None
        return worker

    def warm_later(self) -> None:
        """Starts the spare on a thread of its own (starting a process takes milliseconds)."""
        threading.Thread(target=self.warm, name="netlab-pool", daemon=True).start()

    def close(self) -> None:
        """Ends the spare and every worker still alive (no process outlives the caller)."""
        with self._lock:
            spare, self._spare = self._spare, None
            self._closed = True  # no spare is started after this (a run ending meanwhile)
        if spare is not None:
            with contextlib.suppress(OSError):
                spare[1].send(None)
        deadline = time.monotonic() + STOP_GRACE
        for process in self.started:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)


class ProcessRun:
    """One training run in a worker process, with the engine's controls.

    Args:
        pool: Where the worker comes from.
        graph: ``Graph.to_dict()`` of the network.
        config: The training settings.
        weights: Weights to start from, by layer name (``None``: new ones).
        run_id: Id of the run in its project.
        name: Shown in the run list.
        on_event: Called with each engine event (on a reader thread).
    """

    def __init__(self, pool: WorkerPool, graph: dict[str, Any], config: dict[str, Any],
                 weights: Weights | None, run_id: str, name: str,
                 on_event: Callable[[Any], None]) -> None:  # fmt: skip
        self.pool, self.graph, self.config = pool, graph, config
        self.run_id, self.name, self.on_event = run_id, name, on_event
        self.folder = Path(tempfile.mkdtemp(prefix="netlab-run-"))
        if weights:
            save_weights(self.folder / "initial", weights)
        self.record: RunRecord | None = None
        self.failure = ""  # why the run could not start
        self.epochs_with_weights = -1
        self._epochs: list[dict[str, float]] = []  # what the events said, should the worker die
        self._batches: list[tuple[int, float, float]] = []
        self.process: Any = None
        self._jobs: Any = None
        self._job_sent = False  # orders wait until the worker has its job (it reads one first)
        self._pending: list[str | None] = []
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, name=f"netlab-run-{run_id}",
                                        daemon=True)  # fmt: skip

    def start(self) -> None:
        """Hands the run to a worker and starts reading its events."""
        self._reader.start()

    def _send(self, order: str | None) -> None:
        with self._send_lock:
            if not self._job_sent:
                # A stop pressed while the worker still imports Keras reached it as its job.
                self._pending.append(order)
                return
            with contextlib.suppress(OSError, ValueError):
                self._jobs.send(order)

    def stop(self) -> None:
        """Ends training after the current batch; its weights are kept. Works in every phase."""
        self._stop.set()
        self._send("stop")

    def pause(self) -> None:
        """Holds training after the current batch."""
        self._send("pause")

    def resume(self) -> None:
        """Continues a paused run."""
        self._send("resume")

    @property
    def running(self) -> bool:
        """Whether the run has not ended yet (its reader still reads)."""
        return self._reader.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the run ended (tests, closing)."""
        self._reader.join(timeout)

    def weights(self) -> Weights | None:
        """The final weights, or the last finished epoch's if the run did not end well."""
        return load_weights(self.folder / "final") or load_weights(self.folder / "epoch")

    def kill(self) -> None:
        """Kills the worker at once (closing the window)."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def cleanup(self) -> None:
        """Removes the run's hand-off folder (after the weights were read)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _read(self) -> None:
        self.process, self._jobs, events = self.pool.take()
        job = {"graph": self.graph, "config": self.config, "run_id": self.run_id,
               "name": self.name, "folder": str(self.folder)}  # fmt: skip
        try:
            events.recv()  # ("ready", pid): Keras imported
            with self._send_lock:
                self._jobs.send(job)
                self._job_sent = True
                for order in self._pending:
                    self._jobs.send(order)
                self._pending = []
            while True:
                kind, payload = events.recv()
                if kind == "event":
                    self._keep(payload)
                    self.on_event(payload)
                elif kind == "epoch_weights":
                    self.epochs_with_weights = payload
                elif kind == "failed":
                    self.failure = payload
                    break
                elif kind == "ended":
                    self.record = payload
                    break
        except (EOFError, OSError):
            self.process.join(5)
            self._died()
        finally:
            self._send(None)
            self.process.join(STOP_GRACE)
            if self.process.is_alive():
                self.process.kill()
            self.pool.warm_later()  # the next run finds Keras imported

    def _keep(self, event: Any) -> None:
        if isinstance(event, BatchEnded):
            self._batches += [*event.earlier, (event.step, event.loss, event.learning_rate)]
        elif isinstance(event, EpochEnded):
            self._epochs.append({"epoch": event.epoch, **event.metrics, "seconds": event.seconds})

    def _died(self) -> None:
        """The worker ended without a word: the run failed, keeping what it had told."""
        steps, losses, rates = zip(*self._batches, strict=True) if self._batches else ((), (), ())
        self.record = RunRecord(
            self.run_id, self.name, self.graph, self.config, status="failed",
            reason=_ended_why(self.process.exitcode), epochs=list(self._epochs),
            batches={"step": np.asarray(steps, "int64"), "loss": np.asarray(losses, "float32"),
                     "learning_rate": np.asarray(rates, "float32")},
        )  # fmt: skip
