"""Training batches for TensorFlow's ``fit``, in an order that only the run's seed decides.

Keras shuffles array inputs with TensorFlow's global random state, which every
run in the process shares: two seeded runs at the same time did not repeat
their losses. Here each epoch's order is ``numpy.random.default_rng([seed,
epoch])``, the order the JAX loop uses too.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The shuffled order of ``count`` examples in ``epoch`` of a run seeded ``seed``."""
    return np.random.default_rng([seed, epoch]).permutation(count).astype("int32")


def training_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int,
                     epochs: int) -> Any:  # fmt: skip
    """A ``tf.data.Dataset`` of the ``(x, y)`` batches of every epoch, one after another.

    ``fit`` takes them with ``steps_per_epoch`` set, from one iterator. (A
    Python generator, reshuffling at each iteration, kept every run's graphs
    alive in TensorFlow's registry of Python functions: the window grew by
    about 15 MiB a run.)
    """
    import tensorflow as tf

    count = len(x)
    orders = tf.constant(np.concatenate([epoch_order(seed, e, count) for e in range(epochs)]))
    per_epoch = tf.data.Dataset.from_tensor_slices(tf.reshape(orders, (epochs, count)))
    indices = per_epoch.flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order)
                                 .batch(batch_size))  # fmt: skip
    xs, ys = tf.constant(x), tf.constant(y)
    return indices.map(
        lambda i: (tf.gather(xs, i), tf.gather(ys, i)), num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    ).prefetch(2)
