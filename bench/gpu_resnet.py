"""ResNet-34 on a GPU (JAX backend): the engine against plain ``fit`` and a device-resident step.

Three ways to train the same Keras model (the ResNet-34 template, mixed
bfloat16, SGD with momentum) on the same random images:

- plain: ``model.fit`` from NumPy arrays (Keras copies every batch to the device);
- resident step: the model's stateless ``train_step`` jitted, called on one
  batch already on the device (the ceiling: no input path at all);
- engine: ``netlab.training.TrainingRun`` with a listener attached, as the GUI
  and the command line train (data kept on the device, events on).

Figures are images/s over whole epochs after the first (compiled, warm);
plain and resident are repeated between the engine runs, medians reported.
Target: engine >= 0.9 x resident step (about 2x plain). "engine (streamed)" is
the engine as if the data did not fit on the device: worker threads gather the
batches and copy them several steps ahead; "engine (uint8, streamed)" streams
the same images kept as uint8 pixels (a quarter of the bytes), converted and
scaled on the device inside the step, as an image folder or a uint8 .npy trains.

    KERAS_BACKEND=jax python bench/gpu_resnet.py [--size 224 --batch 256 --images 5120]
    KERAS_BACKEND=jax python bench/gpu_resnet.py --small --device cpu   # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from netlab import templates  # noqa: E402
from netlab.data.dataset import Dataset  # noqa: E402
from netlab.graph.builder import build_model  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.training import TrainingRun  # noqa: E402
from netlab.training.setup import optimizer, steps_per_epoch  # noqa: E402


def pixels(args) -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (args.images, args.size, args.size, 3), dtype=np.uint8)
    y = np.arange(args.images) % args.classes
    return Dataset("random pixels", x, y, class_names=[str(c) for c in range(args.classes)],
                   kind="image", scale=255.0)  # fmt: skip


def images(args, stored: Dataset) -> Dataset:
    """The pixels as float32 on the host (what the resident and plain arms train on)."""
    x = stored.x.astype(np.float32) * np.float32(1 / 255)
    return Dataset("random images", x, stored.y, class_names=stored.class_names, kind="image")


def config(args, epochs: int) -> dict:
    return {**default_training_config(), "validation_split": 0.0, "standardize": False,
            "optimizer": "sgd", "learning_rate": 0.01, "batch_size": args.batch,
            "epochs": epochs, "loss": "sparse_categorical_crossentropy",
            "device": args.device, "precision": args.precision}  # fmt: skip


def keras_model(graph, args, data):
    cfg = config(args, 1)
    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(args.precision)
    model = build_model(graph)
    keras.config.set_dtype_policy("float32")
    model.compile(optimizer(cfg, steps_per_epoch(args.images, args.batch)),
                  cfg["loss"], metrics=["accuracy"], jit_compile=True)  # fmt: skip
    return model


def plain_epoch(model, data, args) -> float:
    start = time.perf_counter()
    model.fit(data.x, data.y, batch_size=args.batch, epochs=1, verbose=0)
    return args.images / (time.perf_counter() - start)


class ResidentStep:
    """The model's jitted stateless train step on one batch that lives on the device."""

    def __init__(self, model, data, args) -> None:
        device = jax.devices(args.device.split(":")[0])[0]
        self.batch = jax.device_put((data.x[:args.batch], data.y[:args.batch]), device)
        model._symbolic_build(data_batch=(data.x[:args.batch], data.y[:args.batch]))
        self.state = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            [v.value for v in model.optimizer.variables],
            [v.value for v in model.metrics_variables],
        )
        self.step = jax.jit(model.train_step)
        self.steps = args.images // args.batch

    def epoch(self, args) -> float:
        state = self.state
        start = time.perf_counter()
        for _ in range(self.steps):
            logs, state = self.step(state, self.batch)
        jax.block_until_ready((logs, state))
        self.state = state
        return self.steps * args.batch / (time.perf_counter() - start)


def loop_run(model, data, args) -> float:
    """The engine's JAX loop alone, with only an epoch timer (no engine callback)."""
    from engine_overhead import EpochTimer  # bench/ is on the path when a script here runs

    from netlab.training import jax_loop

    timer = EpochTimer()
    jax_loop.fit(model, data.x, data.y, batch_size=args.batch, epochs=2, seed=0,
                 device_id=args.device, validation=None, callbacks=[timer])  # fmt: skip
    print(f"loop epoch seconds {[round(t, 3) for t in timer.seconds]}", flush=True)
    return args.images / timer.seconds[-1]


def engine_run(graph, data, args, streamed: bool = False) -> tuple[float, str, float]:
    from netlab.training import jax_loop

    original = jax_loop.fits_on_device
    if streamed:  # as if the data set were larger than the device's memory
        jax_loop.fits_on_device = lambda arrays, device: False
    run = TrainingRun(graph, data, config(args, args.engine_epochs))
    events = []
    run.subscribe(events.append)  # a listener, as the GUI attaches one
    start = time.perf_counter()
    record = run.run()
    run.wait()
    jax_loop.fits_on_device = original
    total = time.perf_counter() - start
    if record.status != "finished":
        raise SystemExit(f"engine run {record.status}: {record.reason}")
    seconds = [round(e["seconds"], 3) for e in record.epochs]
    print(f"engine epoch seconds {seconds}; {len(events)} events received", flush=True)
    rate = args.images / statistics.median(e["seconds"] for e in record.epochs[1:])
    return rate, run.input_path, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--images", type=int, default=5120)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--device", default="gpu:0")
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--engine-epochs", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="ResNet-34 small (32x32, 10 classes)")
    parser.add_argument("--json", default="")
    parser.add_argument("--diagnose", action="store_true", help="also time the JAX loop alone")
    args = parser.parse_args()
    if args.small:
        args.size, args.classes = 32, 10
    jax.config.update("jax_compilation_cache_dir", "/tmp/netlab-jax-cache")
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    graph = templates.resnet34(small=args.small)
    device = jax.devices(args.device.split(":")[0])[0]
    print(f"JAX {jax.__version__}, Keras {keras.__version__}, {device.device_kind}; "
          f"{args.images} images {args.size}x{args.size}, batch {args.batch}, {args.precision}",
          flush=True)  # fmt: skip
    stored = pixels(args)
    data = images(args, stored)
    model = keras_model(graph, args, data)
    resident = ResidentStep(keras_model(graph, args, data), data, args)
    t = time.perf_counter()
    plain_epoch(model, data, args)
    print(f"plain fit compiled and warm in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    resident.epoch(args)
    print(f"resident step compiled and warm in {time.perf_counter() - t:.0f} s", flush=True)
    figures = {"plain": [], "resident": [], "engine": [], "engine (streamed)": [],
               "engine (uint8, streamed)": []}
    loop_model = None
    if args.diagnose:
        figures["loop"] = []
        loop_model = keras_model(graph, args, data)
    for rep in range(args.reps):
        names = ["plain", "resident", "engine", "engine (streamed)", "engine (uint8, streamed)"]
        for name in names if rep % 2 == 0 else names[::-1]:
            if name == "plain":
                figures[name].append(plain_epoch(model, data, args))
                if loop_model is not None:
                    figures["loop"].append(loop_run(loop_model, data, args))
                    print(f"rep {rep} loop: {figures['loop'][-1]:,.0f} images/s", flush=True)
            elif name == "resident":
                figures[name].append(resident.epoch(args))
            else:
                source = stored if "uint8" in name else data
                rate, path, total = engine_run(graph, source, args, streamed="streamed" in name)
                figures[name].append(rate)
                print(f"engine run ({path} data) took {total:.0f} s in all", flush=True)
            print(f"rep {rep} {name}: {figures[name][-1]:,.0f} images/s", flush=True)
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"\n| {device.device_kind} | images/s (median) |\n|---|---:|")
    for k, v in med.items():
        print(f"| {k} | {v:,.0f} |")
    print(f"streamed uint8 / resident step = "
          f"{med['engine (uint8, streamed)'] / med['resident']:.3f}")
    print(f"engine / resident step = {med['engine'] / med['resident']:.3f}; "
          f"engine / plain fit = {med['engine'] / med['plain']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"device": device.device_kind, "runs": figures,
                                               "args": vars(args)}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
