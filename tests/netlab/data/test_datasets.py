"""Built-in, online and user data sets, with their bad inputs."""

import urllib.error

import numpy as np
import pytest
from PIL import Image

from netlab.data import BUILTIN, load_dataset, standardizer
from netlab.errors import DataError


def test_digits_are_the_shipped_1797_images():
    digits = load_dataset("digits")
    assert digits.x.shape == (1797, 8, 8, 1)
    assert digits.num_classes == 10
    assert digits.x.min() == 0
    assert digits.x.max() == 16
    assert np.bincount(digits.y).min() >= 170


@pytest.mark.parametrize("name", sorted(set(BUILTIN) - {"digits"}))
def test_builtin_sets_are_seeded(name):
    a, b, c = (load_dataset(name, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    assert a.num_classes == 2
    assert 0.3 < a.y.mean() < 0.7


def test_token_labels_are_right():
    data = load_dataset("tokens-sorted", n=200, length=8)
    for row, label in zip(data.x, data.y, strict=True):
        assert label == int(np.all(np.diff(row) >= 0))
    brackets = load_dataset("tokens-brackets", n=200, length=10)
    for row, label in zip(brackets.x, brackets.y, strict=True):
        depth, ok = 0, True
        for t in row:
            depth += {1: 1, 2: -1}.get(int(t), 0)
            ok &= depth >= 0
        assert label == int(ok and depth == 0)


def test_split_is_stratified_and_seeded():
    digits = load_dataset("digits")
    x_tr, y_tr, x_val, y_val = digits.split(0.2, seed=5)
    assert len(x_val) == pytest.approx(0.2 * 1797, abs=10)
    assert np.abs(np.bincount(y_val) / len(y_val) - 0.1).max() < 0.01
    again = digits.split(0.2, seed=5)
    np.testing.assert_array_equal(again[3], y_val)
    mean, std = standardizer(x_tr)
    assert mean.shape == (1, 8, 8, 1)
    assert (std > 0).all()


def test_csv_with_label_column(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("length,width,species\n1.0,2.0,rose\n3.5,1.0,tulip\n2.0,2.5,rose\n")
    data = load_dataset(str(path), label="species")
    assert data.x.shape == (3, 2)
    assert data.class_names == ["rose", "tulip"]
    assert data.y.tolist() == [0, 1, 0]
    with pytest.raises(DataError, match="no column named 'kind'; columns are length, width"):
        load_dataset(str(path), label="kind")
    path.write_text("a,b\n1,x\n2,3\n")
    with pytest.raises(DataError, match=r"flowers.csv:2: a value that is not a number"):
        load_dataset(str(path), label="a")


def test_npz_npy_and_pickle_refused(tmp_path):
    x = np.random.default_rng(0).random((10, 4)).astype("float32")
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(10) % 3)
    data = load_dataset(str(tmp_path / "d.npz"))
    assert data.num_classes == 3
    np.save(tmp_path / "r.npy", x)
    np.save(tmp_path / "r_labels.npy", np.random.default_rng(1).random((10, 2)))
    regression = load_dataset(str(tmp_path / "r.npy"))
    assert regression.task == "regression"
    assert regression.output_width == 2
    np.save(tmp_path / "o.npy", np.array([{"evil": 1}] * 3), allow_pickle=True)
    np.save(tmp_path / "o_labels.npy", np.arange(3))
    with pytest.raises(DataError, match="cannot read the arrays"):
        load_dataset(str(tmp_path / "o.npy"))
    np.savez(tmp_path / "bad.npz", a=x)
    with pytest.raises(DataError, match="needs arrays named 'x' and 'y', has a"):
        load_dataset(str(tmp_path / "bad.npz"))


def test_image_folder(tmp_path):
    for name, colour in (("cats", (200, 10, 10)), ("dogs", (10, 200, 10))):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (12, 10), colour).save(tmp_path / "pets" / name / f"{i}.png")
    (tmp_path / "pets" / "dogs" / "notes.txt").write_text("not an image")
    data = load_dataset(str(tmp_path / "pets"))
    assert data.x.shape == (6, 10, 12, 3)
    assert data.class_names == ["cats", "dogs"]
    # Kept as uint8 pixels; the network sees them divided by 255.
    assert data.x.dtype == np.uint8
    assert data.scale == 255.0
    assert data.x[0, 0, 0].tolist() == [200, 10, 10]
    (tmp_path / "pets" / "dogs" / "broken.png").write_bytes(b"nope")
    with pytest.raises(DataError, match="broken.png: not a readable image"):
        load_dataset(str(tmp_path / "pets"))


def test_online_sets_fail_clearly_when_offline(monkeypatch):
    import keras

    def offline():
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(
        DataError, match=r"^mnist: the download failed \(is this machine online\?\)"
    ):
        load_dataset("mnist")


def test_unknown_source(tmp_path):
    with pytest.raises(DataError, match="nothing.csv: no such file, folder or data set"):
        load_dataset(str(tmp_path / "nothing.csv"))
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataError, match="use a .csv, .npz or .npy file"):
        load_dataset(str(tmp_path / "x.txt"))
    with pytest.raises(DataError, match="noise must be between 0 and 10"):
        load_dataset("moons", noise=50)
