"""Data sets read from files as stored: memory-mapped arrays, lazy splits, uint8 pixels."""

import zipfile

import numpy as np
import pytest

from netlab.data import Dataset, load_dataset, rows, standardizer
from netlab.data.rows import Rows, is_lazy
from netlab.errors import DataError
from netlab.project import default_training_config
from netlab.training.setup import prepare_arrays


@pytest.fixture
def pixels():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (300, 6, 5, 3), dtype=np.uint8), rng.integers(0, 4, 300)


def test_a_uint8_npy_is_memory_mapped_and_split_without_reading(tmp_path, pixels):
    x, y = pixels
    np.save(tmp_path / "big.npy", x)
    np.save(tmp_path / "big_labels.npy", y)
    data = load_dataset(str(tmp_path / "big.npy"))
    assert isinstance(data.x, np.memmap)
    assert data.x.dtype == np.uint8
    x_train, y_train, x_val, y_val = data.split(0.2, seed=3)
    assert isinstance(x_train, Rows)
    assert isinstance(x_val, Rows)
    assert len(x_train) + len(x_val) == 300
    # The same examples, in the same order, as an in-memory split of the same data.
    in_memory = Dataset("big", np.array(x), data.y)
    expected = in_memory.split(0.2, seed=3)
    np.testing.assert_array_equal(x_train[:], expected[0])
    np.testing.assert_array_equal(x_val[np.array([4, 0, 2])], expected[2][[4, 0, 2]])
    np.testing.assert_array_equal(y_train, expected[1])
    assert x_train.shape == expected[0].shape
    assert x_train.nbytes == expected[0].nbytes


def test_numpy_savez_is_mapped_savez_compressed_is_read(tmp_path, pixels):
    x, y = pixels
    np.savez(tmp_path / "stored.npz", x=x, y=y)
    np.savez_compressed(tmp_path / "deflated.npz", x=x, y=y)
    stored, deflated = (load_dataset(str(tmp_path / f"{n}.npz")) for n in ("stored", "deflated"))
    assert isinstance(stored.x, np.memmap)
    assert not is_lazy(deflated.x)
    np.testing.assert_array_equal(stored.x, x)
    np.testing.assert_array_equal(deflated.x, x)
    fortran = np.asfortranarray(x.astype("float32"))
    np.savez(tmp_path / "fortran.npz", x=fortran, y=y)
    np.testing.assert_array_equal(load_dataset(str(tmp_path / "fortran.npz")).x, fortran)


def test_a_truncated_stored_npz_is_named_in_one_line(tmp_path, pixels):
    x, y = pixels
    path = tmp_path / "cut.npz"
    with zipfile.ZipFile(path, "w") as archive:  # a stored member whose data is cut short
        archive.writestr("y.npy", _npy_bytes(tmp_path, y))
        archive.writestr("x.npy", _npy_bytes(tmp_path, x)[:5000])
    with pytest.raises(DataError, match=r"cut.npz: cannot read the arrays .*truncated") as err:
        load_dataset(str(path))
    assert "\n" not in str(err.value)


def _npy_bytes(tmp_path, array):
    np.save(tmp_path / "member.npy", array)
    return (tmp_path / "member.npy").read_bytes()


def test_wide_types_still_become_float32(tmp_path, pixels):
    x, y = pixels
    np.savez(tmp_path / "wide.npz", x=x.astype("float64"), y=y)
    data = load_dataset(str(tmp_path / "wide.npz"))
    assert data.x.dtype == np.float32
    assert not is_lazy(data.x)


def test_statistics_of_a_mapped_file_read_chunk_by_chunk(tmp_path, pixels, monkeypatch):
    x, y = pixels
    np.save(tmp_path / "big.npy", x)
    np.save(tmp_path / "big_labels.npy", y)
    monkeypatch.setattr(rows, "CHUNK_BYTES", 900)  # 10 examples a chunk: 30 chunks
    data = load_dataset(str(tmp_path / "big.npy"))
    x_train = data.split(0.2, seed=0)[0]
    mean, std = standardizer(x_train, scale=255.0)
    features = np.asarray(x_train[:], "float64") / 255.0
    np.testing.assert_allclose(mean, features.mean(axis=0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(std, features.std(axis=0, keepdims=True), rtol=1e-5)

def test_prepared_arrays_of_pixels_are_what_the_network_sees(tmp_path, pixels):
    x, y = pixels
    as_pixels = Dataset("p", x, y, kind="image", scale=255.0)
    reciprocal = np.float32(1) / np.float32(255)
    as_floats = Dataset("f", x.astype("float32") * reciprocal, y, kind="image")
    for standardize in (False, True):
        config = {**default_training_config(), "standardize": standardize}
        ours, theirs = prepare_arrays(as_pixels, config), prepare_arrays(as_floats, config)
        np.testing.assert_array_equal(ours["x_train"], theirs["x_train"])
        np.testing.assert_array_equal(ours["x_val"], theirs["x_val"])
        raw = prepare_arrays(as_pixels, config, raw=True)
        assert raw["x_train"].dtype == np.uint8
        np.testing.assert_array_equal(raw["transform"](raw["x_train"]), theirs["x_train"])


def test_a_bad_scale_is_refused(pixels):
    x, y = pixels
    with pytest.raises(DataError, match="scale must be positive, got 0"):
        Dataset("p", x, y, scale=0)


def test_the_description_says_how_the_examples_are_held(tmp_path, pixels):
    x, y = pixels
    np.save(tmp_path / "big.npy", x)
    np.save(tmp_path / "big_labels.npy", y)
    mapped = load_dataset(str(tmp_path / "big.npy"))
    assert mapped.storage == "stored as uint8, memory-mapped: read batch by batch"
    assert Dataset("p", x, y, scale=255.0).storage == "stored as uint8, scaled by 1/255"
    assert load_dataset("digits").storage == "stored as float32"


def test_an_npz_header_claiming_more_than_its_entry_is_refused(tmp_path, pixels):
    x, y = pixels
    member = bytearray(_npy_bytes(tmp_path, x))
    header = bytes(member[:128]).replace(b"(300,", b"(900,")  # the data hold 300 rows
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", header + bytes(member[128:]))
        archive.writestr("y.npy", _npy_bytes(tmp_path, y))
        # The file holds the 900 rows' bytes, in other members: what a bad reader would map.
        archive.writestr("z.npy", _npy_bytes(tmp_path, np.zeros(100_000, np.uint8)))
    with pytest.raises(DataError, match="liar.npz: .*truncated or larger than its entry"):
        load_dataset(str(path))


def test_an_npz_member_without_the_npy_suffix_still_loads(tmp_path, pixels):
    x, y = pixels
    path = tmp_path / "plain.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x", _npy_bytes(tmp_path, x))
        archive.writestr("y", _npy_bytes(tmp_path, y))
    np.testing.assert_array_equal(load_dataset(str(path)).x, x)
