"""The Keras callback through which the engine watches and steers ``model.fit``."""

from __future__ import annotations

import math
import time
from typing import Any

import keras
import numpy as np

from netlab.training.events import BatchEnded, EpochEnded


class EngineCallback(keras.callbacks.Callback):
    """Records history, posts events, and applies stop / pause / NaN / best-weights.

    Per-batch work is a few float conversions and one non-blocking post.
    """

    def __init__(self, run: Any, steps_per_epoch: int) -> None:
        super().__init__()
        self.run = run
        self.steps = steps_per_epoch
        self.epoch = 0
        self.step = 0
        self.failure = ""
        self.series: dict[str, list[float]] = {"step": [], "loss": [], "learning_rate": []}
        self.running_loss = 0.0
        self.last_good: list[Any] | None = None
        self.best: tuple[float, list[Any]] | None = None
        self.epoch_start = self.batch_time = time.perf_counter()

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.last_good = self.model.get_weights()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch
        self.epoch_start = time.perf_counter()
        self.running_loss = 0.0

    def _rate(self) -> float:
        return float(self.model.optimizer.learning_rate)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        # Keras reports the mean loss of the epoch so far; undo the mean for this batch.
        mean = float(logs.get("loss", math.nan))
        loss = (batch + 1) * mean - batch * self.running_loss
        self.running_loss = mean
        now = time.perf_counter()
        rate = self.run.config["batch_size"] / max(now - self.batch_time, 1e-9)
        self.batch_time = now
        lr = self._rate()
        self.series["step"].append(self.step)
        self.series["loss"].append(loss)
        self.series["learning_rate"].append(lr)
        metrics = {k: float(v) for k, v in logs.items() if k != "loss"}
        self.run.events.post(BatchEnded(self.run.run_id, self.epoch, self.step, batch, self.steps,
                                        loss, metrics, lr, rate))  # fmt: skip
        self.step += 1
        if not math.isfinite(loss):
            self._fail_nan(loss)
        self.run.wait_while_paused()
        if self.run.stopping:
            self.model.stop_training = True

    def _fail_nan(self, loss: float) -> None:
        self.failure = (
            f"the loss became {loss} at epoch {self.epoch + 1}, step {self.step}: training "
            "diverged, so the weights of the last good epoch were restored; try a smaller "
            "learning rate"
        )
        if self.last_good is not None:
            self.model.set_weights(self.last_good)
        self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.failure:
            return
        metrics = {k: float(v) for k, v in (logs or {}).items()}
        seconds = time.perf_counter() - self.epoch_start
        self.run.record.epochs.append({"epoch": epoch, **metrics, "seconds": seconds})
        self.run.events.post(EpochEnded(self.run.run_id, epoch, metrics, seconds))
        if all(math.isfinite(v) for v in metrics.values()):
            self.last_good = self.model.get_weights()
        val_loss = metrics.get("val_loss")
        if (
            self.run.config["keep_best"]
            and val_loss is not None
            and (self.best is None or val_loss < self.best[0])
        ):
            self.best = (val_loss, self.model.get_weights())

    def finish(self) -> None:
        """Puts the best weights back (if asked) and stores the per-batch series."""
        if self.best is not None and not self.failure:
            self.model.set_weights(self.best[1])
        self.run.record.batches = {
            "step": np.asarray(self.series["step"], "int64"),
            "loss": np.asarray(self.series["loss"], "float32"),
            "learning_rate": np.asarray(self.series["learning_rate"], "float32"),
        }
