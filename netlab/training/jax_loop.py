"""The training loop of the JAX backend: Keras's fit loop with the input path made for a GPU.

Why: ``model.fit`` on JAX slices NumPy arrays on the host and copies every
batch to the device as float32, which halves the throughput of a GPU (the
issue's figures: 5,394 against 11,716 images/s for ResNet-34 on an H200).
Here one jitted step takes the examples as they are stored (uint8 pixels stay
uint8: a quarter of the bytes), converts and normalises them on the device
(:class:`~netlab.data.transform.InputTransform`, the same float32 operations
the host would do) and calls the model's own stateless ``train_step`` (same
loss, metrics, optimizer and mixed precision as ``fit``). The examples reach
the device in one of two ways:

- resident: the whole training set is copied once, each epoch draws a shuffled
  order there and the step gathers its batch on the device;
- streamed: when the data do not fit (or are read from a memory-mapped file),
  worker threads gather the batches of the epoch's order on the host and copy
  them several steps ahead, so reading and copying overlap the steps before.

With a ``keras.distribution.DataParallel`` (device ``all``) the variables are
replicated over the devices and every streamed batch is split between them
along the batch axis; XLA averages the gradients.

Callbacks are driven through Keras's ``CallbackList`` exactly as ``fit`` drives
them (asynchronous batch ends included); the model's variables hold the state
at every epoch boundary, where callbacks read or replace weights.
"""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from netlab.data.rows import is_lazy
from netlab.data.transform import InputTransform
from netlab.errors import TrainingError
from netlab.training.tf_input import epoch_order

# Keep this share of the device's free memory for activations and weights.
DEVICE_DATA_SHARE = 0.4
#: Batches gathered and copied ahead of the step that trains on them (streamed input).
AHEAD = 4
#: Validation examples evaluated in one piece; more are converted batch by batch.
VALIDATION_IN_ONE = 2**28  # bytes of float32


def device_for(device_id: str) -> Any:
    """The JAX device of a configuration's device id (``cpu``, ``gpu:N``)."""
    import jax

    kind, _, index = device_id.partition(":")
    return jax.devices(kind)[int(index or 0)]


def fits_on_device(arrays: list[Any], device: Any) -> bool:
    """Whether ``arrays`` take at most ``DEVICE_DATA_SHARE`` of ``device``'s free memory.

    A CPU device always fits: its "copy" is the host memory the arrays are in.
    """
    if device.platform == "cpu":
        return True
    stats = device.memory_stats() or {}
    free = stats.get("bytes_limit", 0) - stats.get("bytes_in_use", 0)
    return sum(a.nbytes for a in arrays) <= DEVICE_DATA_SHARE * free


class _Placement:
    """Where arrays go: one device, or split along the batch axis over a distribution's mesh."""

    def __init__(self, device: Any, distribution: Any) -> None:
        import jax

        self.device, self.distribution = device, distribution
        self.count = distribution.device_mesh.devices.size if distribution is not None else 1
        # Several processes (jax.distributed): each one feeds its share of every batch.
        self.process, self.processes = jax.process_index(), jax.process_count()

    def share(self, rows: np.ndarray) -> np.ndarray:
        """This process's part of a batch's rows (all of them in a single process)."""
        if self.distribution is None or self.processes == 1:
            return rows
        part = len(rows) // self.processes
        return rows[self.process * part:(self.process + 1) * part]

    def batch(self, array: np.ndarray) -> Any:
        import jax

        if self.distribution is None:
            return jax.device_put(array, self.device)
        layout = self.distribution.get_data_layout(array.shape).backend_layout
        return jax.make_array_from_process_local_data(layout, array)  # type: ignore[no-untyped-call]

    def replicated(self, tree: Any) -> Any:
        import jax

        if self.distribution is None:
            return jax.device_put(tree, self.device)
        from jax.sharding import NamedSharding, PartitionSpec

        mesh = self.distribution.device_mesh.backend_mesh
        everywhere = NamedSharding(mesh, PartitionSpec())  # type: ignore[no-untyped-call]
        return jax.device_put(tree, everywhere)


class _Batches:
    """Yields the batches of one epoch on the device(s), resident or streamed."""

    def __init__(self, x: Any, y: np.ndarray, batch_size: int, placement: _Placement,
                 resident: bool) -> None:  # fmt: skip
        self.count, self.batch_size = len(x), batch_size
        self.placement, self.resident = placement, resident
        self.host = (x, y)
        self.data = placement.replicated((np.asarray(x), y)) if resident else None

    def order(self, seed: int, epoch: int) -> np.ndarray:
        """A shuffled order of the examples, repeatable from the seed."""
        return epoch_order(seed, epoch, self.count)

    def epoch(self, order: np.ndarray) -> Generator[tuple[int, Any], None, None]:
        """(index, batch) pairs; a batch is ``(x, y)`` or, resident, indices into the data."""
        starts = range(0, self.count, self.batch_size)
        if self.resident:
            order_on_device = self.placement.replicated(order)
            for i, start in enumerate(starts):
                yield i, order_on_device[start:start + self.batch_size]
            return
        yield from self._streamed(order, starts)

    def _streamed(self, order: np.ndarray, starts: range) -> Iterator[tuple[int, Any]]:
        workers = min(AHEAD, os.cpu_count() or 1)
        pending: collections.deque[Future[Any]] = collections.deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netlab-batches") as pool:
            try:
                ahead = iter(starts)
                for start in ahead:
                    pending.append(pool.submit(self._copy, order, start))
                    if len(pending) == AHEAD:
                        break
                for i in range(len(starts)):
                    batch = pending.popleft().result()
                    following = next(ahead, None)
                    if following is not None:
                        pending.append(pool.submit(self._copy, order, following))
                    if batch is not None:
                        yield i, batch
            finally:  # a stopped epoch: drop what was gathered ahead
                for future in pending:
                    future.cancel()

    def _copy(self, order: np.ndarray, start: int) -> Any:
        rows = order[start:start + self.batch_size]
        rows = rows[:len(rows) - len(rows) % self.placement.count]  # splits evenly
        if not len(rows):
            return None
        rows = self.placement.share(rows)
        x, y = self.host
        return self.placement.batch(np.asarray(x[rows])), self.placement.batch(y[rows])


def _state(model: Any) -> tuple[list[Any], ...]:
    return (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in model.optimizer.variables],
        [v.value for v in model.metrics_variables],
    )


def _sync(model: Any, state: tuple[list[Any], ...]) -> None:
    groups = (model.trainable_variables, model.non_trainable_variables,
              model.optimizer.variables, model.metrics_variables)  # fmt: skip
    for variables, values in zip(groups, state, strict=True):
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)


def on_device(transform: InputTransform, x: Any, constants: Any) -> Any:
    """``transform`` applied to a batch ``x`` inside a jitted function (float32, as on the host).

    ``constants`` are ``(1 / scale, mean, std)`` as device arrays. The conversion of
    stored integers is exact (the host's values bit for bit); standardising may
    differ from NumPy in the last bit, as XLA multiplies by ``1 / std`` and may fuse
    the subtraction into a multiply-add.
    """
    if not transform.to_float:
        return x
    reciprocal, mean, std = constants
    x = x.astype("float32")
    if transform.scale != 1.0:
        x = x * reciprocal
    if transform.standardizes:
        x = (x - mean) / std
    return x


def _constants(transform: InputTransform) -> tuple[Any, ...]:
    one = np.ones((), "float32")
    return (transform.reciprocal, transform.mean if transform.standardizes else one,
            transform.std if transform.standardizes else one)  # fmt: skip


def _step_function(model: Any, resident: bool, transform: InputTransform,
                   out_shardings: Any = None) -> Any:  # fmt: skip
    import jax

    def step(state: Any, data: Any, batch: Any, constants: Any) -> Any:
        x, y = (data[0][batch], data[1][batch]) if resident else batch
        return model.train_step(state, (on_device(transform, x, constants), y))

    return jax.jit(step, out_shardings=out_shardings)


def _evaluate(model: Any, validation: tuple[Any, np.ndarray], transform: InputTransform,
              batch_size: int) -> dict[str, float]:  # fmt: skip
    """Validation metrics; large (or memory-mapped) validation sets converted batch by batch.

    Under a distribution the evaluation runs without it (each device computes every
    batch on its replica of the weights): Keras would split each batch between the
    devices, and a last batch that does not split evenly fails.
    """
    from keras.distribution import distribution, set_distribution

    current = distribution()
    set_distribution(None)
    try:
        return _evaluate_here(model, validation, transform, batch_size)
    finally:
        set_distribution(current)


def _evaluate_here(model: Any, validation: tuple[Any, np.ndarray], transform: InputTransform,
                   batch_size: int) -> dict[str, float]:  # fmt: skip
    x, y = validation
    if len(x) * int(np.prod(x.shape[1:])) * 4 <= VALIDATION_IN_ONE and not is_lazy(x):
        results = model.evaluate(transform(x), y, batch_size=batch_size, verbose=0,
                                 return_dict=True)  # fmt: skip
    else:
        def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
            for start in range(0, len(x), batch_size):
                yield transform(x[start:start + batch_size]), y[start:start + batch_size]

        results = model.evaluate(batches(), steps=math.ceil(len(x) / batch_size), verbose=0,
                                 return_dict=True)  # fmt: skip
    return {f"val_{k}": float(v) for k, v in results.items()}


def fit(model: Any, x: Any, y: np.ndarray, *, batch_size: int, epochs: int, seed: int,
        device_id: str, validation: tuple[Any, np.ndarray] | None, callbacks: list[Any],
        transform: InputTransform | None = None, distribution: Any = None,
        streamed: bool | None = None) -> str:  # fmt: skip
    """Trains ``model`` (compiled) like ``model.fit(..., verbose=0)``.

    Args:
        model: A compiled Keras model (built in ``distribution``'s scope, if given).
        x: Training examples as stored: an array or memory-mapped rows.
        y: Training labels or targets.
        batch_size: The global batch (split over the devices of ``distribution``).
        epochs: Passes over the data.
        seed: Decides each epoch's order.
        device_id: ``cpu``, ``gpu:N`` (ignored with ``distribution``).
        validation: ``(x_val, y_val)`` stored like ``x``, or None.
        callbacks: Keras callbacks.
        transform: What the network sees of ``x`` (default: ``x`` as float32).
        distribution: A ``keras.distribution.DataParallel`` over several devices.
        streamed: Force streaming (True) or residency (False); default: resident when
            the data fit on the device and are in memory.

    Returns:
        ``"resident"`` or ``"streamed"``: how the training data reached the device.

    Raises:
        TrainingError: When the batch does not split evenly over the devices.
    """
    import jax
    import keras

    transform = transform or InputTransform()
    device = None if distribution is not None else device_for(device_id)
    placement = _Placement(device, distribution)
    if len(x) < placement.count:
        raise TrainingError(f"{len(x)} training examples cannot be split over "
                            f"{placement.count} devices")  # fmt: skip
    if batch_size % placement.count:
        raise TrainingError(f"batch size {batch_size} does not split over {placement.count} "
                            f"devices: use a multiple of {placement.count}")  # fmt: skip
    if streamed is None:
        streamed = (distribution is not None or is_lazy(x)
                    or not fits_on_device([x, y], device))  # fmt: skip
    batches = _Batches(x, y, batch_size, placement, resident=not streamed)
    steps = math.ceil(len(x) / batch_size)
    callback_list = keras.callbacks.CallbackList(callbacks, model=model, epochs=epochs,
                                                 steps=steps, verbose=0)  # fmt: skip
    # What fit does first: create the optimizer's and the compiled metrics' variables
    # from a symbolic batch (a private method; Keras is pinned and the JAX tests run it).
    model._symbolic_build(data_batch=(transform(x[:batch_size]), y[:batch_size]))
    constants = placement.replicated(_constants(transform))
    out_shardings = None
    if distribution is not None:  # the state keeps its (replicated) placement step to step
        out_shardings = (None, jax.tree.map(lambda a: a.sharding, _state(model)))
    step = _step_function(model, batches.resident, transform, out_shardings)
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, Any] = {}
    for epoch in range(epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        # Committed to the device like the step's outputs, so epoch 2 does not compile again.
        state = _state(model) if distribution is not None else jax.device_put(_state(model), device)
        epoch_batches = batches.epoch(batches.order(seed, epoch))
        trained = 0
        try:
            for index, batch in epoch_batches:
                callback_list.on_train_batch_begin(index)
                if model.stop_training:
                    break
                logs, state = step(state, batches.data, batch, constants)
                trained += 1
                callback_list.on_train_batch_end(index, logs)
                if model.stop_training:
                    break
        finally:
            epoch_batches.close()
        if not trained:  # stopped before this epoch's first batch: nothing to report
            break
        _sync(model, state)
        epoch_logs = {k: float(v) for k, v in model.get_metrics_result().items()}
        if validation is not None and not model.stop_training:
            epoch_logs.update(_evaluate(model, validation, transform, batch_size))
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return "resident" if batches.resident else "streamed"
