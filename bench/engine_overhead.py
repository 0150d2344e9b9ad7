"""Training through the engine (events on, a listener attached) against plain ``fit``.

Each repetition builds the model afresh and trains a few epochs, plain and
through the engine in alternating order, both compiled alike (XLA off, as the
engine does on CPUs); the figure is samples/s over the epochs after the first
(compiled, warm), median over repetitions of the engine / plain ratio.
Target: engine >= 0.97 x plain.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/engine_overhead.py [--reps 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from netlab import templates  # noqa: E402
from netlab.data import load_dataset  # noqa: E402
from netlab.data.dataset import Dataset  # noqa: E402
from netlab.graph.builder import build_model  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.training import TrainingRun  # noqa: E402
from netlab.training.setup import optimizer, prepare_arrays, steps_per_epoch  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    """Only epoch boundaries: nothing per batch."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def plain(graph, dataset, config) -> float:
    arrays = prepare_arrays(dataset, config)
    keras.utils.set_random_seed(config["seed"])
    model = build_model(graph)
    steps = steps_per_epoch(len(arrays["x_train"]), config["batch_size"])
    model.compile(
        optimizer(config, steps),
        config["loss"],
        metrics=list(config["metrics"]),
        jit_compile=config["xla"],
    )  # as the engine compiles (XLA off on CPU)
    timer = EpochTimer()
    model.fit(arrays["x_train"], arrays["y_train"], batch_size=config["batch_size"],
              epochs=config["epochs"], verbose=0, callbacks=[timer])  # fmt: skip
    return len(arrays["x_train"]) / statistics.median(timer.seconds[1:])


def engine(graph, dataset, config) -> float:
    run = TrainingRun(graph, dataset, config)
    received = []
    run.subscribe(received.append)  # a listener, as the GUI attaches one
    record = run.run()
    run.wait()
    n = len(dataset.x) - round(len(dataset.x) * config["validation_split"])
    return n / statistics.median(e["seconds"] for e in record.epochs[1:])


def cases():
    digits = load_dataset("digits")
    rng = np.random.default_rng(0)
    images = Dataset("random32", rng.standard_normal((256, 32, 32, 3)).astype("float32"),
                     np.arange(256) % 10, kind="image")  # fmt: skip
    base = {**default_training_config(), "validation_split": 0.0, "epochs": 2}
    return [
        ("small CNN, digits, batch 32", templates.cnn(), digits,
         {**base, "batch_size": 32, "epochs": 6}),
        ("ResNet-34 small, 32x32x3, batch 32", templates.resnet34(small=True), images,
         {**base, "batch_size": 32}),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    print(f"backend {keras.backend.backend()}, {args.reps} interleaved repetitions\n")
    print("| model | plain fit samples/s | engine samples/s | engine / plain |")
    print("|---|---:|---:|---:|")
    for name, graph, dataset, config in cases():
        if args.only not in name:
            continue
        ratios, ours, theirs = [], [], []
        for rep in range(args.reps):
            order = (plain, engine) if rep % 2 == 0 else (engine, plain)
            result = {fn.__name__: fn(graph, dataset, config) for fn in order}
            ours.append(result["engine"])
            theirs.append(result["plain"])
            ratios.append(result["engine"] / result["plain"])
        print(f"| {name} | {statistics.median(theirs):,.0f} | {statistics.median(ours):,.0f} | "
              f"{statistics.median(ratios):.3f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
