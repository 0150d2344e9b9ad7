"""The numbers a lab reads off its projects, before and after training.

Every arm gets the standard columns (:data:`STANDARD`); a lab names the extra ones
it needs (:data:`MEASURES`) and the table it computes without training (:data:`TABLES`).
Each measure is a function of the arm's project (and, after training, its run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.project import Project, RunRecord

STANDARD = {"architecture": "architecture", "parameters": "parameters", "flops": "FLOPs",
            "loss": "final loss", "val_accuracy": "val accuracy",
            "seconds_per_epoch": "s / epoch"}  # fmt: skip
"""Column key -> heading, for every arm."""


@dataclass(frozen=True)
class Measure:
    """One extra column: its heading, whether it is read before training, and how."""

    heading: str
    before: bool
    read: Callable[[Project, RunRecord | None], float | None]


def _model(project: Project) -> Any:
    """The project's model with its weights; before training, fresh weights from its seed."""
    import keras

    from netlab.project.project import build_with_weights

    keras.utils.set_random_seed(int(project.training.get("seed", 0)))
    return build_with_weights(project)


def _digits_batch(count: int = 64) -> np.ndarray:
    from netlab.data import load_dataset

    x = load_dataset("digits").x[:count].astype("float32")
    return (x - x.mean()) / x.std()


def identity_error(project: Project, record: RunRecord | None) -> float:
    """``||f(x) - x|| / ||x||`` of the whole stack of blocks at initialisation: 0 when every
    block starts as the identity (zero-initialised residual branches)."""
    import keras

    model = _model(project)
    first = model.get_layer("stem_relu").output
    last = model.get_layer("pool").input
    x, y = keras.Model(model.inputs[0], [first, last]).predict(_digits_batch(), verbose=0)
    return float(np.linalg.norm(y - x)) / max(float(np.linalg.norm(x)), 1e-12)


def attention_entropy(project: Project, record: RunRecord | None) -> float:
    """Mean entropy (nats) of the attention rows of layer ``attention`` at initialisation,
    over 32 training sequences; ``ln(length)`` is uniform attention, 0 a single key."""
    from netlab.data import load_dataset
    from netlab.inspect.attention import attention_maps

    model = _model(project)
    x = load_dataset(project.training["dataset"]).x[:32]
    rows = np.concatenate([attention_maps(model, "attention", sample)[0] for sample in x])
    return float(-(rows * np.log(np.clip(rows, 1e-12, None))).sum(axis=-1).mean())


LONG_LENGTH = 24
"""The length the positional-encoding lab tests on (it trains on 16)."""


def long_accuracy(project: Project, record: RunRecord | None) -> float | None:
    """Accuracy on 1,000 new sequences of :data:`LONG_LENGTH` tokens (trained on shorter)."""
    from netlab.data.builtin import tokens
    from netlab.project.project import build_with_weights

    if record is None or record.status == "failed":
        return None
    graph = project.graph.copy()  # with the trained weights
    tokens_node = next(n for n in graph.nodes.values() if n.key == "Input")
    graph.set_params(tokens_node.id, {**tokens_node.params, "shape": (LONG_LENGTH,)})
    longer = Project(graph, training=project.training)
    data = tokens("sorted", n=1000, length=LONG_LENGTH, seed=1)
    probabilities = build_with_weights(longer).predict(data.x, verbose=0, batch_size=250)
    return float((probabilities.argmax(axis=-1) == data.y).mean())


def epoch1_loss(project: Project, record: RunRecord | None) -> float | None:
    """The training loss of the first epoch."""
    return record.epochs[0]["loss"] if record is not None and record.epochs else None


def gradient_ratio(project: Project, record: RunRecord | None) -> float | None:
    """Median over the run of the first weight layer's gradient norm over the last's."""
    stats = record.layer_stats if record is not None else {}
    norms = np.asarray(stats.get("grad_norm", ()))
    if norms.ndim != 2 or norms.shape[1] < 2:
        return None
    return float(np.median(norms[:, 0] / np.maximum(norms[:, -1], 1e-30)))


def tokens_in(project: Project, record: RunRecord | None) -> float | None:
    """The number of tokens the Transformer blocks see (patches and the class token)."""
    from netlab.graph.analysis import analyse

    analysis = analyse(project.graph)
    blocks = [n.id for n in project.graph.nodes.values() if n.key == "TransformerBlock"]
    shape = analysis.shapes.get(blocks[0]) if blocks else None
    return float(shape[0]) if shape and shape[0] is not None else None


MEASURES: dict[str, Measure] = {
    "identity_error": Measure("identity error at init", True, identity_error),
    "attention_entropy": Measure("attention entropy at init (nats)", True, attention_entropy),
    "long_accuracy": Measure(f"accuracy at length {LONG_LENGTH}", False, long_accuracy),
    "epoch1_loss": Measure("loss after epoch 1", False, epoch1_loss),
    "gradient_ratio": Measure("first / last gradient", False, gradient_ratio),
    "tokens": Measure("tokens", True, tokens_in),
}


def conv_sizes(size: int = 8) -> list[dict[str, Any]]:
    """Output sizes of a convolution on a ``size`` x ``size`` image for K, p, s from 1 to 3:
    the formula ``floor((H + 2p - K) / s) + 1``, NetLab's shape inference, and the size
    of what the built layer really returns. ``rounds`` marks the sizes the floor cuts."""
    import keras

    from netlab.graph.analysis import analyse
    from netlab.graph.builder import build_model
    from netlab.templates import _Chain

    rows = []
    for kernel in (1, 3, 5):
        for padding in (0, 1, 2):
            for stride in (1, 2, 3):
                chain = _Chain()
                chain.add("Input", "image", shape=(size, size, 1))
                conv = chain.add("Conv2D", "conv", filters=1, kernel_size=kernel,
                                 strides=stride, padding=padding)  # fmt: skip
                chain.add("Output", "out")
                graph = chain.graph
                inferred = analyse(graph).shapes[conv][0]
                built = build_model(graph)(np.zeros((1, size, size, 1), "float32"))
                rows.append({
                    "K": kernel, "p": padding, "s": stride,
                    "formula": (size + 2 * padding - kernel) // stride + 1,
                    "NetLab": inferred, "Keras": int(keras.ops.shape(built)[1]),
                    "rounds": (size + 2 * padding - kernel) % stride != 0,
                })  # fmt: skip
    return rows


@dataclass(frozen=True)
class Table:
    """A table a lab computes without training, and the claim its rows must bear out."""

    make: Callable[[], list[dict[str, Any]]]
    claim: str
    holds: Callable[[list[dict[str, Any]]], bool]


TABLES: dict[str, Table] = {
    "conv_sizes": Table(conv_sizes, "The formula gives the size Keras returns, in every case "
                        "of the sweep (the floor included)",
                        lambda rows: all(r["formula"] == r["NetLab"] == r["Keras"]
                                         for r in rows)),
}  # fmt: skip
