"""Data sets: built in (offline), downloaded on request, or the user's own files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netlab.data import builtin, files
from netlab.data.dataset import Dataset, standardizer
from netlab.data.online import ONLINE, load_online
from netlab.errors import DataError

BUILTIN = {
    "digits": builtin.digits,
    "spirals": builtin.spirals,
    "moons": builtin.moons,
    "circles": builtin.circles,
    "tokens-sorted": lambda **kw: builtin.tokens("sorted", **kw),
    "tokens-brackets": lambda **kw: builtin.tokens("brackets", **kw),
}

__all__ = ["BUILTIN", "ONLINE", "Dataset", "load_dataset", "standardizer"]


def load_dataset(source: str, **options: Any) -> Dataset:
    """Loads a data set by built-in name, online name, or path.

    Args:
        source: ``digits``, ``spirals``, ``moons``, ``circles``, ``tokens-sorted``,
            ``tokens-brackets``, ``mnist``, ``fashion_mnist``, ``cifar10``, or the path
            of a ``.csv``, ``.npz``/``.npy`` file or an image folder.
        **options: Passed to the loader (``seed``, ``n``, ``noise``, ``label``, ...).

    Raises:
        DataError: One line naming the source and the problem.
    """
    if source in BUILTIN:
        try:
            return BUILTIN[source](**options)
        except TypeError as err:
            raise DataError(f"{source}: {err}") from None
    if source in ONLINE:
        return load_online(source)
    path = Path(source)
    if path.is_dir():
        return files.load_image_folder(path, **options)
    if not path.exists():
        names = ", ".join([*BUILTIN, *ONLINE])
        raise DataError(f"{source}: no such file, folder or data set (built in: {names})")
    if path.suffix.lower() == ".csv":
        return files.load_csv(path, **options)
    if path.suffix.lower() in (".npz", ".npy"):
        return files.load_arrays(path)
    raise DataError(f"{source}: use a .csv, .npz or .npy file or a folder of images")
