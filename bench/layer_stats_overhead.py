"""The cost of recording gradient norms and histograms, epoch against epoch.

Three copies of the default example (the small CNN on the digits, its template's
settings) are compiled as the engine compiles them: nothing recorded, the
optimizer that records each layer's gradient norm and update ratio inside the
step (``layer_stats``), and that one plus the epoch-end histograms of weights
and of the outputs for 32 examples (``histograms``, the default; the same
functions the engine's callback calls). Each repetition trains each copy one
epoch, in rotating order, timing the epoch with its epoch-end work; the figure
is the median over repetitions of each copy's epoch time against the unrecorded
copy's in the same repetition, as a samples/s ratio. Whole runs through the
engine vary by a quarter from run to run on this machine (it runs a whole fit
at one of two speeds), far more than the few percent measured here, so the
interleaving is per epoch. Target (issue 15): the gradient records cost at most 3%.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/layer_stats_overhead.py [--reps 40]
    KERAS_BACKEND=jax OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/layer_stats_overhead.py
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
from netlab.graph.builder import build_model  # noqa: E402
from netlab.inspect.histograms import activation_histograms, weight_histograms  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.training import layerstats, setup  # noqa: E402
from netlab.training.callback import HISTOGRAM_BINS  # noqa: E402
from netlab.training.engine import PROBE_EXAMPLES  # noqa: E402

CONFIGS = ("off", "gradients", "gradients+histograms")


def compiled(config: dict, steps: int, recording: bool):
    """The default example compiled as the engine compiles it (same seed, same optimizer)."""
    keras.utils.set_random_seed(config["seed"])
    model = build_model(templates.cnn())
    optimizer = setup.optimizer(config, steps)
    if recording:
        optimizer = layerstats.recording(optimizer, model, steps,
                                         layerstats.record_interval(steps))  # fmt: skip
    model.compile(optimizer=optimizer, loss=config["loss"],
                  metrics=list(config["metrics"]),
                  jit_compile=keras.backend.backend() == "jax")  # fmt: skip
    model.optimizer.build(model.trainable_variables)
    return model


def epoch(model, name: str, x, y, batch_size: int, steps: int) -> float:
    """Seconds of one training epoch with the epoch-end work of configuration ``name``."""
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    if name != "off":
        layerstats.read_epoch(model.optimizer, steps)
    if name == "gradients+histograms":
        weight_histograms(model, HISTOGRAM_BINS)
        activation_histograms(model, x[:PROBE_EXAMPLES], HISTOGRAM_BINS)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=40)
    args = parser.parse_args()
    config = {**default_training_config(), **templates.TEMPLATES["cnn"].training}
    dataset = load_dataset("digits")
    arrays = setup.prepare_arrays(dataset, config)
    x, y = arrays["x_train"], arrays["y_train"]
    steps = -(-len(x) // config["batch_size"])
    models = {name: compiled(config, steps, name != "off") for name in CONFIGS}
    for name, model in models.items():  # compiled and warm before anything is timed
        epoch(model, name, x, y, config["batch_size"], steps)
    seconds: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for rep in range(args.reps):
        for name in CONFIGS[rep % 3:] + CONFIGS[:rep % 3]:
            seconds[name].append(epoch(models[name], name, x, y, config["batch_size"], steps))
    print(f"{keras.backend.backend()}: {len(x)} training examples, {steps} steps an epoch, "
          f"{args.reps} repetitions; median epoch "
          + ", ".join(f"{n} {1e3 * statistics.median(seconds[n]):.1f} ms" for n in CONFIGS))
    for name in CONFIGS[1:]:
        ratios = [off / on for on, off in zip(seconds[name], seconds["off"], strict=True)]
        print(f"  {name} / off: median samples/s ratio {statistics.median(ratios):.3f}"
              + (" (target >= 0.97)" if name == "gradients" else ""))


if __name__ == "__main__":
    main()
