"""Training batches for TensorFlow's ``fit``, in an order that only the run's seed decides.

Keras shuffles array inputs with TensorFlow's global random state, which every
run in the process shares: two seeded runs at the same time did not repeat
their losses. Here each epoch's order is ``numpy.random.default_rng([seed,
epoch])``, the order the JAX loop uses too.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The shuffled order of ``count`` examples in ``epoch`` of a run seeded ``seed``."""
    return np.random.default_rng([seed, epoch]).permutation(count).astype("int32")


def training_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> Any:
    """A ``tf.data.Dataset`` of ``(x, y)`` batches, reshuffled each time it is iterated."""
    import tensorflow as tf

    count = len(x)
    epochs = itertools.count()

    def batches_of_indices() -> Any:
        order = epoch_order(seed, next(epochs), count)
        for start in range(0, count, batch_size):
            yield order[start : start + batch_size]

    steps = -(-count // batch_size)
    indices = tf.data.Dataset.from_generator(
        batches_of_indices, output_signature=tf.TensorSpec([None], tf.int32)
    ).apply(tf.data.experimental.assert_cardinality(steps))
    xs, ys = tf.constant(x), tf.constant(y)
    return indices.map(
        lambda i: (tf.gather(xs, i), tf.gather(ys, i)), num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    ).prefetch(2)
