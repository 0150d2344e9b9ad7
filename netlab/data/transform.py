"""What training does to stored examples before the network sees them.

One description serves the host (NumPy, for validation, inspection and
TensorFlow) and the JAX loop, which applies the same float32 operations inside
its jitted step, on the device, to batches copied there as stored (uint8
pixels: a quarter of the bytes of float32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.data.dataset import Dataset, standardizer


@dataclass(frozen=True)
class InputTransform:
    """``(float32(x) * (1 / scale) - mean) / std``, each part only where it applies.

    Attributes:
        mean: Per-feature mean ``(1, ...)`` of the training split, ``None`` when
            training does not standardise.
        std: Per-feature standard deviation, ``None`` likewise.
        scale: The data set's :attr:`~netlab.data.Dataset.scale` (255 for uint8 pixels).
        to_float: False for token ids, which stay integers.
    """

    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    scale: float = 1.0
    to_float: bool = True

    @property
    def reciprocal(self) -> np.float32:
        """``1 / scale`` in float32: both sides multiply by it (XLA turns a division into
        this product, so dividing on the host would differ in the last bit)."""
        return np.float32(1) / np.float32(self.scale)

    @property
    def standardizes(self) -> bool:
        return self.mean is not None and self.std is not None

    def __call__(self, x_raw: Any) -> np.ndarray:
        """The examples as the network sees them, in NumPy (``x_raw`` itself for tokens)."""
        if not self.to_float:
            return np.asarray(x_raw)
        x = np.asarray(x_raw, dtype="float32")
        if self.scale != 1.0:
            x = x * self.reciprocal
        if self.mean is not None and self.std is not None:
            x = (x - self.mean) / self.std
        return x


def input_transform(dataset: Dataset, config: dict[str, Any]) -> InputTransform:
    """The transform training applies to ``dataset`` under ``config``.

    The statistics are those of the same training split (``validation_split``
    and ``seed`` of ``config``), so ``input_transform(d, c)(x_train_raw)``
    equals ``prepare_arrays(d, c)["x_train"]``.
    """
    if dataset.kind == "tokens":
        return InputTransform(to_float=False)
    if not config["standardize"]:
        return InputTransform(scale=dataset.scale)
    x_train, _, _, _ = dataset.split(config["validation_split"], config["seed"])
    mean, std = standardizer(x_train, dataset.scale)
    return InputTransform(mean, std, dataset.scale)
