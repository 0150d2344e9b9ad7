"""The training engine: one training run with events, stop, pause and guards.

TensorFlow trains with ``model.fit``; JAX with :mod:`netlab.training.jax_loop`
(the same steps, with the data kept on the device); several machines together
with :mod:`netlab.training.distributed` (TensorFlow, configured by ``TF_CONFIG``).
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any

from netlab.data import Dataset
from netlab.errors import NetLabError, TrainingError, first_line
from netlab.graph.analysis import analyse
from netlab.graph.model import Graph
from netlab.project.config import check_training_config
from netlab.project.project import RunRecord, Weights
from netlab.training import layerstats, setup
from netlab.training.devices import device_scope
from netlab.training.events import (
    EventChannel,
    RunEnded,
    RunStarted,
    RunStateChanged,
)
from netlab.training.fit import data_problems

DISTRIBUTE_CHOICES = (None, "multiworker")
# Seeding is global in Keras: a run seeds and builds its model holding this lock, so runs
# in one process never draw from each other's random state.
_BUILD_LOCK = threading.Lock()
#: Examples whose every layer's output is histogrammed after each epoch.
PROBE_EXAMPLES = 32


def _now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


def _is_out_of_memory(err: BaseException) -> bool:
    text = f"{type(err).__name__} {err}"
    return "ResourceExhausted" in text or "RESOURCE_EXHAUSTED" in text or "out of memory" in text


class TrainingRun:
    """Trains a graph on a data set with a configuration; one object per run.

    Call :meth:`start` to train on a worker thread (the GUI) or :meth:`run` to
    train on this thread (the command line). Listeners get the events of
    :mod:`netlab.training.events` on the channel's thread.

    Args:
        graph: The network; a copy is kept, so later edits do not touch the run.
        dataset: The data.
        config: A training configuration (``netlab.project.config``).
        weights: Weights to start from (to continue training), by layer name.
        run_id: Id of the run in its project.
        name: Shown in the run list.
        distribute: ``None`` (this process alone) or ``"multiworker"`` (with the
            other processes that ``TF_CONFIG`` names; see :mod:`netlab.training.distributed`).

    Raises:
        TrainingError: For an unknown ``distribute`` or, with ``"multiworker"``, a missing
            or malformed ``TF_CONFIG``.
        ParameterError: For a bad setting in ``config``.
    """

    def __init__(self, graph: Graph, dataset: Dataset, config: dict[str, Any],
                 weights: Weights | None = None, run_id: str = "run1",
                 name: str | None = None, distribute: str | None = None) -> None:  # fmt: skip
        self.graph = graph.copy()
        self.dataset = dataset
        self.config = check_training_config(config)
        self.initial_weights = weights
        self.run_id = run_id
        self.name = name or run_id
        if distribute not in DISTRIBUTE_CHOICES:
            raise TrainingError(f"unknown distribute {distribute!r}; use None or 'multiworker'")
        if distribute == "multiworker":
            from netlab.training.cluster import read_cluster

            read_cluster()
        self.distribute = distribute
        self.events = EventChannel()
        self.record = RunRecord(run_id, self.name, self.graph.to_dict(), dict(self.config),
                                status="running", started=_now())  # fmt: skip
        self.model: Any = None
        #: Called as ``epoch_hook(epoch, model)`` on the training thread after each epoch
        #: whose metrics are finite (the process layer hands the weights over then).
        self.epoch_hook: Callable[[int, Any], None] | None = None
        #: How the training data reached the device: "fit" (Keras's own loop, TensorFlow),
        #: "resident" (copied to the device once, JAX), "streamed" (batches copied ahead, JAX) or
        #: "multiworker" (tf.data, split between the workers).
        self.input_path = ""
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._holding = threading.Event()  # set while the training thread waits in a pause
        self._pause_lock = threading.Lock()
        self._started = False
        self._start_lock = threading.Lock()
        self._batches: Any = None
        self._thread: threading.Thread | None = None

    def _claim(self) -> None:
        with self._start_lock:
            if self._started:
                raise TrainingError(f"run {self.run_id!r} has started already; a run trains once")
            self._started = True

    # Control (any thread) ---------------------------------------------------
    def subscribe(self, listener: Any) -> None:
        """Adds an event listener (called on the event channel's thread)."""
        self.events.subscribe(listener)

    def start(self) -> None:
        """Trains on a new worker thread.

        Raises:
            TrainingError: If the run has started already (a run trains once).
        """
        self._claim()
        self._thread = threading.Thread(target=self.run, name=f"netlab-{self.run_id}",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        """Ends training after the current batch; the weights of that moment are kept."""
        self._stop.set()
        self._resume.set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def wait_while_paused(self) -> None:
        """Blocks the training thread while the run is paused.

        The ``paused`` event goes out from here, when training really holds (every
        batch before it reported), so a listener that sees it sees no batch after it.
        """
        with self._pause_lock:
            if self._resume.is_set():
                return
            self._holding.set()
            self.events.post(RunStateChanged(self.run_id, "paused"))
        self._resume.wait()
        self._holding.clear()

    def wait_until_held(self, timeout: float | None = None) -> bool:
        """Waits until a paused run has really stopped between batches (tests, benchmarks)."""
        return self._holding.wait(timeout)

    def pause(self) -> None:
        """Holds training after the current batch until :meth:`resume`."""
        if self._resume.is_set() and not self._stop.is_set():
            self._resume.clear()

    def resume(self) -> None:
        """Continues a paused run."""
        with self._pause_lock:
            if not self._resume.is_set():
                held = self._holding.is_set()
                self._resume.set()
                if held:
                    self.events.post(RunStateChanged(self.run_id, "running"))

    @property
    def paused(self) -> bool:
        """Whether the run is paused."""
        return not self._resume.is_set()

    def wait(self, timeout: float | None = None) -> RunRecord:
        """Waits for a started run to end and its events to be delivered."""
        if self._thread is not None:
            self._thread.join(timeout)
        self.events.join(timeout)
        return self.record

    # The run ----------------------------------------------------------------
    def run(self) -> RunRecord:
        """Trains on this thread; returns the run's record. Never raises NetLab errors:
        a failure ends the run with status ``failed`` and a one-line reason.

        Raises:
            TrainingError: If the run has started already (a run trains once).
        """
        if self._thread is None or threading.current_thread() is not self._thread:
            self._claim()
        try:
            status, reason = self._train()
        except NetLabError as err:
            status, reason = "failed", str(err)
        except (ValueError, TypeError, RuntimeError, MemoryError) as err:
            status, reason = "failed", self._explain(err)
        self.record.status, self.record.reason, self.record.finished = status, reason, _now()
        self.events.post(RunEnded(self.run_id, status, reason, self.record))
        self.events.close()
        return self.record

    def _explain(self, err: BaseException) -> str:
        if _is_out_of_memory(err):
            return (f"out of memory with batch size {self.config['batch_size']}: try a smaller "
                    "batch size (or a smaller model)")  # fmt: skip
        return first_line(err)

    def _check_fit(self) -> None:
        analysis = analyse(self.graph)
        if not analysis.valid:
            raise TrainingError(
                f"the network has problems: {analysis.errors[0].describe(self.graph)}"
            )
        inputs = [n for n in self.graph.nodes.values() if n.key == "Input"]
        outputs = [n for n in self.graph.nodes.values() if n.key == "Output"]
        if len(inputs) != 1 or len(outputs) != 1:
            raise TrainingError("training needs a network with one Input and one Output")
        problems = data_problems(self.graph, analysis, self.dataset, self.config["loss"])
        if problems:
            raise TrainingError(
                f"the data does not fit the network: {problems[0].describe(self.graph)}"
            )

    def _build(self, steps: int) -> Any:
        import keras

        from netlab.graph.builder import build_model, load_layer_weights

        keras.utils.set_random_seed(self.config["seed"])  # holding _BUILD_LOCK
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(self.config["precision"])
        try:
            model = build_model(self.graph)
            for name, values in (self.initial_weights or {}).items():
                load_layer_weights(model.get_layer(name), values)
            metrics = list(self.config["metrics"]) if self.dataset.task == "classification" else []
            # JAX always compiles with XLA (unjitted it runs op by op, far slower);
            # the option matters for TensorFlow only.
            jit = self.config["xla"] or keras.backend.backend() == "jax"
            optimizer = setup.optimizer(self.config, steps)
            if self.config["layer_stats"]:
                optimizer = layerstats.recording(optimizer, model, steps,
                                                 layerstats.record_interval(steps))  # fmt: skip
            model.compile(optimizer=optimizer, loss=self.config["loss"], metrics=metrics,
                          jit_compile=jit)  # fmt: skip
            # Made now, eagerly: made lazily inside the first traced step, TensorFlow kept
            # each variable's initialiser graph for good (about 8 MiB a run, never freed).
            model.optimizer.build(model.trainable_variables)
        finally:
            keras.config.set_dtype_policy(previous)
        return model

    def _tf_batches(self, arrays: dict[str, Any]) -> Any:
        """The training batches for ``fit`` on TensorFlow, shuffled by the run's own seed."""
        import keras

        if keras.backend.backend() != "tensorflow" or self.distribute is not None:
            return None
        from netlab.training.tf_input import training_dataset

        return training_dataset(arrays["x_train"], arrays["y_train"], self.config["batch_size"],
                                self.config["seed"], self.config["epochs"])  # fmt: skip

    def _scope(self) -> Any:
        if self.distribute == "multiworker":
            from netlab.training.cluster import strategy_scope

            return strategy_scope(self.config["device"])
        return device_scope(self.config["device"])

    def _fit(self, model: Any, arrays: dict[str, Any], validation: Any, callback: Any,
             strategy: Any) -> None:  # fmt: skip
        import keras

        if self.distribute == "multiworker":
            from netlab.training import distributed

            self.input_path = "multiworker"
            distributed.fit(self, model, arrays, validation, callback, strategy)
            return
        if keras.backend.backend() == "jax":
            from netlab.training import jax_loop

            self.input_path = jax_loop.fit(
                model, arrays["x_train"], arrays["y_train"], batch_size=self.config["batch_size"],
                epochs=self.config["epochs"], seed=self.config["seed"],
                device_id=self.config["device"], validation=validation, callbacks=[callback],
                transform=arrays["transform"], distribution=strategy,
            )  # fmt: skip
            return
        self.input_path = "fit"
        steps = setup.steps_per_epoch(len(arrays["x_train"]), self.config["batch_size"])
        model.fit(self._batches, epochs=self.config["epochs"], steps_per_epoch=steps,
                  validation_data=validation, validation_batch_size=self.config["batch_size"],
                  shuffle=False, verbose=0, callbacks=[callback])  # fmt: skip

    def _train(self) -> tuple[str, str]:
        from netlab.training.callback import EngineCallback

        self._check_fit()
        # On JAX the examples stay as stored (uint8 pixels, memory-mapped files) and are
        # converted on the device; TensorFlow's fit takes them as the network sees them.
        import keras

        raw = keras.backend.backend() == "jax" and self.distribute is None
        arrays = setup.prepare_arrays(self.dataset, self.config, raw=raw)
        steps = setup.steps_per_epoch(len(arrays["x_train"]), self.config["batch_size"])
        if self._stop.is_set():
            return "stopped", "stopped before training began"
        with self._scope() as strategy:
            with _BUILD_LOCK:
                self.model = model = self._build(steps)
                self._batches = self._tf_batches(arrays)
            if self._stop.is_set():
                return "stopped", "stopped before training began"
            summary = io.StringIO()
            with redirect_stdout(summary):
                model.summary(print_fn=lambda line, **_: summary.write(line + "\n"))
            started = RunStarted(self.run_id, summary.getvalue(), model.count_params(),
                                 self.config["epochs"], steps, dict(self.config))  # fmt: skip
            self.events.post(started)
            callback = EngineCallback(self, steps)
            if self.config["histograms"]:
                probe = arrays["x_val"] if len(arrays["x_val"]) else arrays["x_train"]
                callback.probe = arrays["transform"](probe[:PROBE_EXAMPLES]) if raw else \
                    probe[:PROBE_EXAMPLES]  # fmt: skip
            validation = (arrays["x_val"], arrays["y_val"]) if len(arrays["x_val"]) else None
            try:
                self._fit(model, arrays, validation, callback, strategy)
            except (ValueError, TypeError, RuntimeError, MemoryError) as err:
                if callback.failure:
                    return "failed", callback.failure
                raise TrainingError(self._explain(err)) from err
        callback.finish()
        if callback.failure:
            return "failed", callback.failure
        if self._stop.is_set():
            return "stopped", "stopped by the user"
        return "finished", ""
