"""Examples kept where they are: memory-mapped files and lazy selections of their rows.

A data set larger than memory is opened memory-mapped (``.npy``, and ``.npz``
files whose arrays are stored, not deflated, which is how ``numpy.savez``
writes them). Splitting it into training and validation examples must not
copy it either: :class:`Rows` names the rows and reads them only when a batch
asks for them, in file order, so the page cache reads forward.
"""

from __future__ import annotations

import math
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

# Rows read per chunk when a whole selection is scanned (statistics, checks).
CHUNK_BYTES = 16 * 2**20


class Rows:
    """The rows ``index`` of ``base`` (an array, often memory-mapped), read when indexed.

    Behaves as the array ``base[index]`` would for ``len``, ``shape``, ``dtype``,
    ``nbytes`` and indexing by an int, a slice or an array of ints; indexing
    returns a NumPy array (read now).
    """

    def __init__(self, base: np.ndarray, index: np.ndarray) -> None:
        self.base = base
        self.index = np.asarray(index, dtype="int64")

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.index), *self.base.shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return self.base.dtype

    @property
    def ndim(self) -> int:
        return self.base.ndim

    @property
    def nbytes(self) -> int:
        return len(self.index) * self.base[:1].nbytes

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key: Any) -> np.ndarray:
        picked = self.index[key]
        if np.ndim(picked) == 0:
            return np.asarray(self.base[int(picked)])
        order = np.argsort(picked, kind="stable")
        rows = self.base[picked[order]]  # ascending: the file is read forward
        out = np.empty_like(rows)
        out[order] = rows
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        rows = self[:]
        return rows if dtype is None else rows.astype(dtype)


def is_lazy(x: Any) -> bool:
    """Whether ``x`` is read from a file when indexed (a memory map or :class:`Rows`)."""
    return isinstance(x, (Rows, np.memmap))


def chunks(x: Any) -> Any:
    """``x`` (an array or :class:`Rows`) as consecutive NumPy chunks of about 16 MiB stored
    (a uint8 chunk becomes 128 MiB as float64 in the statistics)."""
    row_bytes = max(1, int(np.prod(x.shape[1:], dtype="int64")) * x.dtype.itemsize)
    step = max(1, CHUNK_BYTES // row_bytes)
    for start in range(0, len(x), step):
        yield np.asarray(x[start:start + step])


def open_npz_member(path: Path, name: str) -> np.memmap | None:
    """Array ``name`` of the ``.npz`` file ``path`` memory-mapped, or None if it is deflated.

    A stored zip member is a plain ``.npy`` file at an offset of the archive:
    its header says the dtype, shape and order, and the data follows it.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo(f"{name}.npy")
        except KeyError:  # a member named without .npy: let NumPy read it
            return None
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:  # deflated, encrypted
        return None
    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        local = handle.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise ValueError(f"array {name!r}: damaged zip entry")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        handle.seek(start)
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        offset = handle.tell()
    if dtype.hasobject:
        raise ValueError(f"array {name!r} holds Python objects")
    # Within this member, not merely within the file (math.prod does not wrap around).
    if offset + math.prod(shape) * dtype.itemsize > start + info.file_size:
        raise ValueError(f"array {name!r} is truncated or larger than its entry")
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape,
                     order="F" if fortran else "C")  # fmt: skip
