"""History export and smoothing."""

import csv
import io

import numpy as np
import pytest

from netlab.errors import ExportError
from netlab.project import RunRecord
from netlab.training.history import Smoother, history_csv, smoothed, write_history_csv


def _records():
    first = RunRecord("run1", "first", {}, {}, epochs=[
        {"epoch": 0, "loss": 1.5, "accuracy": 0.5, "seconds": 1.0},
        {"epoch": 1, "loss": 0.75, "accuracy": 0.75, "seconds": 1.0}])
    second = RunRecord("run2", "second", {}, {}, epochs=[
        {"epoch": 0, "loss": 2.0, "val_loss": 2.5, "seconds": 2.0}])
    return [first, second]  # fmt: skip


def test_csv_has_one_row_per_run_and_epoch_with_every_metric():
    rows = list(csv.reader(io.StringIO(history_csv(_records()))))
    assert rows[0] == ["run", "name", "epoch", "loss", "accuracy", "seconds", "val_loss"]
    assert rows[1] == ["run1", "first", "1", "1.5", "0.5", "1", ""]
    assert rows[3] == ["run2", "second", "1", "2", "", "2", "2.5"]


def test_write_is_whole_or_refused(tmp_path):
    path = tmp_path / "history.csv"
    write_history_csv(path, _records())
    assert path.read_text() == history_csv(_records())
    with pytest.raises(ExportError, match="cannot write"):
        write_history_csv(tmp_path / "missing" / "h.csv", _records())


def test_smoothing_matches_a_bias_corrected_moving_average():
    values = np.array([1.0, 2.0, np.nan, 4.0])
    assert np.array_equal(smoothed(values, 0.0)[[0, 1, 3]], values[[0, 1, 3]])
    out = smoothed(values, 0.5)
    assert out[0] == 1.0  # bias correction: the first value is itself
    assert out[1] == pytest.approx((0.25 * 1 + 0.5 * 2) / 0.75)
    assert out[2] == pytest.approx((0.125 * 1 + 0.25 * 2 + 0.5 * 2) / 0.875)  # nan counts as 2
    assert out[3] == pytest.approx((0.0625 * 1 + 0.125 * 2 + 0.25 * 2 + 0.5 * 4) / 0.9375)


def test_smoothing_in_chunks_equals_the_plain_recurrence():
    rng = np.random.default_rng(0)
    values = rng.standard_normal(1000)
    average, expected = 0.0, []
    for i, value in enumerate(values):
        average = 0.9 * average + 0.1 * value
        expected.append(average / (1 - 0.9 ** (i + 1)))
    assert np.allclose(smoothed(values, 0.9, chunk=64), expected)


def test_smoothing_bit_by_bit_equals_smoothing_at_once():
    values = np.random.default_rng(1).standard_normal(700)
    values[[5, 300]] = np.nan
    smoother = Smoother(0.95)
    parts = [smoother.extend(values[a:b]) for a, b in ((0, 3), (3, 300), (300, 301), (301, 700))]
    assert np.allclose(np.concatenate(parts), smoothed(values, 0.95))
