"""Joining a multi-worker cluster: ``TF_CONFIG``, the devices and the strategy.

``TF_CONFIG`` is TensorFlow's own description of the cluster (JSON with the
``cluster`` addresses and this process's ``task``); it is checked here, before
TensorFlow starts, so a mistake is a one-line error rather than a hang.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from netlab.errors import TrainingError

HOW_TO_SET = (
    'set it on every machine to JSON like {"cluster": {"worker": ["host1:12345", '
    '"host2:12345"]}, "task": {"type": "worker", "index": 0}} (see docs/training.md)'
)


@dataclass(frozen=True)
class Cluster:
    """The cluster that ``TF_CONFIG`` describes, and this process's place in it."""

    jobs: dict[str, list[str]]
    task_type: str
    task_index: int

    @property
    def is_chief(self) -> bool:
        """Whether this process saves the results: ``chief`` 0, else ``worker`` 0."""
        if "chief" in self.jobs:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0

    @property
    def size(self) -> int:
        """How many processes train together."""
        return sum(len(addresses) for addresses in self.jobs.values())


def _addresses(cluster: Any) -> dict[str, list[str]]:
    if not isinstance(cluster, dict) or not isinstance(cluster.get("worker"), list):
        raise TrainingError(f'TF_CONFIG has no "cluster": {{"worker": [...]}} list; {HOW_TO_SET}')
    jobs: dict[str, list[str]] = {}
    for job, addresses in cluster.items():
        if job not in ("chief", "worker"):
            raise TrainingError(f"TF_CONFIG: job {job!r} is not supported; use chief and worker")
        good = isinstance(addresses, list) and all(
            isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses
        )
        if not good or not addresses:
            raise TrainingError(f'TF_CONFIG: "cluster"."{job}" must list "host:port" addresses')
        jobs[job] = list(addresses)
    return jobs


def read_cluster(environ: dict[str, str] | None = None) -> Cluster:
    """Reads and checks ``TF_CONFIG`` (from ``environ``, default the process's environment).

    Raises:
        TrainingError: If it is missing or malformed; the message says how to set it.
    """
    text = (os.environ if environ is None else environ).get("TF_CONFIG", "").strip()
    if not text:
        raise TrainingError(f"multi-worker training needs TF_CONFIG: {HOW_TO_SET}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise TrainingError(f"TF_CONFIG is not valid JSON ({err.msg}); {HOW_TO_SET}") from err
    if not isinstance(value, dict):
        raise TrainingError(f"TF_CONFIG must be a JSON object; {HOW_TO_SET}")
    jobs = _addresses(value.get("cluster"))
    task = value.get("task")
    if not isinstance(task, dict) or task.get("type") not in jobs:
        raise TrainingError(f'TF_CONFIG: "task"."type" must be one of {sorted(jobs)}; {HOW_TO_SET}')
    index, count = task.get("index"), len(jobs[task["type"]])
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise TrainingError(
            f'TF_CONFIG: "task"."index" must be a whole number from 0 to {count - 1}, '
            f"got {index!r}"
        )
    return Cluster(jobs, task["type"], index)


_strategies: dict[str, Any] = {}


def _hide_other_devices(device: str) -> None:
    """Makes only the configured device visible; TensorFlow allows it before its first op."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    chosen = {"cpu": [], "all": gpus}.get(device)
    if chosen is None:
        index = int(device[4:]) if device.startswith("gpu:") and device[4:].isdigit() else -1
        if not 0 <= index < len(gpus):
            raise TrainingError(f"unknown device {device!r}; this machine has {len(gpus)} GPUs")
        chosen = [gpus[index]]
    try:
        tf.config.set_visible_devices(chosen, "GPU")
    except RuntimeError as err:  # TensorFlow had already started: keep what it sees
        if gpus and len(tf.config.get_visible_devices("GPU")) != len(chosen):
            raise TrainingError(
                f"device {device!r} must be chosen before TensorFlow starts"
            ) from err


@contextmanager
def strategy_scope(device: str) -> Iterator[Any]:
    """Joins the cluster of ``TF_CONFIG`` (once per process) and enters its scope.

    Yields:
        The ``tf.distribute.MultiWorkerMirroredStrategy``.

    Raises:
        TrainingError: For a bad ``TF_CONFIG``, a backend other than TensorFlow or
            an unknown device; and, from the block, for a TensorFlow error of the
            cluster (a worker died or cannot be reached).
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise TrainingError("multi-worker training needs the TensorFlow backend "
                            "(set KERAS_BACKEND=tensorflow)")  # fmt: skip
    import tensorflow as tf

    key = os.environ.get("TF_CONFIG", "")
    if key not in _strategies:
        read_cluster()
        if _strategies:  # TensorFlow joins one cluster per process
            raise TrainingError("this process already joined another multi-worker cluster")
        _hide_other_devices(device)
        _strategies[key] = tf.distribute.MultiWorkerMirroredStrategy()
    try:
        with _strategies[key].scope():
            yield _strategies[key]
    except tf.errors.OpError as err:  # from a collective: a worker died or cannot be reached
        raise TrainingError(_cluster_failure(err)) from err


def _cluster_failure(err: Exception) -> str:
    """A one-line reason for a TensorFlow error raised by the cluster's collectives."""
    text = re.sub(r"\{\{.*?\}\}\s*", "", str(getattr(err, "message", err))).strip()
    first = text.splitlines()[0].strip() if text else ""
    return (f"the cluster failed ({type(err).__name__}: {first[:160]}); check that every "
            "worker is running and can reach the others")  # fmt: skip
