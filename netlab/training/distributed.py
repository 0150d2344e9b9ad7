"""Multi-worker training: a custom loop under ``tf.distribute.MultiWorkerMirroredStrategy``.

Why not ``model.fit``: Keras 3.15 fails inside it under this strategy (its
``_maybe_symbolic_build`` reduces a ``PerReplica`` batch; keras-team/keras
issue 20585). This loop does what ``fit`` does with ``strategy.run`` and drives
the engine's :class:`~netlab.training.callback.EngineCallback` the way ``fit``
would, so events, history, stop, the NaN guard and ``keep_best`` behave alike.

Every worker runs the same command; ``TF_CONFIG`` says which one it is
(:mod:`netlab.training.cluster` reads it and joins the cluster). Each
global batch of ``batch_size`` examples is split between the workers; their
gradients are summed, so all workers hold the same weights after every step.
Decisions that end the loop (stop, a non-finite loss) are agreed on inside
the step, because a worker that leaves early would leave the others waiting.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from netlab.errors import TrainingError

#: Keras's per-example metric functions (their mean over the examples is the metric);
#: stateful metrics such as AUC cannot be summed across workers this way.
PER_EXAMPLE = (
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_absolute_error",
    "mean_squared_error", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy",
)  # fmt: skip
ALIASES = {"mae": "mean_absolute_error", "mse": "mean_squared_error"}


def _accuracy(y_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> Callable[..., Any]:
    """The accuracy Keras's ``compile`` picks for these shapes."""
    import keras

    if out_shape[-1] == 1:
        return keras.metrics.binary_accuracy
    if len(y_shape) == len(out_shape) - 1 or (y_shape[-1] == 1 and out_shape[-1] != 1):
        return keras.metrics.sparse_categorical_accuracy
    return keras.metrics.categorical_accuracy


def metric_functions(config: dict[str, Any], task: str, y_shape: tuple[int, ...],
                     out_shape: tuple[int, ...]) -> dict[str, Callable[..., Any]]:  # fmt: skip
    """Per-example functions of the configured metrics, by Keras's log names.

    Raises:
        TrainingError: For a metric that is not in ``PER_EXAMPLE`` (AUC, ...).
    """
    import keras

    if task != "classification":
        return {}
    functions = {}
    for name in config["metrics"]:
        if name in ("accuracy", "acc"):
            functions[name] = _accuracy(y_shape, out_shape)
            continue
        if ALIASES.get(name, name) not in PER_EXAMPLE:
            known = ", ".join(sorted(PER_EXAMPLE))
            raise TrainingError(f"metric {name!r} is not available in multi-worker training; "
                                f"use accuracy, mae, mse or one of: {known}")  # fmt: skip
        functions[name] = getattr(keras.metrics, ALIASES.get(name, name))
    return functions


class Steps:
    """The train and validation steps of one model, as ``tf.function`` s.

    ``train(x, y, count, stop)`` takes one global batch (distributed), the number of
    examples in it and this worker's wish to stop (0 or 1); it returns, summed over
    the workers, ``[loss, stop wishes, metric sums...]``. ``validate(x, y)`` returns
    the summed loss and metrics of a batch, on this worker alone.

    Args:
        strategy: The strategy the model was built under.
        model: The compiled model.
        loss: The configuration's loss name.
        metrics: From :func:`metric_functions`.
        train_spec: The ``element_spec`` of the distributed training batches.
        validation_spec: ``(x, y)`` ``tf.TensorSpec`` s of a validation batch, batch
            size ``None``.
    """

    def __init__(self, strategy: Any, model: Any, loss: str, metrics: dict[str, Callable[..., Any]],
                 train_spec: Any, validation_spec: Any) -> None:  # fmt: skip
        import keras
        import tensorflow as tf

        self.strategy, self.model = strategy, model
        self.loss = keras.losses.get(loss)
        self.metrics = metrics
        # Fixed signatures with an unknown batch size: the smaller last batch of an epoch
        # (and of the validation data) runs the same trace instead of tracing again.
        scalar = tf.TensorSpec([], "float32")
        self.train = tf.function(self._train, input_signature=[*train_spec, scalar, scalar])
        self.validate = tf.function(self._validate, input_signature=list(validation_spec))

    def _sums(self, y: Any, pred: Any) -> list[Any]:
        """Summed per-example loss and metrics of a batch, as float32 scalars."""
        import tensorflow as tf

        pred = tf.cast(pred, "float32")
        values = [self.loss(y, pred), *(f(y, pred) for f in self.metrics.values())]
        return [tf.reduce_sum(tf.cast(v, "float32")) for v in values]

    def _replica(self, x: Any, y: Any, count: Any, stop: Any) -> Any:
        import tensorflow as tf

        model, optimizer = self.model, self.model.optimizer
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss_sum, *metric_sums = self._sums(y, pred)
            # The loss of this worker's share, scaled so that the sum over workers is the
            # mean over the global batch, as model.fit computes it.
            loss = loss_sum / count
            if model.losses:
                regular = tf.add_n([tf.cast(v, "float32") for v in model.losses])
                loss += regular / self.strategy.num_replicas_in_sync
            scaled = optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, model.trainable_variables)
        if hasattr(optimizer, "dynamic_scale"):  # a LossScaleOptimizer (mixed_float16)
            grads = self._agree_on_overflow(grads)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return tf.stack([loss, stop, *metric_sums])

    def _agree_on_overflow(self, grads: list[Any]) -> list[Any]:
        """Makes every worker's gradients non-finite when any worker's are.

        Why: the loss-scale optimizer skips a step whose gradients overflow, judging
        each worker's own gradients; a worker that skips would leave the others
        waiting in their all-reduce forever.
        """
        import tensorflow as tf

        grads = [tf.convert_to_tensor(g) if g is not None else None for g in grads]
        finite = tf.cast(self.model.optimizer.check_finite(grads), "float32")
        context = tf.distribute.get_replica_context()
        overflows = context.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - finite)
        keep = tf.cast(tf.equal(overflows, 0.0), "float32")
        return [g if g is None else g / tf.cast(keep, g.dtype) for g in grads]

    def _train(self, x: Any, y: Any, count: Any, stop: Any) -> Any:
        import tensorflow as tf

        local = self.strategy.run(self._replica, args=(x, y, count, stop))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, local, axis=None)

    def _validate(self, x: Any, y: Any) -> Any:
        import tensorflow as tf

        sums = self._sums(y, self.model(x, training=False))
        if self.model.losses:
            regular = tf.add_n([tf.cast(v, "float32") for v in self.model.losses])
            sums[0] += regular * tf.cast(tf.shape(x)[0], "float32")
        return tf.stack(sums)


def _batch_spec(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
    import tensorflow as tf

    return tuple(tf.TensorSpec((None, *a.shape[1:]), a.dtype) for a in (x, y))


def _distributed_batches(strategy: Any, x: np.ndarray, y: np.ndarray, batch_size: int,
                         seed: int) -> Any:  # fmt: skip
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, y))
    data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    options = tf.data.Options()
    # Every worker shuffles alike (same seed) and takes its slice of each global batch.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return strategy.experimental_distribute_dataset(data.with_options(options))


def _validation_logs(steps: Steps, validation: Any, batch_size: int) -> dict[str, float]:
    """``val_loss`` and ``val_<metric>``, computed whole on every worker (no collectives)."""
    x_val, y_val = validation
    totals = np.zeros(1 + len(steps.metrics))
    for start in range(0, len(x_val), batch_size):
        end = start + batch_size
        totals += steps.validate(x_val[start:end], y_val[start:end]).numpy()
    names = ["loss", *steps.metrics]
    return {f"val_{n}": float(t / len(x_val)) for n, t in zip(names, totals, strict=True)}


def _train_epoch(steps: Steps, batches: Any, callback: Any, samples: int,
                 batch_size: int) -> tuple[dict[str, float], str]:  # fmt: skip
    """One pass over the batches, as ``fit`` runs it.

    Returns:
        The epoch's logs, and why it ended early: ``"stop"`` (a worker was asked to stop),
        ``"diverged"`` (the loss is not finite) or ``""``.
    """
    import tensorflow as tf

    names = ["loss", *steps.metrics]
    totals, seen, batch_losses = np.zeros(len(names)), 0, 0.0
    for batch, (x, y) in enumerate(batches):
        callback.on_train_batch_begin(batch)
        count = min(batch_size, samples - batch * batch_size)
        stop = 1.0 if steps.model.stop_training else 0.0
        loss, stops, *sums = steps.train(x, y, tf.constant(float(count)),
                                         tf.constant(stop)).numpy()  # fmt: skip
        totals += [loss * count, *sums]
        seen, batch_losses = seen + count, batch_losses + loss
        # The means of the epoch so far, as Keras logs them; the callback turns the loss
        # back into this batch's, so it gets the plain mean of the batch losses.
        logs = dict(zip(names, (totals / seen).tolist(), strict=True))
        callback.on_train_batch_end(batch, {**logs, "loss": batch_losses / (batch + 1)})
        # Both tests read values summed over all workers, so all workers leave together.
        if stops > 0:
            return logs, "stop"
        if not math.isfinite(loss):
            return logs, "diverged"
    return logs, ""


def fit(run: Any, model: Any, arrays: dict[str, Any], validation: Any, callback: Any,
        strategy: Any) -> None:  # fmt: skip
    """Trains ``model`` (built in ``strategy``'s scope) as ``model.fit`` would.

    Args:
        run: The :class:`~netlab.training.engine.TrainingRun`.
        model: The compiled model.
        arrays: From :func:`netlab.training.setup.prepare_arrays`.
        validation: ``(x_val, y_val)`` or ``None``.
        callback: The engine's callback; called as ``fit`` calls it.
        strategy: From :func:`netlab.training.cluster.strategy_scope`.

    Raises:
        TrainingError: For a metric this loop cannot compute.
    """
    config = run.config
    x, y = arrays["x_train"], arrays["y_train"]
    batch_size = config["batch_size"]
    metrics = metric_functions(config, run.dataset.task, y.shape, tuple(model.output.shape))
    batches = _distributed_batches(strategy, x, y, batch_size, config["seed"])
    steps = Steps(strategy, model, config["loss"], metrics, batches.element_spec,
                  _batch_spec(x, y))  # fmt: skip
    _epochs(run, steps, batches, validation, callback, len(x))
    _barrier(strategy)


def _epochs(run: Any, steps: Steps, batches: Any, validation: Any, callback: Any,
            samples: int) -> None:  # fmt: skip
    batch_size, model = run.config["batch_size"], steps.model
    model.stop_training = False
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(run.config["epochs"]):
        callback.on_epoch_begin(epoch)
        logs, ended = _train_epoch(steps, batches, callback, samples, batch_size)
        if ended == "stop":
            run.stop()  # whichever worker was asked, every worker's run reports "stopped"
        model.stop_training = bool(ended)
        if validation is not None:
            logs.update(_validation_logs(steps, validation, batch_size))
        callback.on_epoch_end(epoch, logs)
        if ended:
            break


def _barrier(strategy: Any) -> None:
    """Returns when every worker got here: workers that finish together exit cleanly
    (the chief hosts TensorFlow's coordination service; peers it leaves behind log errors)."""
    import tensorflow as tf

    @tf.function
    def count_workers() -> Any:
        done = strategy.run(lambda: tf.constant(1.0))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, done, axis=None)

    count_workers()
