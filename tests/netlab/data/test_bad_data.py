"""The user's own damaged or odd data: one line that says what and where, never a traceback."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from netlab.data import load_dataset
from netlab.errors import DataError


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def test_a_truncated_npz_is_named(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((100, 8)), y=np.arange(100) % 2)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(DataError) as err:
        load_dataset(str(path))
    assert _one_line(err).startswith(f"{path}: cannot read the arrays (damaged or truncated?)")


def test_an_npz_of_single_numbers_is_named(tmp_path):
    path = tmp_path / "scalars.npz"
    np.savez(path, x=np.float32(3.0), y=np.int64(1))
    with pytest.raises(DataError) as err:
        load_dataset(str(path))
    assert "x and y must hold one entry per example; x has shape () and y ()" in _one_line(err)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_values_are_named_as_such(tmp_path, bad):
    x = np.ones((50, 3), "float32")
    x[17, 2] = bad
    x[30, 0] = bad
    path = tmp_path / "data.npz"
    np.savez(path, x=x, y=np.arange(50) % 2)
    with pytest.raises(DataError) as err:
        load_dataset(str(path))
    assert ("x holds NaN or infinite values in 2 examples (the first is example 17); remove "
            "or fill them before training") in _one_line(err)  # fmt: skip


def test_nan_in_a_csv_is_named(tmp_path):
    path = tmp_path / "table.csv"
    rows = ["a,b,label"] + [f"{i},{i * 2},{i % 2}" for i in range(20)] + ["nan,1,0"]
    path.write_text("\n".join(rows))
    with pytest.raises(DataError, match="NaN or infinite values in 1 example \\(the first is "
                                        "example 20\\)"):  # fmt: skip
        load_dataset(str(path))


def _huge_png(path, width, height):
    """A PNG whose header claims ``width`` x ``height`` pixels (the data is not there)."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("side", "message"), [
    (8_000, "8000x8000 pixels is too large an image (64 megapixels; NetLab reads up to 40)"),
    (13_400, "too large an image (more than 179 megapixels; NetLab reads up to 40)"),
])  # fmt: skip
def test_a_huge_image_is_refused_before_decoding(tmp_path, side, message):
    for label in ("cats", "dogs"):
        (tmp_path / label).mkdir()
        Image.new("RGB", (8, 8)).save(tmp_path / label / "small.png")
    _huge_png(tmp_path / "dogs" / "huge.png", side, side)
    with pytest.raises(DataError) as err:
        load_dataset(str(tmp_path))
    assert _one_line(err) == f"{tmp_path / 'dogs' / 'huge.png'}: {message}"
