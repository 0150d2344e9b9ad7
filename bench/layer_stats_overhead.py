"""The cost of recording gradient norms and histograms: the engine with and without.

Each repetition trains the default example (the small CNN on the digits, the
project's default settings) through the engine twice, recording on and off,
in alternating order. The figure is training samples/s over the epochs after
the first (compiled, warm), as the engine times them (epoch-end work
included, since the histograms are taken there); median over repetitions of
the on / off ratio. Target (issue 15): recording costs at most 3%.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/layer_stats_overhead.py [--reps 7]
"""

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    dataset = load_dataset("digits")
    base = {**default_training_config(), **templates.TEMPLATES["cnn"].training,
            "epochs": args.epochs}
    ratios, rates = [], {True: [], False: []}
    for rep in range(args.reps):
        order = (True, False) if rep % 2 == 0 else (False, True)
        measured = {}
        for on in order:
            measured[on] = samples_per_second(templates.cnn(), dataset,
                                              {**base, "layer_stats": on})  # fmt: skip
            rates[on].append(measured[on])
        ratios.append(measured[True] / measured[False])
        print(f"rep {rep}: on {measured[True]:,.0f}/s, off {measured[False]:,.0f}/s, "
              f"ratio {ratios[-1]:.3f}", flush=True)
    print(f"{keras.backend.backend()}: recording on {statistics.median(rates[True]):,.0f} "
          f"samples/s, off {statistics.median(rates[False]):,.0f}; median ratio "
          f"{statistics.median(ratios):.3f} (target >= 0.97)")


if __name__ == "__main__":
    main()
