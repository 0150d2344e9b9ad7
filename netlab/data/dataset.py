"""A data set in memory: examples, labels, and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netlab.data.rows import Rows, chunks, is_lazy
from netlab.errors import DataError


def _check_finite(name: str, label: str, values: np.ndarray) -> None:
    """Raises unless every value is a finite number (training on NaN only makes NaN)."""
    if values.dtype.kind != "f":
        return
    finite = np.concatenate([np.isfinite(chunk.reshape(len(chunk), -1)).all(axis=1)
                             for chunk in chunks(values)])  # fmt: skip
    if not finite.all():
        first = int(np.argmin(finite))
        count = int((~finite).sum())
        raise DataError(f"{name}: {label} holds NaN or infinite values in {count:,} example"
                        f"{'s' * (count != 1)} (the first is example {first}); remove or "
                        "fill them before training")  # fmt: skip


@dataclass
class Dataset:
    """Examples ``x`` and labels ``y`` with the facts the GUI checks against a graph.

    Attributes:
        name: Shown to the user.
        x: Examples, shape ``(n, *input_shape)``.
        y: Class indices ``(n,)`` (classification) or targets ``(n, k)``.
        task: ``"classification"`` or ``"regression"``.
        class_names: One per class, for classification.
        kind: ``"image"``, ``"points"``, ``"tokens"`` or ``"table"``: how to preview it.
        vocab_size: For token data, the number of distinct ids.
        description: Where it comes from, in one or two sentences.
        scale: The network sees ``x / scale``: 255 for images kept as uint8 pixels (a
            quarter of the memory of float32; converted on the device), else 1.
            ``x`` may be memory-mapped (a file larger than memory).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    task: str = "classification"
    class_names: list[str] = field(default_factory=list)
    kind: str = "table"
    vocab_size: int | None = None
    description: str = ""
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.x.ndim < 1 or self.y.ndim < 1:
            raise DataError(f"{self.name}: x and y must hold one entry per example, but x has "
                            f"shape {self.x.shape} and y {self.y.shape}")  # fmt: skip
        if len(self.x) != len(self.y):
            raise DataError(f"{self.name}: {len(self.x)} examples but {len(self.y)} labels")
        if len(self.x) < 2:
            raise DataError(f"{self.name}: needs at least 2 examples, has {len(self.x)}")
        for label, values in (("x", self.x), ("y", self.y)):
            _check_finite(self.name, label, values)
        if self.task == "classification" and not self.class_names:
            self.class_names = [str(c) for c in range(int(self.y.max()) + 1)]
        if not self.scale > 0:
            raise DataError(f"{self.name}: scale must be positive, got {self.scale}")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example."""
        return tuple(int(d) for d in self.x.shape[1:])

    @property
    def storage(self) -> str:
        """How the examples are held, for the data's description.

        ``"stored as uint8, scaled by 1/255"``, ``"stored as float32, memory-mapped:
        read batch by batch"``.
        """
        parts = [f"stored as {self.x.dtype}"]
        if self.scale != 1.0:
            parts.append(f"scaled by 1/{self.scale:g}")
        if is_lazy(self.x):
            parts.append("memory-mapped: read batch by batch")
        return ", ".join(parts)

    @property
    def num_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.class_names) if self.task == "classification" else 0

    @property
    def output_width(self) -> int:
        """Width of the network output this data needs."""
        return self.num_classes if self.task == "classification" else int(np.prod(self.y.shape[1:]))

    def split(
        self, validation: float, seed: int
    ) -> tuple[np.ndarray | Rows, np.ndarray, np.ndarray | Rows, np.ndarray]:
        """Shuffles with ``seed`` and returns ``x_train, y_train, x_val, y_val``.

        Classification splits keep each class's share (stratified). A memory-mapped
        ``x`` is not read: its parts are :class:`~netlab.data.rows.Rows` of it.
        """
        if not 0.0 <= validation < 1.0:
            raise DataError(f"validation split must be in [0, 1), got {validation}")
        rng = np.random.default_rng(seed)
        if self.task == "classification":
            val_idx = []
            for label in np.unique(self.y):
                idx = rng.permutation(np.flatnonzero(self.y == label))
                val_idx.append(idx[: int(round(len(idx) * validation))])
            val = np.concatenate(val_idx) if val_idx else np.array([], dtype=int)
        else:
            val = rng.permutation(len(self.x))[: int(round(len(self.x) * validation))]
        mask = np.zeros(len(self.x), bool)
        mask[val] = True
        train = rng.permutation(np.flatnonzero(~mask))
        val = rng.permutation(np.flatnonzero(mask))
        if is_lazy(self.x):
            return Rows(self.x, train), self.y[train], Rows(self.x, val), self.y[val]
        return self.x[train], self.y[train], self.x[val], self.y[val]


def standardizer(x_train: np.ndarray | Rows, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the training examples ``x_train / scale``, per feature.

    Applying ``(x - mean) / std`` to training and validation data alike avoids
    leaking validation statistics. Constant features get ``std = 1``. Examples
    read from a file are summed chunk by chunk (in float64), never all at once.
    """
    if is_lazy(x_train):
        mean, std = _moments_by_chunks(x_train, scale)
    else:
        features = np.asarray(x_train, dtype="float32")
        features = features * (np.float32(1) / np.float32(scale)) if scale != 1.0 else features
        mean = features.mean(axis=0, keepdims=True)
        std = features.std(axis=0, keepdims=True)
    return mean.astype("float32"), np.where(std > 1e-8, std, 1.0).astype("float32")


def _moments_by_chunks(x: Rows | np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of ``x / scale`` over the examples, two passes in float64."""
    mean = np.zeros((1, *x.shape[1:]), "float64")
    for chunk in chunks(x):
        mean += (chunk.astype("float64") / scale).sum(axis=0, keepdims=True)
    mean /= max(1, len(x))
    squares = np.zeros_like(mean)
    for chunk in chunks(x):
        squares += ((chunk.astype("float64") / scale - mean) ** 2).sum(axis=0, keepdims=True)
    return mean, np.sqrt(squares / max(1, len(x)))
