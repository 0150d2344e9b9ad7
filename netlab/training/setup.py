"""From a training configuration to Keras objects: data arrays, optimizer, schedule."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from netlab.data import Dataset, standardizer
from netlab.data.transform import InputTransform


def prepare_arrays(dataset: Dataset, config: dict[str, Any], raw: bool = False) -> dict[str, Any]:
    """Split, standardised (from training statistics only) and label-encoded arrays.

    Args:
        dataset: The data.
        config: The training configuration.
        raw: Keep the examples as stored (uint8 pixels stay uint8, a memory-mapped
            file stays unread: :class:`~netlab.data.rows.Rows`) and return the
            transform under ``"transform"``; the JAX loop applies it on the device.
            Otherwise the examples are float32 arrays as the network sees them.
    """
    x_train, y_train, x_val, y_val = dataset.split(config["validation_split"], config["seed"])
    if dataset.kind == "tokens":
        transform = InputTransform(to_float=False)
    elif config["standardize"]:
        mean, std = standardizer(x_train, dataset.scale)
        transform = InputTransform(mean, std, dataset.scale)
    else:
        transform = InputTransform(scale=dataset.scale)
    if not raw:
        x_train, x_val = transform(x_train), transform(x_val)
    if dataset.task == "classification" and config["loss"] != "sparse_categorical_crossentropy":
        eye = np.eye(dataset.num_classes, dtype="float32")
        y_train, y_val = eye[y_train], eye[y_val]
    return {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
            "transform": transform}  # fmt: skip


def learning_rate(config: dict[str, Any], steps_per_epoch: int) -> Any:
    """The learning rate (a number or a Keras schedule) the configuration asks for."""
    import keras

    rate, epochs, kind = config["learning_rate"], config["epochs"], config["schedule"]
    total = max(1, epochs * steps_per_epoch)
    if kind == "step":
        step = config["step_epochs"] * steps_per_epoch
        boundaries = list(range(step, total, step))
        values = [rate * config["step_factor"] ** i for i in range(len(boundaries) + 1)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values) \
            if boundaries else rate  # fmt: skip
    if kind in ("cosine", "warmup_cosine"):
        warmup = config["warmup_epochs"] * steps_per_epoch if kind == "warmup_cosine" else 0
        warmup = min(warmup, total - 1)
        if warmup:
            return keras.optimizers.schedules.CosineDecay(
                0.0, decay_steps=total - warmup, warmup_target=rate, warmup_steps=warmup
            )
        return keras.optimizers.schedules.CosineDecay(rate, decay_steps=total)
    return rate


def optimizer(config: dict[str, Any], steps_per_epoch: int) -> Any:
    """The Keras optimizer of the configuration."""
    import keras

    rate = learning_rate(config, steps_per_epoch)
    name = config["optimizer"]
    if name == "sgd":
        return keras.optimizers.SGD(rate, momentum=config["momentum"])
    if name == "adamw":
        return keras.optimizers.AdamW(rate, weight_decay=config["weight_decay"])
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rate)
    return keras.optimizers.Adam(rate)


def steps_per_epoch(samples: int, batch_size: int) -> int:
    """Batches in one pass over ``samples`` examples."""
    return max(1, math.ceil(samples / batch_size))


def learning_rate_at(config: dict[str, Any], steps_per_epoch: int, step: int) -> float:
    """The learning rate at ``step``, in plain Python (what :func:`learning_rate` computes).

    Why: reading the optimizer's rate costs a backend op per batch; this costs
    nothing and the tests check that both agree.
    """
    rate, kind = config["learning_rate"], config["schedule"]
    total = max(1, config["epochs"] * steps_per_epoch)
    if kind == "step":
        size = config["step_epochs"] * steps_per_epoch
        boundaries = [b for b in range(size, total, size) if b < step]
        return rate * config["step_factor"] ** len(boundaries)
    if kind in ("cosine", "warmup_cosine"):
        warmup = config["warmup_epochs"] * steps_per_epoch if kind == "warmup_cosine" else 0
        warmup = min(warmup, total - 1)
        if step < warmup:
            return rate * step / warmup
        decay = total - warmup
        done = min(step - warmup, decay) / decay
        return rate * 0.5 * (1.0 + math.cos(math.pi * done))
    return rate
