"""Time to refresh the activation previews: one forward pass for every layer, and the pictures.

What View > Activations on the Canvas does after an edit, an epoch or another
example: ``layer_outputs`` (one pass returning every layer's output) and a
preview per layer on a worker thread, then the pictures as images for the
scene on the GUI thread. Figures: the first refresh after the model is built
(it builds the multi-output model) and the median of later ones (a new example
or new weights), for the default example (the small CNN on the digits) and
ResNet-34 small (32x32x3, 23 nodes, ~90 layers inside its blocks).

    OPENBLAS_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen .venv/bin/python bench/activation_previews.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab import templates  # noqa: E402
from netlab.graph.builder import build_model  # noqa: E402
from netlab.inspect.activations import layer_outputs, preview  # noqa: E402
from ui.canvas.previews import preview_image  # noqa: E402


def refresh(model, sample) -> tuple[float, float]:
    """Seconds of the worker's part (pass and previews) and of the GUI's (images)."""
    started = time.perf_counter()
    found = {name: preview(array) for name, array in layer_outputs(model, sample).items()}
    middle = time.perf_counter()
    images = [preview_image(p) for p in found.values()]
    assert all(not image.isNull() for image in images)
    return middle - started, time.perf_counter() - middle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    for name in ("cnn", "resnet34-small"):
        keras.utils.set_random_seed(0)
        model = build_model(templates.from_template(name))
        shape = tuple(model.inputs[0].shape[1:])
        first = refresh(model, rng.standard_normal(shape).astype("float32"))
        later = [refresh(model, rng.standard_normal(shape).astype("float32"))
                 for _ in range(args.reps)]  # fmt: skip
        worker = statistics.median(t for t, _ in later)
        gui = statistics.median(t for _, t in later)
        print(f"{name} ({len(model.layers)} layers, {keras.backend.backend()}): first refresh "
              f"{sum(first):.2f} s; later ones {worker * 1000:.0f} ms on the worker + "
              f"{gui * 1000:.1f} ms on the GUI thread (median of {args.reps})")


if __name__ == "__main__":
    main()
