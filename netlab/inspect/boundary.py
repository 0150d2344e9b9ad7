"""The decision boundary of a classifier of 2-D points, as TensorFlow Playground draws it.

The plane around the data is cut into a grid; the model predicts every grid
point (one forward pass, no ``predict`` loop), and for a small MLP every hidden
unit's activation over the plane comes from the same pass. Cheap enough to
redraw after every epoch.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.data import Dataset
from netlab.data.transform import input_transform
from netlab.errors import InspectError
from netlab.graph.model import Graph
from netlab.inspect._common import layer_inputs, to_numpy
from netlab.inspect.evaluation import _as_probabilities

BATCH = 16384  # grid points per forward pass: 100x100 is one; memory stays flat at 400x400

# model -> {max_hidden_units: (hidden layer names, model returning [output, *hidden])}
_GRID_MODELS: weakref.WeakKeyDictionary[Any, dict[int, tuple[list[str], Any]]] = (
    weakref.WeakKeyDictionary()
)


def is_planar(dataset: Dataset) -> bool:
    """Whether ``dataset`` is a classification of points given by 2 numeric features."""
    x = dataset.x
    return (
        dataset.task == "classification"
        and dataset.kind != "tokens"
        and x.ndim == 2
        and x.shape[1] == 2
        and x.dtype.kind in "fiu"
    )


def grid_points(
    x_raw: Any, resolution: int = 100, margin: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid over the data's range, widened by ``margin`` of it on every side.

    Args:
        x_raw: Points ``(n, 2)`` in raw (not standardised) coordinates.
        resolution: Grid points along each axis.
        margin: Fraction of each axis's range added below and above it; an axis
            where all points agree spans ``margin`` around that value.

    Returns:
        ``(xs, ys, points)``: float32 ``xs`` and ``ys`` ``(resolution,)``,
        increasing, and ``points`` ``(resolution ** 2, 2)`` in row-major order:
        point ``i * resolution + j`` is ``(xs[j], ys[i])``, so row ``i`` is
        ``ys[i]`` and column ``j`` is ``xs[j]``.

    Raises:
        InspectError: If the points are not ``(n, 2)`` finite numbers or the
            resolution or margin is out of range.
    """
    x = np.asarray(x_raw, dtype="float64")
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise InspectError(None, f"a decision grid needs points of shape (n, 2), not {x.shape}")
    if not np.isfinite(x).all():
        raise InspectError(None, "the points hold NaN or infinite values")
    if resolution < 2 or margin < 0:
        raise InspectError(None, f"resolution must be >= 2 and margin >= 0, not {resolution} "
                           f"and {margin}")  # fmt: skip
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - margin * span, high + margin * span
    xs = np.linspace(low[0], high[0], resolution).astype("float32")
    ys = np.linspace(low[1], high[1], resolution).astype("float32")
    grid_x, grid_y = np.meshgrid(xs, ys)  # "xy" indexing: rows follow ys
    return xs, ys, np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)


@dataclass
class DecisionGrid:
    """A classifier's class probabilities over a grid of the plane.

    Attributes:
        xs: The grid's x coordinates ``(res,)`` in raw units, increasing.
        ys: The grid's y coordinates ``(res,)``, increasing.
        probabilities: float32 ``(res, res, k)``; ``[i, j]`` is the point
            ``(xs[j], ys[i])``.
        class_names: One name per class.
        hidden: Per hidden Dense layer, in model order, its name and the
            activations ``(units, res, res)`` of its units (after its activation,
            or after an activation layer that alone follows it); empty for
            models that are not small MLPs.
    """

    xs: np.ndarray
    ys: np.ndarray
    probabilities: np.ndarray
    class_names: list[str]
    hidden: list[tuple[str, np.ndarray]]

    @property
    def predicted(self) -> np.ndarray:
        """The most probable class at every grid point, int ``(res, res)``."""
        return self.probabilities.argmax(axis=-1)


def _activated(model: Any, layer: Any) -> Any:
    """The layer's output, or that of an activation layer that is its only consumer."""
    import keras

    activations = (
        keras.layers.Activation,
        keras.layers.ReLU,
        keras.layers.LeakyReLU,
        keras.layers.ELU,
        keras.layers.PReLU,
        keras.layers.Softmax,
    )
    consumers = [
        other
        for other in model.layers
        if not isinstance(other, keras.layers.InputLayer)
        and any(t is layer.output for t in layer_inputs(other))
    ]
    if len(consumers) == 1 and isinstance(consumers[0], activations):
        return consumers[0].output
    return layer.output


def hidden_dense_layers(model: Any) -> list[Any]:
    """The model's Dense layers with a ``(batch, units)`` output, but the last (the classifier)."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return [layer for layer in dense[:-1] if len(layer.output.shape) == 2]


def _grid_model(model: Any, max_hidden_units: int) -> tuple[list[str], Any]:
    """The cached model returning the output and (for a small MLP) the hidden activations."""
    per_model = _GRID_MODELS.setdefault(model, {})
    if max_hidden_units in per_model:
        return per_model[max_hidden_units]
    import keras

    hidden = hidden_dense_layers(model)
    if sum(int(layer.output.shape[-1]) for layer in hidden) > max_hidden_units:
        hidden = []
    outputs = [model.outputs[0], *(_activated(model, layer) for layer in hidden)]
    sub = keras.Model(model.inputs[0], outputs, name=f"{model.name}_decision_grid")
    per_model[max_hidden_units] = ([layer.name for layer in hidden], sub)
    return per_model[max_hidden_units]


def _check_planar_model(model: Any, class_names: Sequence[str]) -> None:
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        counts = f"{len(model.inputs)} inputs and {len(model.outputs)} outputs"
        raise InspectError(None, f"the model has {counts}; a decision grid needs one of each")
    shape = tuple(model.inputs[0].shape[1:])
    if shape not in ((2,), (None,)):
        raise InspectError(None, f"the model takes examples of shape {shape}, not 2-D points")
    if len(class_names) < 2:
        raise InspectError(None, f"a decision grid needs 2 or more classes, not {len(class_names)}")


def decision_grid(
    model: Any,
    x_raw: Any,
    transform: Callable[[np.ndarray], np.ndarray],
    class_names: Sequence[str],
    resolution: int = 100,
    max_hidden_units: int = 64,
) -> DecisionGrid:
    """The classifier's probabilities (and hidden units) over the plane around the data.

    Args:
        model: A classifier of 2-D points with one input and one output:
            softmax probabilities, logits, or one sigmoid unit for two classes.
        x_raw: The data's points ``(n, 2)`` in raw units; they set the grid's
            range (see :func:`grid_points`).
        transform: Raw points to what the model takes, as in training
            (:func:`input_transform`).
        class_names: One name per class.
        resolution: Grid points along each axis.
        max_hidden_units: Hidden maps are computed when the hidden Dense layers
            (:func:`hidden_dense_layers`) have at most this many units together.

    Returns:
        The :class:`DecisionGrid`.

    Raises:
        InspectError: If the model does not classify 2-D points into the classes
            or the points or grid settings are out of range.
    """
    _check_planar_model(model, class_names)
    xs, ys, points = grid_points(x_raw, resolution)
    x = np.asarray(transform(points)).astype(model.inputs[0].dtype)
    names, sub = _grid_model(model, max_hidden_units)
    parts: list[list[np.ndarray]] = [[] for _ in range(len(names) + 1)]
    for start in range(0, len(x), BATCH):
        values = sub(x[start : start + BATCH], training=False)
        values = values if isinstance(values, (list, tuple)) else [values]
        for part, value in zip(parts, values, strict=True):
            part.append(to_numpy(value))
    outputs, *hidden = (np.concatenate(part) for part in parts)
    # Why once on all points: the softmax-or-logits check must decide alike for every batch.
    probabilities = _as_probabilities(outputs, len(class_names)).astype("float32")
    res = len(xs)
    maps = [
        (name, h.astype("float32").T.reshape(-1, res, res))
        for name, h in zip(names, hidden, strict=True)
    ]
    return DecisionGrid(
        xs, ys, probabilities.reshape(res, res, -1), [str(n) for n in class_names], maps
    )


class BoundaryTracker:
    """Follows a run's decision boundary: builds the network once, then takes its weights.

    Why apart from the run: training runs in its own process and hands over each
    epoch's weights; drawing the grid here, on the reader's side, costs the run
    nothing but a share of the CPU (``bench/boundary_overhead.py``).

    Args:
        graph: The network being trained.
        dataset: Its planar data set.
        config: The training configuration (the same standardisation is applied).
        resolution: Grid points per axis.

    Raises:
        InspectError: If the data set is not planar.
    """

    def __init__(self, graph: Graph, dataset: Dataset, config: dict[str, Any],
                 resolution: int = 100) -> None:  # fmt: skip
        if not is_planar(dataset):
            raise InspectError(None, "the decision boundary needs a classification of 2-D points")
        self.graph, self.dataset, self.resolution = graph.copy(), dataset, resolution
        self.transform = input_transform(dataset, config)
        self.model: Any = None

    def update(self, weights: dict[str, list[np.ndarray]] | None) -> DecisionGrid:
        """The grid for ``weights`` by layer name (``None``: the weights as they are)."""
        from netlab.graph.builder import build_model, load_layer_weights

        if self.model is None:
            self.model = build_model(self.graph)
        for name, arrays in (weights or {}).items():
            try:
                layer = self.model.get_layer(name)
            except ValueError:
                continue
            load_layer_weights(layer, arrays)
        return decision_grid(self.model, self.dataset.x, self.transform,
                             self.dataset.class_names, self.resolution)  # fmt: skip
