"""The devices the Keras backend sees, and running on the one the user chose."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netlab.errors import TrainingError, first_line


@dataclass(frozen=True)
class Device:
    """One device: ``id`` is what configurations store (``cpu``, ``gpu:0``)."""

    id: str
    kind: str
    name: str
    memory_bytes: int | None = None

    def label(self) -> str:
        """``GPU 0: NVIDIA H100 (80 GiB)``-style text for menus."""
        memory = f" ({self.memory_bytes / 2**30:.0f} GiB)" if self.memory_bytes else ""
        return f"{self.name}{memory}"


def list_devices() -> list[Device]:
    """The CPU and every GPU the active backend can use."""
    import keras

    backend = keras.backend.backend()
    devices = [Device("cpu", "cpu", "CPU")]
    if backend == "tensorflow":
        import tensorflow as tf

        for i, gpu in enumerate(tf.config.list_physical_devices("GPU")):
            details = tf.config.experimental.get_device_details(gpu)
            devices.append(Device(f"gpu:{i}", "gpu", details.get("device_name", f"GPU {i}")))
    elif backend == "jax":
        import jax

        try:
            gpus = jax.devices("gpu")
        except RuntimeError:  # JAX raises when the platform is absent
            gpus = []
        for i, gpu in enumerate(gpus):
            stats = gpu.memory_stats() or {}
            devices.append(Device(f"gpu:{i}", "gpu", gpu.device_kind, stats.get("bytes_limit")))
    return devices


def _known(device_id: str) -> Device:
    devices = list_devices()
    for device in devices:
        if device.id == device_id:
            return device
    names = ", ".join(d.id for d in devices)
    raise TrainingError(f"unknown device {device_id!r}; this machine has: {names}")


@contextlib.contextmanager
def device_scope(device_id: str) -> Iterator[Any]:
    """Runs the block on ``device_id`` (``cpu``, ``gpu:N`` or ``all`` GPUs).

    Yields:
        For ``all``: the ``tf.distribute`` strategy (TensorFlow) or the
        ``keras.distribution.DataParallel`` (JAX); else ``None``.

    Raises:
        TrainingError: For a device this machine does not have.
    """
    import keras

    backend = keras.backend.backend()
    if device_id == "all" and backend == "jax":
        with data_parallel() as distribution:
            yield distribution
        return
    if device_id == "all":
        gpus = [d for d in list_devices() if d.kind == "gpu"]
        if not gpus:
            raise TrainingError("'all' GPUs asked for, but this machine has no GPU")
        if backend != "tensorflow":
            raise TrainingError("training on all GPUs needs the TensorFlow or JAX backend")
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            yield strategy
        return
    device = _known(device_id)
    index = int(device.id.split(":")[1]) if ":" in device.id else 0
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.device(f"/{device.kind.upper()}:{index}"):
            yield None
    elif backend == "jax":
        import jax

        with jax.default_device(jax.devices(device.kind)[index]):
            yield None
    else:
        yield None


@contextlib.contextmanager
def data_parallel() -> Iterator[Any]:
    """Keras's data parallelism over every device JAX sees (its GPUs, or forced host devices).

    The model built inside has its variables replicated on each device; the JAX
    loop splits every batch between them. Several machines: with
    ``KERAS_DISTRIBUTION_JOB_ADDRESSES``, ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and
    ``KERAS_DISTRIBUTION_PROCESS_ID`` set, ``keras.distribution.initialize()`` joins
    the processes (``jax.distributed``) and ``jax.devices()`` lists all of their
    devices; each process feeds its share of every batch (docs/training.md).

    Raises:
        TrainingError: When JAX sees a single CPU device only, or the processes
            cannot join.
    """
    import jax
    import keras

    if "KERAS_DISTRIBUTION_JOB_ADDRESSES" in os.environ and not jax.distributed.is_initialized():
        try:
            keras.distribution.initialize()
        except (RuntimeError, ValueError) as err:
            raise TrainingError(f"cannot join the other processes "
                                f"(KERAS_DISTRIBUTION_*): {first_line(err)}") from None  # fmt: skip
    devices = jax.devices()
    if devices[0].platform == "cpu" and len(devices) < 2:
        raise TrainingError("'all' GPUs asked for, but this machine has no GPU")
    distribution = keras.distribution.DataParallel(devices=devices)
    with distribution.scope():
        yield distribution
