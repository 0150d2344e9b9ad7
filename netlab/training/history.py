"""Training history as tables: the per-epoch CSV export and smoothing of noisy curves."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from netlab.errors import ExportError
from netlab.fileutil import atomic_write
from netlab.project import RunRecord


def history_csv(records: Sequence[RunRecord]) -> str:
    """One row per run and epoch: run id, run name, epoch (from 1), then every metric."""
    names: list[str] = []
    for record in records:
        for epoch in record.epochs:
            names += [k for k in epoch if k not in ("epoch", *names)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "name", "epoch", *names])
    for record in records:
        for epoch in record.epochs:
            values = [f"{epoch[k]:.6g}" if k in epoch else "" for k in names]
            writer.writerow([record.id, record.name, int(epoch["epoch"]) + 1, *values])
    return out.getvalue()


def write_history_csv(path: str | Path, records: Sequence[RunRecord]) -> None:
    """Writes :func:`history_csv` to ``path`` (whole or not at all).

    Raises:
        ExportError: If the file cannot be written.
    """
    text = history_csv(records)
    try:
        atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    except OSError as err:
        raise ExportError(f"{path}: cannot write: {err.strerror or err}") from None


def _filled(values: Sequence[float] | np.ndarray, last: float) -> np.ndarray:
    """``values`` with each non-finite entry replaced by the last finite one before it."""
    x = np.asarray(values, dtype="float64")
    bad = ~np.isfinite(x)
    if not bad.any():
        return x
    x = np.concatenate([[last], x])
    index = np.where(np.concatenate([[False], bad]), 0, np.arange(len(x)))
    np.maximum.accumulate(index, out=index)
    return x[index][1:]


class Smoother:
    """Exponential moving average with bias correction (TensorBoard's smoothing).

    Feed values as they come with :meth:`extend`; only the new ones are
    computed, in vectorised chunks, so a live curve of a million batches stays
    cheap. A non-finite value counts as the last finite one before it.
    """

    def __init__(self, weight: float, chunk: int = 256) -> None:
        self.weight, self.count, self.state, self.last = weight, 0, 0.0, 0.0
        k = np.arange(chunk)
        self._k = k
        self._powers = np.tril(weight ** np.clip(k[:, None] - k[None, :], 0, None))

    def extend(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """The smoothed values of ``values``, continuing from what came before."""
        x = _filled(values, self.last)
        if len(x) == 0:
            return x
        self.last = float(x[-1])
        w = self.weight
        if w <= 0:
            self.count += len(x)
            return x
        out = np.empty_like(x)
        for start in range(0, len(x), len(self._k)):
            part = x[start:start + len(self._k)]
            n = len(part)
            raw = w ** (self._k[:n] + 1) * self.state + (1 - w) * self._powers[:n, :n] @ part
            out[start:start + n] = raw
            self.state = float(raw[-1])
        counts = np.arange(self.count + 1, self.count + len(x) + 1)
        self.count += len(x)
        return out / (1 - w**counts)


def smoothed(values: Sequence[float] | np.ndarray, weight: float, chunk: int = 256) -> np.ndarray:
    """All of ``values`` smoothed at once (see :class:`Smoother`)."""
    return Smoother(weight, chunk).extend(values)
