"""Time of a full shape inference + validation pass over the largest template.

Issue 3 budget: <= 20 ms for ResNet-34 expanded to individual layers. The
baseline in the same process is Keras building the same model symbolically
(what the editor would otherwise wait for on each edit).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/shape_inference.py
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from netlab import templates  # noqa: E402
from netlab.graph.analysis import analyse  # noqa: E402


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    from netlab.graph.builder import build_model

    print("| graph | nodes | analyse ms (median) | Keras symbolic build ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name in ("resnet34-expanded", "resnet34", "vit-b16"):
        graph = templates.from_template(name)
        analyse(graph)
        ours, keras_build = [], []
        for _ in range(5):  # interleaved
            ours += _timed(lambda g=graph: analyse(g), 20)
            keras_build += _timed(lambda g=graph: build_model(g), 1)
        a, k = statistics.median(ours) * 1e3, statistics.median(keras_build) * 1e3
        print(f"| {name} | {len(graph.nodes)} | {a:.2f} | {k:.0f} | {a / k:.4f} |", flush=True)


if __name__ == "__main__":
    main()
