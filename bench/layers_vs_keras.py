"""Forward+backward step time of NetLab layers against Keras's built-in ones.

Each case pairs a NetLab layer with the Keras layer doing the same arithmetic,
compiles one training-style step for each (gradients of a scalar loss with
respect to every trainable weight), and times them in interleaved repetitions
in one process; the figure is the median over repetitions of ours / Keras.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/layers_vs_keras.py [--reps 15]

Runs on the active Keras backend (TensorFlow by default, or KERAS_BACKEND=jax).
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from netlab import layers  # noqa: E402


@dataclass
class Case:
    name: str
    ours: Callable[[], keras.layers.Layer]
    theirs: Callable[[], keras.layers.Layer]
    shape: tuple[int, ...]


def cases() -> list[Case]:
    conv = (32, 32, 32, 64)
    mha_kw = {"num_heads": 8, "key_dim": 32}
    return [
        Case(
            "Conv2D 3x3 s1, padding=1 vs 'same'",
            lambda: layers.Conv2D(64, 3, 1, padding=1),
            lambda: keras.layers.Conv2D(64, 3, 1, padding="same"),
            conv,
        ),
        Case(
            "Conv2D 3x3 s2, padding=1 vs 'same'",
            lambda: layers.Conv2D(64, 3, 2, padding=1),
            lambda: keras.layers.Conv2D(64, 3, 2, padding="same"),
            conv,
        ),
        Case(
            "Conv2D 3x3 s2, 'same' vs 'same'",
            lambda: layers.Conv2D(64, 3, 2, padding="same"),
            lambda: keras.layers.Conv2D(64, 3, 2, padding="same"),
            conv,
        ),
        Case(
            "MultiHeadAttention seq 128",
            lambda: layers.MultiHeadAttention(**mha_kw),
            lambda: keras.layers.MultiHeadAttention(**mha_kw),
            (16, 128, 256),
        ),
        Case(
            "MultiHeadAttention seq 512",
            lambda: layers.MultiHeadAttention(**mha_kw),
            lambda: keras.layers.MultiHeadAttention(**mha_kw),
            (16, 512, 256),
        ),
        Case(
            "LayerNorm (32, 128, 256)",
            lambda: layers.LayerNorm(epsilon=1e-6),
            lambda: keras.layers.LayerNormalization(epsilon=1e-6),
            (32, 128, 256),
        ),
    ]


def _inputs(layer: keras.layers.Layer, x) -> tuple:
    """Keras's attention takes (query, value); self-attention passes x twice."""
    return (x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else (x,)


def _training(layer: keras.layers.Layer) -> dict[str, bool]:
    """``training=True`` for the layers whose ``call`` takes it."""
    return {"training": True} if "training" in inspect.signature(layer.call).parameters else {}


def _apply(layer: keras.layers.Layer, x):
    return layer(*_inputs(layer, x), **_training(layer))


def make_step(layer: keras.layers.Layer, x: np.ndarray) -> Callable[[], object]:
    """A compiled forward+backward step, for the active backend."""
    _apply(layer, x)  # build
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensor = tf.constant(x)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(_apply(layer, tensor)))
            return tape.gradient(loss, layer.trainable_variables)

        return lambda: [g.numpy() for g in step()]
    if backend == "jax":
        import jax

        trainable = [v.value for v in layer.trainable_variables]
        frozen = [v.value for v in layer.non_trainable_variables]

        def loss_fn(weights, data):
            out, _ = layer.stateless_call(
                weights, frozen, *_inputs(layer, data), **_training(layer)
            )
            return jax.numpy.mean(jax.numpy.square(out))

        grad = jax.jit(jax.grad(loss_fn))
        data = jax.numpy.asarray(x)
        return lambda: jax.block_until_ready(grad(trainable, data))
    raise SystemExit(f"unsupported backend {backend}")


def time_step(step: Callable[[], object], min_seconds: float) -> float:
    """Seconds per step, from as many steps as fill ``min_seconds``."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds or count < 3:
        step()
        count += 1
    return elapsed / count


def run_case(case: Case, reps: int, min_seconds: float) -> dict[str, float]:
    x = np.random.default_rng(0).standard_normal(case.shape).astype("float32")
    steps = {"ours": make_step(case.ours(), x), "keras": make_step(case.theirs(), x)}
    for step in steps.values():  # compile and warm up
        time_step(step, min_seconds / 2)
    times: dict[str, list[float]] = {"ours": [], "keras": []}
    for rep in range(reps):
        order = ("ours", "keras") if rep % 2 == 0 else ("keras", "ours")
        for key in order:
            times[key].append(time_step(steps[key], min_seconds))
    ratios = [o / k for o, k in zip(times["ours"], times["keras"], strict=True)]
    return {
        "ours_ms": statistics.median(times["ours"]) * 1e3,
        "keras_ms": statistics.median(times["keras"]) * 1e3,
        "ratio": statistics.median(ratios),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="interleaved repetitions")
    parser.add_argument("--seconds", type=float, default=0.3, help="minimum time per timing")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    print(f"backend {keras.backend.backend()}, {args.reps} interleaved repetitions, medians\n")
    print("| case | NetLab ms | Keras ms | NetLab / Keras |")
    print("|---|---:|---:|---:|")
    for case in cases():
        if args.only in case.name:
            r = run_case(case, args.reps, args.seconds)
            print(
                f"| {case.name} | {r['ours_ms']:.2f} | {r['keras_ms']:.2f} | {r['ratio']:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
