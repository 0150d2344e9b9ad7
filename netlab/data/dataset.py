"""A data set in memory: examples, labels, and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netlab.errors import DataError


def _check_finite(name: str, label: str, values: np.ndarray) -> None:
    """Raises unless every value is a finite number (training on NaN only makes NaN)."""
    if values.dtype.kind != "f":
        return
    finite = np.isfinite(values.reshape(len(values), -1)).all(axis=1)
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
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    task: str = "classification"
    class_names: list[str] = field(default_factory=list)
    kind: str = "table"
    vocab_size: int | None = None
    description: str = ""

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

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example."""
        return tuple(int(d) for d in self.x.shape[1:])

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
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shuffles with ``seed`` and returns ``x_train, y_train, x_val, y_val``.

        Classification splits keep each class's share (stratified).
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
        return self.x[train], self.y[train], self.x[val], self.y[val]


def standardizer(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the training examples, per input feature.

    Applying ``(x - mean) / std`` to training and validation data alike avoids
    leaking validation statistics. Constant features get ``std = 1``.
    """
    mean = x_train.mean(axis=0, keepdims=True)
    std = x_train.std(axis=0, keepdims=True)
    return mean.astype("float32"), np.where(std > 1e-8, std, 1.0).astype("float32")
