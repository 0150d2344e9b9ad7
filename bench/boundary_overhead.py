"""The cost to training of drawing the decision boundary live, once per epoch.

As in the window: the run trains in a worker process and hands over each
epoch's weights; here a thread of this process follows it the way the Training
tab does (it loads the newest epoch's weights and computes the 100x100 grid and
every hidden unit's map with :class:`netlab.inspect.boundary.BoundaryTracker`).
Each repetition trains the playground template on the spirals twice, with and
without the follower, in alternating order; the figure is training samples/s
between the first and the last epoch end (epochs after the first, compiled),
median over repetitions of the with / without ratio. Target (issue 15): the
boundary slows training by at most 5%.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/boundary_overhead.py [--reps 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from netlab import templates  # noqa: E402
from netlab.data import load_dataset  # noqa: E402
from netlab.inspect.boundary import BoundaryTracker  # noqa: E402
from netlab.training import EpochEnded  # noqa: E402
from netlab.training.processes import ProcessRun, WorkerPool, epoch_weights  # noqa: E402


def one_run(pool: WorkerPool, project, dataset, follow: bool) -> tuple[float, int]:
    """Samples/s of the warm epochs, and how many boundaries were drawn meanwhile."""
    ends: list[float] = []

    def on_event(event) -> None:
        if isinstance(event, EpochEnded):
            ends.append(time.perf_counter())

    run = ProcessRun(pool, project.graph.to_dict(), dict(project.training), None, "run1",
                     "bench", on_event)  # fmt: skip
    drawn = [0]
    done = threading.Event()

    def follower() -> None:
        tracker = BoundaryTracker(project.graph, dataset, project.training)
        shown = -1
        while not done.is_set():
            epoch = run.epochs_with_weights
            if epoch > shown:
                weights = epoch_weights(run.folder / "epoch")
                if weights is not None:
                    tracker.update(weights)
                    drawn[0] += 1
                    shown = epoch
            time.sleep(0.1)  # the Training tab asks on its 100 ms timer

    thread = threading.Thread(target=follower, daemon=True)
    if follow:
        thread.start()
    run.start()
    run.wait()
    done.set()
    if follow:
        thread.join()
    run.cleanup()
    assert run.record is not None
    assert run.record.status == "finished", run.record.reason
    train = round(len(dataset.x) * (1 - project.training["validation_split"]))
    return train * (len(ends) - 1) / (ends[-1] - ends[0]), drawn[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    project = templates.new_project("playground")
    project.training["epochs"] = args.epochs
    dataset = load_dataset("spirals")
    pool = WorkerPool()
    ratios, rates, drawn = [], {True: [], False: []}, []
    try:
        pool.warm()
        for rep in range(args.reps):
            measured = {}
            for follow in ((True, False) if rep % 2 == 0 else (False, True)):
                measured[follow], count = one_run(pool, project, dataset, follow)
                rates[follow].append(measured[follow])
                if follow:
                    drawn.append(count)
            ratios.append(measured[True] / measured[False])
            print(f"rep {rep}: with {measured[True]:,.0f}/s ({drawn[-1]} boundaries), without "
                  f"{measured[False]:,.0f}/s, ratio {ratios[-1]:.3f}", flush=True)
    finally:
        pool.close()
    print(f"with the boundary {statistics.median(rates[True]):,.0f} samples/s, without "
          f"{statistics.median(rates[False]):,.0f}; median ratio {statistics.median(ratios):.3f} "
          f"(target >= 0.95); {statistics.median(drawn)} boundaries per run of {args.epochs} "
          "epochs")


if __name__ == "__main__":
    main()
