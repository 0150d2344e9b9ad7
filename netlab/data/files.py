"""The user's own data: CSV tables, NumPy arrays, folders of images."""

from __future__ import annotations

import csv
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from netlab.data.dataset import Dataset
from netlab.data.rows import open_npz_member
from netlab.errors import DataError, first_line

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
MAX_IMAGES = 200_000
MAX_IMAGE_PIXELS = 40_000_000  # one image; a photo has 12 to 24 million


def _labels(raw: list[str] | np.ndarray, where: str) -> tuple[np.ndarray, list[str]]:
    names = sorted({str(v) for v in raw}, key=lambda s: (not s.lstrip("-").isdigit(), s))
    if len(names) > 10_000:
        raise DataError(f"{where}: {len(names)} different labels; is that the label column?")
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[str(v)] for v in raw], "int64"), names


def load_csv(path: str | Path, label: str | int = -1) -> Dataset:
    """A CSV file with a header row; ``label`` names (or numbers) the label column.

    Every other column must hold numbers.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read: {err}") from None
    if len(rows) < 3:
        raise DataError(f"{path}: needs a header row and at least two data rows")
    header = [h.strip() for h in rows[0]]
    if isinstance(label, str) and not label.lstrip("-").isdigit():
        if label not in header:
            raise DataError(f"{path}: no column named {label!r}; columns are {', '.join(header)}")
        column = header.index(label)
    else:
        column = int(label) % len(header)
    features, raw_labels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{path}:{line}: {len(row)} values, the header has {len(header)}")
        raw_labels.append(row[column].strip())
        try:
            features.append([float(v) for i, v in enumerate(row) if i != column])
        except ValueError:
            raise DataError(f"{path}:{line}: a value that is not a number") from None
    y, names = _labels(raw_labels, str(path))
    return Dataset(path.stem, np.array(features, "float32"), y, class_names=names,
                   description=f"{path.name}, label column {header[column]!r}")  # fmt: skip


# Kept as stored (a memory map when the file allows); wider types become float32 as before.
_KEPT_DTYPES = {"uint8", "int8", "uint16", "int16", "float16", "float32"}


def _read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` of ``path``; ``x`` memory-mapped where the file stores it plainly."""
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            if "x" not in data or "y" not in data:
                raise DataError(f"{path}: needs arrays named 'x' and 'y', has "
                                f"{', '.join(data.files) or 'none'}")  # fmt: skip
            y = data["y"]
            mapped = open_npz_member(path, "x")
            x = mapped if mapped is not None else data["x"]
        return x, y
    label_file = path.with_name(f"{path.stem}_labels.npy")
    if not label_file.exists():
        raise DataError(f"{path}: labels not found; put them in {label_file.name}")
    return np.load(path, mmap_mode="r", allow_pickle=False), np.load(label_file, allow_pickle=False)


def load_arrays(path: str | Path) -> Dataset:
    """``.npz`` with arrays ``x`` and ``y``, or ``.npy`` of ``x`` with ``y`` in
    ``<name>_labels.npy`` next to it. Pickled objects are refused.

    ``x`` in uint8, int8, (u)int16, float16 or float32 is memory-mapped (``.npy``, or
    ``.npz`` written by ``numpy.savez``; ``savez_compressed`` files are read into
    memory): a file larger than memory trains, read batch by batch. Other types
    are read and converted to float32.
    """
    path = Path(path)
    try:
        x, y = _read_arrays(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{path}: cannot read the arrays (damaged or truncated?): "
                        f"{first_line(err)}") from None  # fmt: skip
    if x.ndim == 0 or y.ndim == 0:
        raise DataError(f"{path}: x and y must hold one entry per example; x has shape "
                        f"{x.shape} and y {y.shape}")  # fmt: skip
    if x.dtype.kind not in "fiub":
        raise DataError(f"{path}: x holds {x.dtype}, not numbers")
    if x.dtype.name not in _KEPT_DTYPES:
        x = np.asarray(x, dtype="float32")
    elif not x.dtype.isnative:  # big-endian on this machine: the device takes native types
        x = x.astype(x.dtype.newbyteorder("="))
    if y.ndim == 1 and (y.dtype.kind in "iub" or y.dtype.kind == "U"):
        labels, names = _labels(y, str(path))
        kind = "image" if x.ndim in (3, 4) else "table"
        x = x[..., None] if x.ndim == 3 else x
        return Dataset(path.stem, x, labels, class_names=names, kind=kind)
    return Dataset(path.stem, x, y.astype("float32").reshape(len(y), -1), task="regression")


def _read_image(file: Path, size: tuple[int, int] | None, grayscale: bool) -> np.ndarray:
    """One image as uint8 pixels, resized to ``size``; raises DataError for a bad one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            pixels = image.size[0] * image.size[1]
            if pixels > MAX_IMAGE_PIXELS:
                raise DataError(f"{file}: {image.size[0]}x{image.size[1]} pixels is too "
                                f"large an image ({pixels / 1e6:.0f} megapixels; NetLab "
                                f"reads up to {MAX_IMAGE_PIXELS / 1e6:.0f})")  # fmt: skip
            converted = image.convert("L" if grayscale else "RGB")
            return np.asarray(converted.resize(size) if size else converted, "uint8")
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6
        raise DataError(f"{file}: too large an image (more than {limit:.0f} megapixels; "
                        f"NetLab reads up to {MAX_IMAGE_PIXELS / 1e6:.0f})") from None
    except (OSError, UnidentifiedImageError) as err:
        raise DataError(f"{file}: not a readable image ({err})") from None


def load_image_folder(path: str | Path, size: tuple[int, int] | None = None,
                      grayscale: bool = False) -> Dataset:  # fmt: skip
    """A folder with one subfolder of images per class.

    Images are resized to ``size`` (default: the first image's size), decoded on
    worker threads and kept as uint8 pixels; the network sees them scaled to 0..1
    (``Dataset.scale`` 255, converted on the device when training on JAX).
    """
    path = Path(path)
    classes = sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
    if len(classes) < 2:
        raise DataError(f"{path}: needs at least two subfolders, one per class")
    files: list[Path] = []
    labels: list[int] = []
    for label, folder in enumerate(classes):
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if len(files) >= MAX_IMAGES:
                raise DataError(f"{path}: more than {MAX_IMAGES:,} images")
            files.append(file)
            labels.append(label)
    if not files:
        raise DataError(f"{path}: no images found ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if size is None:  # the first image decides, as before
        first = _read_image(files[0], None, grayscale)
        size = (first.shape[1], first.shape[0])
    # PIL decodes without holding the GIL: threads use every core.
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        images = list(pool.map(lambda file: _read_image(file, size, grayscale), files))
    x = np.stack(images)
    x = x[..., None] if grayscale else x
    return Dataset(path.name, x, np.array(labels, "int64"), class_names=[c.name for c in classes],
                   kind="image", description=f"images from {path}", scale=255.0)  # fmt: skip
