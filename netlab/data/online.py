"""Data sets downloaded through ``keras.datasets`` when the user asks (online only)."""

from __future__ import annotations

import numpy as np

from netlab.data.dataset import Dataset
from netlab.errors import DataError, first_line

ONLINE = {
    "mnist": ("mnist", [str(i) for i in range(10)]),
    "fashion_mnist": ("fashion_mnist", ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]),
    "cifar10": ("cifar10", ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                            "horse", "ship", "truck"]),
}  # fmt: skip


def load_online(name: str) -> Dataset:
    """Downloads (or reuses Keras's cached copy of) MNIST, Fashion-MNIST or CIFAR-10.

    Raises:
        DataError: One line when offline or the download fails.
    """
    import keras

    module, class_names = ONLINE[name]
    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, module).load_data()
    # Keras's get_file raises a bare Exception when the URL cannot be fetched (offline).
    except Exception as err:  # noqa: BLE001
        raise DataError(f"{name}: the download failed (is this machine online?): "
                        f"{first_line(err)}") from None  # fmt: skip
    x = np.concatenate([x_train, x_test]).astype("float32") / 255.0
    x = x[..., None] if x.ndim == 3 else x
    y = np.concatenate([y_train, y_test]).reshape(-1).astype("int64")
    return Dataset(name, x, y, class_names=class_names, kind="image",
                   description=f"{name} from keras.datasets (downloaded on request)")  # fmt: skip
