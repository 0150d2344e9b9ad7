"""Built-in data sets: all offline, all seeded."""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from netlab.data.dataset import Dataset
from netlab.errors import DataError

# Package data (netlab/resources/datasets), so it is found in a wheel as in the source tree.
RESOURCES = resources.files("netlab") / "resources" / "datasets"


def digits() -> Dataset:
    """The 8x8 handwritten digits: 1,797 grey images (values 0..16), 10 classes."""
    path = RESOURCES / "digits.csv.gz"
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt") as handle:
            table = np.loadtxt(handle, delimiter=",", dtype="float32")
    except OSError as err:
        raise DataError(f"{path}: the built-in digits are missing or damaged ({err})") from None
    x = table[:, :64].reshape(-1, 8, 8, 1)
    y = table[:, 64].astype("int64")
    return Dataset("digits", x, y, kind="image", description="8x8 handwritten digits (UCI, "
                   "as shipped by scikit-learn); pixel values 0..16.")  # fmt: skip


def _check(n: int, noise: float) -> None:
    if not 2 <= n <= 10_000_000:
        raise DataError(f"the number of points must be between 2 and 10,000,000, got {n}")
    if not 0 <= noise <= 10:
        raise DataError(f"noise must be between 0 and 10, got {noise}")


def spirals(n: int = 1000, noise: float = 0.1, classes: int = 2, seed: int = 0) -> Dataset:
    """Interleaved spiral arms in 2-D, one per class."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    t = rng.uniform(0.0, 1.0, n)
    angle = t * 3 * np.pi + y * 2 * np.pi / classes
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    x += rng.normal(0.0, noise * 0.1, x.shape)
    return Dataset("spirals", x.astype("float32"), y, kind="points",
                   description=f"{classes} spiral arms, {n} points")  # fmt: skip


def moons(n: int = 1000, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0.0, np.pi, n)
    x = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x[y == 1] = np.stack([1 - np.cos(angle[y == 1]), 0.5 - np.sin(angle[y == 1])], axis=1)
    x += rng.normal(0.0, noise, x.shape)
    return Dataset("moons", x.astype("float32"), y, kind="points",
                   description=f"two moons, {n} points")  # fmt: skip


def circles(n: int = 1000, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A small circle inside a large one."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += rng.normal(0.0, noise, x.shape)
    return Dataset("circles", x.astype("float32"), y, kind="points",
                   description=f"two circles, {n} points")  # fmt: skip


def tokens(task: str = "sorted", n: int = 4000, length: int = 16, vocab: int = 16,
           seed: int = 0) -> Dataset:  # fmt: skip
    """Token sequences to classify, for Transformers.

    ``sorted``: is the sequence in non-decreasing order (half of them are)?
    ``brackets``: are the brackets balanced (ids 1 = "(", 2 = ")", 0 = padding)?
    """
    if task not in ("sorted", "brackets"):
        raise DataError(f"token task must be 'sorted' or 'brackets', got {task!r}")
    if not 2 <= length <= 4096 or not 3 <= vocab <= 100_000 or not 2 <= n <= 10_000_000:
        raise DataError("token data needs 2 <= length <= 4096, 3 <= vocab, 2 <= n")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    if task == "sorted":
        x = rng.integers(0, vocab, (n, length))
        x[y == 1] = np.sort(x[y == 1], axis=1)
        y = np.all(np.diff(x, axis=1) >= 0, axis=1).astype("int64")  # a few random ones are sorted
        return Dataset(
            "tokens-sorted", x.astype("int32"), y, class_names=["unsorted", "sorted"],
            kind="tokens", vocab_size=vocab, description="is the sequence sorted?",
        )  # fmt: skip
    x = np.zeros((n, length), "int32")
    for i in range(n):
        x[i] = _brackets(rng, length, balanced=bool(y[i]))
    y = np.array([_balanced(row) for row in x], "int64")
    return Dataset(
        "tokens-brackets", x, y, class_names=["unbalanced", "balanced"], kind="tokens",
        vocab_size=3, description="are the brackets balanced?",
    )  # fmt: skip


def _brackets(rng: np.random.Generator, length: int, balanced: bool) -> np.ndarray:
    pairs = int(rng.integers(1, length // 2 + 1))
    seq: list[int] = []
    depth = 0
    for _ in range(2 * pairs):
        opens_left = pairs - (len(seq) + depth) // 2
        if depth == 0 or (opens_left > 0 and rng.random() < 0.5):
            seq.append(1)
            depth += 1
        else:
            seq.append(2)
            depth -= 1
    tokens = np.array(seq + [0] * (length - len(seq)), "int32")
    if not balanced:
        i = int(rng.integers(0, 2 * pairs))
        tokens[i] = 3 - tokens[i]  # flip one bracket
    return tokens


def _balanced(row: np.ndarray) -> bool:
    depth = 0
    for token in row:
        depth += 1 if token == 1 else -1 if token == 2 else 0
        if depth < 0:
            return False
    return depth == 0
