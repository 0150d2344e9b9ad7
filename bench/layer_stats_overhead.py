"""The cost of recording gradient norms and histograms: the engine with and without.

Each repetition trains the default example (the small CNN on the digits, the
project's default settings) through the engine three times, in rotating order:
nothing recorded, gradient norms and update ratios only (``layer_stats``), and
those with the histograms of weights and outputs each epoch (``histograms``,
the default). The figure is training samples/s over the epochs after the first
(compiled, warm), as the engine times them (epoch-end work included, since the
histograms are taken there); median over repetitions of each ratio to nothing
recorded. Target (issue 15): the gradient records cost at most 3%.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/layer_stats_overhead.py [--reps 9]

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from netlab import templates  # noqa: E402
from netlab.data import load_dataset  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.training import EpochEnded, TrainingRun  # noqa: E402


def samples_per_second(graph, dataset, config) -> float:
    """Training samples/s of the warm epochs, from the wall clock between epoch ends."""
    ends: list[float] = []
    run = TrainingRun(graph, dataset, config)
    run.subscribe(lambda e: ends.append(time.perf_counter()) if isinstance(e, EpochEnded)
                  else None)  # fmt: skip
    record = run.run()
    run.wait()
    assert record.status == "finished", record.reason
    train = round(len(dataset.x) * (1 - config["validation_split"]))
    # Between the first epoch's end and the last's: every later epoch, epoch ends and all.
    return train * (len(ends) - 1) / (ends[-1] - ends[0])


CONFIGS = {"off": {"layer_stats": False, "histograms": False},
           "gradients": {"layer_stats": True, "histograms": False},
           "gradients+histograms": {"layer_stats": True, "histograms": True}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args()
    dataset = load_dataset("digits")
    base = {**default_training_config(), **templates.TEMPLATES["cnn"].training,
            "epochs": args.epochs}
    names = list(CONFIGS)
    rates: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(args.reps):
        for name in names[rep % 3:] + names[:rep % 3]:
            rates[name].append(samples_per_second(templates.cnn(), dataset,
                                                  {**base, **CONFIGS[name]}))  # fmt: skip
        print(f"rep {rep}: " + ", ".join(f"{n} {rates[n][-1]:,.0f}/s" for n in names), flush=True)
    print(f"{keras.backend.backend()}, samples/s (median): "
          + ", ".join(f"{n} {statistics.median(rates[n]):,.0f}" for n in names))
    for name in names[1:]:
        ratios = [on / off for on, off in zip(rates[name], rates["off"], strict=True)]
        print(f"  {name} / off: median ratio {statistics.median(ratios):.3f}"
              + (" (target >= 0.97)" if name == "gradients" else ""))


if __name__ == "__main__":
    main()
