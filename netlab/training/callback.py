"""The Keras callback through which the engine watches and steers ``model.fit``.

Batch-end work runs on Keras's worker threads (``async_safe``), so reading the
batch's loss never stalls the training loop; pause and stop act at the start of
a batch, on the training thread; everything that touches weights happens at
epoch boundaries, on the training thread, after Keras has flushed the workers.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import keras
import numpy as np

from netlab.training.events import BatchEnded, EpochEnded
from netlab.training.layerstats import LayerSeries, read_epoch
from netlab.training.setup import learning_rate_at

HISTOGRAM_BINS = 30


class EngineCallback(keras.callbacks.Callback):
    """Records history, posts events, applies stop / pause / divergence / best weights."""

    async_safe = True

    def __init__(self, run: Any, steps_per_epoch: int) -> None:
        super().__init__()
        self.run = run
        self.steps = steps_per_epoch
        self.epoch = 0
        self.failure = ""
        self.failure_step: int | None = None
        self.lock = threading.Lock()
        self.turn = threading.Condition(self.lock)
        self.epoch_batches: dict[int, tuple[float, float]] = {}  # batch -> (mean loss, lr)
        self.series: dict[str, list[float]] = {"step": [], "loss": [], "learning_rate": []}
        self.last_good: list[Any] | None = None
        self.best: tuple[float, list[Any]] | None = None
        self.epoch_start = self.batch_time = time.perf_counter()
        #: Examples whose layer outputs are histogrammed each epoch (None: no histograms).
        self.probe: np.ndarray | None = None
        self.layers: LayerSeries | None = None
        self.histograms: dict[str, list[Any]] = {}

    # Training thread ----------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.last_good = self._snapshot()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch = epoch
        self.epoch_start = self.batch_time = time.perf_counter()
        self.epoch_batches = {}

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.run.paused and batch > 0:
            with self.turn:  # the batch before reports first (its end runs on Keras's threads)
                self.turn.wait_for(lambda: batch - 1 in self.epoch_batches, timeout=5)
        self.run.wait_while_paused()
        if self.run.stopping or self.failure:
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._store_epoch_series(epoch)
        if not self.failure:  # diverged weights are put back: nothing of them is kept
            self._store_gradients(epoch)
            if self.probe is not None:
                self._store_histograms()
        if self.failure:
            if self.last_good is not None:
                self._restore(self.last_good)
            return
        metrics = {k: float(v) for k, v in (logs or {}).items()}
        seconds = time.perf_counter() - self.epoch_start
        self.run.record.epochs.append({"epoch": epoch, **metrics, "seconds": seconds})
        self.run.events.post(EpochEnded(self.run.run_id, epoch, metrics, seconds))
        if all(math.isfinite(v) for v in metrics.values()):
            self.last_good = self._snapshot()
            if self.run.epoch_hook is not None:  # on the training thread: the weights hold still
                self.run.epoch_hook(epoch, self.model)
        val_loss = metrics.get("val_loss")
        if (
            self.run.config["keep_best"]
            and val_loss is not None
            and (self.best is None or val_loss < self.best[0])
        ):
            self.best = (val_loss, self._snapshot())

    def _store_epoch_series(self, epoch: int) -> None:
        # Keras reports the mean loss of the epoch so far; undo the mean per batch.
        previous = 0.0
        for batch in sorted(self.epoch_batches):
            mean, lr = self.epoch_batches[batch]
            self.series["step"].append(epoch * self.steps + batch)
            self.series["loss"].append((batch + 1) * mean - batch * previous)
            self.series["learning_rate"].append(lr)
            previous = mean

    def _store_gradients(self, epoch: int) -> None:
        """This epoch's gradient norms and update ratios, if the optimizer records them."""
        rows = read_epoch(self.model.optimizer, len(self.epoch_batches))
        if rows is not None:
            inner = getattr(self.model.optimizer, "inner_optimizer", self.model.optimizer)
            if self.layers is None:
                self.layers = LayerSeries(list(inner._netlab_layers))
            self.layers.add_epoch(epoch, self.steps, inner._netlab_every, rows)

    def _store_histograms(self) -> None:
        """Histograms of each layer's weights and of its outputs for the probe examples."""
        from netlab.inspect.histograms import activation_histograms, weight_histograms

        for kind, found in (("weight", weight_histograms(self.model, HISTOGRAM_BINS)),
                            ("activation", activation_histograms(self.model, self.probe,
                                                                 HISTOGRAM_BINS))):  # fmt: skip
            self.histograms.setdefault(f"{kind}_layers", list(found))
            names = self.histograms[f"{kind}_layers"]
            if list(found) != names:
                continue  # the same layers every epoch; never the case, but never misfiled
            self.histograms.setdefault(f"{kind}_hist", []).append(
                [found[n].counts for n in names])
            self.histograms.setdefault(f"{kind}_range", []).append(
                [(found[n].edges[0], found[n].edges[-1]) for n in names])

    def layer_stats(self) -> dict[str, Any]:
        """What the run record keeps: names and arrays (see :class:`RunRecord`)."""
        stats: dict[str, Any] = self.layers.arrays() if self.layers is not None else {}
        for key, value in self.histograms.items():
            stats[key] = value if key.endswith("_layers") else np.asarray(
                value, "int64" if key.endswith("_hist") else "float32")
        return stats

    def _snapshot(self) -> list[Any]:
        # JAX arrays are immutable, so holding the current ones is a free copy that stays
        # on the device; TensorFlow variables change in place and must be copied.
        if keras.backend.backend() == "jax":
            return [v.value for v in self.model.weights]
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            # Copies made by TensorFlow ops, which release the GIL; a NumPy copy of every
            # weight held it for tens of milliseconds and froze the window each epoch.
            return [tf.identity(v.value) for v in self.model.weights]
        return self.model.get_weights()

    def _restore(self, weights: list[Any]) -> None:
        for variable, value in zip(self.model.weights, weights, strict=True):
            variable.assign(value)

    # Keras worker threads ---------------------------------------------------
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        mean = float(logs.get("loss", math.nan))
        metrics = {k: float(v) for k, v in logs.items() if k != "loss"}
        step = self.epoch * self.steps + batch
        lr = learning_rate_at(self.run.config, self.steps, step)
        with self.turn:
            # Keras's pool may run batch ends out of order: take them in order, since
            # this batch's own loss needs the running mean of the batch before.
            self.turn.wait_for(lambda: batch == 0 or batch - 1 in self.epoch_batches, timeout=5)
            now = time.perf_counter()
            self.epoch_batches[batch] = (mean, lr)
            before = self.epoch_batches.get(batch - 1)
            elapsed, self.batch_time = now - self.batch_time, now
            self.turn.notify_all()
        loss = mean if batch == 0 or before is None else (batch + 1) * mean - batch * before[0]
        rate = self.run.config["batch_size"] / max(elapsed, 1e-9)
        self.run.events.post(BatchEnded(self.run.run_id, self.epoch, step, batch, self.steps,
                                        loss, metrics, lr, rate))  # fmt: skip
        if not math.isfinite(mean):
            self._diverged(mean, step)

    def _diverged(self, mean: float, step: int) -> None:
        # Worker threads may finish batches out of order: report the first bad step.
        with self.lock:
            if self.failure_step is not None and self.failure_step <= step:
                return
            self.failure_step = step
            self.failure = (
                f"the loss became {mean} at epoch {self.epoch + 1}, step {step}: training "
                "diverged, so the weights of the last good epoch were restored; try a smaller "
                "learning rate"
            )
            self.model.stop_training = True

    # After fit ----------------------------------------------------------------
    def finish(self) -> None:
        """Puts the best weights back (if asked) and stores the per-batch series."""
        if self.best is not None and not self.failure:
            self._restore(self.best[1])
        self.run.record.layer_stats = self.layer_stats()
        self.run.record.batches = {
            "step": np.asarray(self.series["step"], "int64"),
            "loss": np.asarray(self.series["loss"], "float32"),
            "learning_rate": np.asarray(self.series["learning_rate"], "float32"),
        }
