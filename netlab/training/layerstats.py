"""Per-layer statistics of a run: gradient norms and update ratios inside the step.

Why inside the step: a second backward pass would double the cost of every
recorded step. Here the optimizer that applies the gradients also measures,
every ``every`` steps, each layer's gradient norm ``||g||`` and update ratio
``||w_after - w_before|| / ||w_before||``, and writes them into one row of a
small buffer that lives with the optimizer's variables. The buffer is read once
an epoch, when the weights are still: the recording adds no host transfer to
any step. It works on TensorFlow (inside ``tf.function``/XLA) and JAX (inside the
jitted stateless step), since both call the optimizer's ``apply``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Rows recorded per epoch when the configuration leaves the interval to NetLab.
RECORDS_PER_EPOCH = 20
#: Added to a weight norm before dividing: a layer initialised at zero has no ratio.
EPSILON = 1e-12


def record_interval(steps_per_epoch: int) -> int:
    """Steps between two records: about :data:`RECORDS_PER_EPOCH` per epoch."""
    return max(1, math.ceil(steps_per_epoch / RECORDS_PER_EPOCH))


def layer_groups(model: Any) -> tuple[list[str], list[str]]:
    """The layers with trainable weights, and the layer each trainable variable belongs to.

    Returns:
        ``(names, owners)``: layer names in model order, and for each of
        ``model.trainable_variables`` the name of its top-level layer.
    """
    owner_of: dict[int, str] = {}
    names: list[str] = []
    for layer in model.layers:
        variables = layer.trainable_variables
        if variables:
            names.append(layer.name)
        for variable in variables:
            owner_of.setdefault(id(variable), layer.name)
    owners = [owner_of.get(id(v), "") for v in model.trainable_variables]
    return names, owners


class _Recorder:
    """Mixed into a Keras optimizer class: measures each layer in its ``apply``."""

    _netlab_layers: list[str]
    _netlab_owner: dict[str, int]
    _netlab_every: int
    _netlab_steps: int
    _netlab_buffer: Any

    def build(self, variables: list[Any]) -> None:
        super().build(variables)  # type: ignore[misc]
        rows = math.ceil(self._netlab_steps / self._netlab_every)
        self._netlab_buffer = self.add_variable(  # type: ignore[attr-defined]
            (rows, 2, len(self._netlab_layers)), initializer="zeros", name="netlab_layer_stats"
        )

    def apply(self, grads: list[Any], trainable_variables: list[Any] | None = None) -> None:
        from keras import ops

        known = list(self._trainable_variables if trainable_variables is None  # type: ignore[attr-defined]
                     else trainable_variables)  # fmt: skip
        before = [ops.copy(v.value) for v in known]  # TensorFlow: a read now, not the variable
        step = ops.copy(self.iterations.value)  # type: ignore[attr-defined]
        super().apply(grads, trainable_variables)  # type: ignore[misc]
        local = step % self._netlab_steps
        row = local // self._netlab_every
        due = ops.equal(local % self._netlab_every, 0)
        buffer = self._netlab_buffer

        def measured() -> Any:
            stats = self._measure(grads, known, before)
            rows = ops.arange(buffer.shape[0]) == ops.cast(row, "int32")
            return ops.where(rows[:, None, None], stats[None], buffer.value)

        buffer.assign(ops.cond(due, measured, lambda: buffer.value))

    def _measure(self, grads: list[Any], variables: list[Any], before: list[Any]) -> Any:
        from keras import ops

        count = len(self._netlab_layers)
        sums = [[ops.zeros((), "float32")] * count for _ in range(3)]  # grad², change², weight²
        for grad, variable, old in zip(grads, variables, before, strict=True):
            index = self._netlab_owner.get(variable.path)
            if index is None:
                continue
            old = ops.cast(old, "float32")
            new = ops.cast(variable.value, "float32")
            if grad is not None:
                sums[0][index] = sums[0][index] + ops.sum(ops.square(ops.cast(grad, "float32")))
            sums[1][index] = sums[1][index] + ops.sum(ops.square(new - old))
            sums[2][index] = sums[2][index] + ops.sum(ops.square(old))
        grad_norm = ops.sqrt(ops.stack(sums[0]))
        ratio = ops.sqrt(ops.stack(sums[1])) / (ops.sqrt(ops.stack(sums[2])) + EPSILON)
        return ops.stack([grad_norm, ratio])


_CLASSES: dict[type, type] = {}


def recording(optimizer: Any, model: Any, steps_per_epoch: int, every: int) -> Any:
    """A copy of ``optimizer`` that records each layer of ``model`` every ``every`` steps.

    Call before ``model.compile``; build it with ``optimizer.build(model.trainable_variables)``.
    """
    base = type(optimizer)
    cls: Any = _CLASSES.setdefault(base, type(base.__name__, (_Recorder, base), {}))
    copy = cls.from_config(optimizer.get_config())
    names, owners = layer_groups(model)
    index = {name: i for i, name in enumerate(names)}
    copy._netlab_layers = names
    copy._netlab_owner = {v.path: index[o] for v, o in
                          zip(model.trainable_variables, owners, strict=True) if o in index}
    copy._netlab_every = every
    copy._netlab_steps = steps_per_epoch
    return copy


def read_epoch(optimizer: Any, batches: int) -> np.ndarray | None:
    """The rows recorded this epoch, ``(records, 2, layers)``: gradient norm, update ratio.

    ``batches`` is how many steps of the epoch ran (fewer when it was stopped).
    """
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # mixed_float16 wraps it
    buffer = getattr(inner, "_netlab_buffer", None)
    if buffer is None or batches <= 0:
        return None
    rows = math.ceil(batches / inner._netlab_every)
    return np.asarray(buffer.numpy(), "float32")[:rows]


@dataclass
class LayerSeries:
    """Gradient norms and update ratios of each layer, as a run records them.

    Attributes:
        layers: Layer (node) names, the columns.
        step: ``(m,)`` global step of each record.
        epoch: ``(m,)`` epoch of each record (from 0).
        grad_norm: ``(m, layers)`` gradient norm of each layer.
        update_ratio: ``(m, layers)`` ``||Δw|| / ||w||`` of each layer.
    """

    layers: list[str]
    step: list[int] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)
    grad_norm: list[np.ndarray] = field(default_factory=list)
    update_ratio: list[np.ndarray] = field(default_factory=list)

    def add_epoch(self, epoch: int, steps_per_epoch: int, every: int, rows: np.ndarray) -> None:
        """Appends one epoch's records (from :func:`read_epoch`)."""
        for i, row in enumerate(rows):
            self.step.append(epoch * steps_per_epoch + i * every)
            self.epoch.append(epoch)
            self.grad_norm.append(row[0])
            self.update_ratio.append(row[1])

    def arrays(self) -> dict[str, Any]:
        """The form a :class:`~netlab.project.RunRecord` keeps: names and arrays."""
        width = len(self.layers)
        return {
            "layers": list(self.layers),
            "step": np.asarray(self.step, "int64"),
            "epoch": np.asarray(self.epoch, "int64"),
            "grad_norm": np.asarray(self.grad_norm, "float32").reshape(-1, width),
            "update_ratio": np.asarray(self.update_ratio, "float32").reshape(-1, width),
        }
