"""Training history as tables: the per-epoch CSV export and smoothing of noisy curves."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from netlab.errors import ExportError
from netlab.fileutil import atomic_write
from netlab.project import RunRecord


def gradient_series(record: RunRecord) -> dict[str, Any] | None:
    """A run's gradient norms and update ratios as plain lists (``None``: not recorded).

    ``layers`` names the columns; ``step``, ``grad_norm`` and ``update_ratio`` hold one
    entry (a row per layer for the last two) per record.
    """
    stats = record.layer_stats
    if "grad_norm" not in stats:
        return None
    return {"layers": list(stats["layers"]), "step": stats["step"].tolist(),
            "epoch": stats["epoch"].tolist(), "grad_norm": stats["grad_norm"].tolist(),
            "update_ratio": stats["update_ratio"].tolist()}  # fmt: skip


def epoch_layer_means(record: RunRecord) -> list[dict[str, float]]:
    """Per epoch, the mean gradient norm and update ratio of each layer over its records.

    Keys are ``grad_norm[<layer>]`` and ``update_ratio[<layer>]``; an epoch without
    records (or a run without them) gets an empty dict.
    """
    stats = record.layer_stats
    means: list[dict[str, float]] = [{} for _ in record.epochs]
    if "grad_norm" not in stats:
        return means
    for row, epoch in zip(means, record.epochs, strict=True):
        chosen = stats["epoch"] == int(epoch["epoch"])
        if not chosen.any():
            continue
        for key in ("grad_norm", "update_ratio"):
            values = stats[key][chosen].mean(axis=0)
            row.update({f"{key}[{name}]": float(v)
                        for name, v in zip(stats["layers"], values, strict=True)})  # fmt: skip
    return means


def history_csv(records: Sequence[RunRecord]) -> str:
    """One row per run and epoch: run id, run name, epoch (from 1), then every metric.

    After the metrics come each layer's mean gradient norm and update ratio of the
    epoch (:func:`epoch_layer_means`), where the run recorded them.
    """
    names: list[str] = []
    rows = []
    for record in records:
        for epoch, layers in zip(record.epochs, epoch_layer_means(record), strict=True):
            row = {**epoch, **layers}
            names += [k for k in row if k not in ("epoch", *names)]
            rows.append((record, row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "name", "epoch", *names])
    for record, row in rows:
        values = [f"{row[k]:.6g}" if k in row else "" for k in names]
        writer.writerow([record.id, record.name, int(row["epoch"]) + 1, *values])
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
