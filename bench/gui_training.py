"""The GUI while it trains: event-loop stalls, training speed and start with the GUI attached.

Trains the ResNet-34 small-input template (32x32x3, random images from an .npz
file) on the CPU, alternately through the engine alone (in this process) and
from the Training tab of the main window (a worker process; plots drawing, a
1 ms timer recording how late it fires). Figures (issue 16): the longest
event-loop stall from pressing Train to the end of the run (target <= 16 ms);
samples/s of the epochs after the first, GUI attached / engine alone (target
>= 0.97); the time from Train to the first batch, against the engine alone in
this process with Keras imported (target: no worse). Medians of interleaved
repetitions.

    QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/gui_training.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab.data import load_dataset  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.templates import new_project  # noqa: E402
from netlab.training import TrainingRun  # noqa: E402
from ui.document import Document  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.training.runner import close_pool, pool  # noqa: E402

TICK_MS = 1


def config(data_path: str, epochs: int) -> dict:
    return {**default_training_config(), "dataset": data_path, "validation_split": 0.0,
            "batch_size": 32, "epochs": epochs}  # fmt: skip


def rate(record, images: int) -> float:
    return images / statistics.median(e["seconds"] for e in record.epochs[1:])


def engine_alone(cfg: dict, images: int) -> tuple[float, float]:
    """Samples/s, and seconds from the start to the first batch."""
    from netlab.training import BatchEnded

    started = time.perf_counter()
    first: list[float] = []
    run = TrainingRun(new_project("resnet34-small").graph, load_dataset(cfg["dataset"]), cfg)
    run.subscribe(lambda e: first.append(time.perf_counter())
                  if isinstance(e, BatchEnded) and not first else None)  # fmt: skip
    record = run.run()
    run.wait()
    return rate(record, images), first[0] - started


def _phase(panel) -> str:
    """``starting`` (until batches come), ``training``, or ``ending`` (the run has ended;
    the GUI reads its weights and stores it)."""
    controller, live = panel.controller, getattr(panel, "live", None)
    if controller is not None and controller.process.record is not None:
        return "ending"
    return "training" if live is not None and len(live.batch_loss) > 0 else "starting"


def with_gui(window: MainWindow, app: QApplication, cfg: dict,
             images: int) -> tuple[float, dict[str, float], float]:  # fmt: skip
    project = new_project("resnet34-small")
    project.training = dict(cfg)
    window.set_document(Document(project, name="bench"))
    window.tabs.setCurrentWidget(window.training)
    panel = window.training
    pool().warm()
    while not pool()._spare_ready():  # the spare worker has imported Keras, as a user's would
        app.processEvents()
        time.sleep(0.01)
    clock, gaps = QElapsedTimer(), []  # (late by ms, phase)
    first: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)

    def tick() -> None:
        gaps.append((clock.restart() - TICK_MS, _phase(panel)))
        if not first and _phase(panel) == "training":
            first.append(time.perf_counter())

    timer.timeout.connect(tick)
    loop = QEventLoop()
    started = time.perf_counter()
    clock.start()
    timer.start()
    panel.train_button.click()
    panel.controller.ended.connect(lambda _event: QTimer.singleShot(200, loop.quit))
    panel.controller.failed.connect(lambda _message: loop.quit())
    loop.exec()  # as the application runs: Qt waits for events, no polling
    timer.stop()
    record = project.runs[-1]
    worst = {phase: max((g for g, p in gaps if p == phase), default=0)
             for phase in ("starting", "training", "ending")}  # fmt: skip
    return rate(record, images), worst, first[0] - started


def main() -> None:
    reps = int(os.environ.get("REPS", "3"))
    images = int(os.environ.get("IMAGES", "256"))
    folder = tempfile.mkdtemp()
    data_path = os.path.join(folder, "random32.npz")
    rng = np.random.default_rng(0)
    np.savez(data_path, x=rng.standard_normal((images, 32, 32, 3)).astype("float32"),
             y=np.arange(images) % 10)  # fmt: skip
    cfg = config(data_path, 3)
    app = QApplication.instance() or QApplication([])
    settings = QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, None, load_backend=False)
    window.resize(1400, 900)
    window.show()
    alone, attached, stalls, starts_alone, starts_gui = [], [], [], [], []
    for rep in range(reps):
        order = ("alone", "gui") if rep % 2 == 0 else ("gui", "alone")
        for mode in order:
            if mode == "alone":
                speed, start = engine_alone(cfg, images)
                alone.append(speed)
                starts_alone.append(start)
                print(f"rep {rep} alone: {speed:.1f} samples/s, first batch after {start:.2f} s",
                      flush=True)  # fmt: skip
            else:
                speed, stall, start = with_gui(window, app, cfg, images)
                attached.append(speed)
                stalls.append(stall)
                starts_gui.append(start)
                print(f"rep {rep} gui: {speed:.1f} samples/s, first batch after {start:.2f} s, "
                      f"longest stall {stall}", flush=True)  # fmt: skip
    ratios = [a / b for a, b in zip(attached, alone, strict=True)]
    worst = {phase: max(s[phase] for s in stalls) for phase in ("starting", "training", "ending")}
    print(f"\nResNet-34 small, {images} images, batch 32, {reps} interleaved repetitions")
    print("| figure | value | target |\n|---|---:|---:|")
    print(f"| engine alone, samples/s (median) | {statistics.median(alone):.1f} | |")
    print(f"| GUI attached (worker process), samples/s (median) | "
          f"{statistics.median(attached):.1f} | |")  # fmt: skip
    print(f"| GUI attached / alone (median of paired ratios) | {statistics.median(ratios):.3f} "
          "| >= 0.97 |")  # fmt: skip
    print(f"| longest event-loop stall, Train to the end of the run, ms (worst run) | "
          f"{max(worst.values())} | <= 16 |")  # fmt: skip
    print(f"| ... while starting / training / storing, ms | {worst['starting']} / "
          f"{worst['training']} / {worst['ending']} | |")  # fmt: skip
    print(f"| Train to the first batch, s: GUI (warm worker) / engine alone in process | "
          f"{statistics.median(starts_gui):.2f} / {statistics.median(starts_alone):.2f} | "
          "no worse |")  # fmt: skip
    window.document.mark_saved("bench.netlab")
    window.close()
    close_pool()


if __name__ == "__main__":
    main()
