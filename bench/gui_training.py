"""The GUI while it trains: event-loop stalls, and training speed with the GUI attached.

Trains the ResNet-34 small-input template (32x32x3, random images from an .npz
file) on the CPU, alternately through the engine alone and from the Training
tab of the main window (plots drawing, a 20 ms timer recording how late it
fires). Figures: the longest event-loop stall (target < 50 ms) and samples/s of
the epochs after the first, GUI attached / engine alone (target >= 0.95),
medians of interleaved repetitions.

    QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/gui_training.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab.data import load_dataset  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.templates import new_project  # noqa: E402
from netlab.training import TrainingRun  # noqa: E402
from ui.document import Document  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

TICK_MS = 20


def config(data_path: str, epochs: int) -> dict:
    return {**default_training_config(), "dataset": data_path, "validation_split": 0.0,
            "batch_size": 32, "epochs": epochs}  # fmt: skip


def rate(record, images: int) -> float:
    return images / statistics.median(e["seconds"] for e in record.epochs[1:])


def engine_alone(cfg: dict, images: int) -> float:
    run = TrainingRun(new_project("resnet34-small").graph, load_dataset(cfg["dataset"]), cfg)
    run.subscribe(lambda event: None)
    record = run.run()
    run.wait()
    return rate(record, images)


def _phase(panel) -> str:
    """``building`` (model built and compiled), ``training`` (batches coming), or ``ending``
    (the worker has finished; the GUI stores the run and its weights)."""
    live, run = getattr(panel, "live", None), panel.controller.run if panel.controller else None
    if run is not None and run.record.finished is not None:
        return "ending"
    return "training" if live is not None and len(live.batch_loss) > 0 else "building"


def with_gui(window: MainWindow, app: QApplication, cfg: dict, images: int) -> tuple[float, float]:
    project = new_project("resnet34-small")
    project.training = dict(cfg)
    window.set_document(Document(project, name="bench"))
    window.tabs.setCurrentWidget(window.training)
    panel = window.training
    clock, gaps = QElapsedTimer(), []  # (late by ms, whether batches were already coming)
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: gaps.append((clock.restart() - TICK_MS,
                                               _phase(panel))))
    loop = QEventLoop()
    panel.train_button.click()
    panel.controller.ended.connect(lambda _event: QTimer.singleShot(200, loop.quit))
    panel.controller.failed.connect(lambda _message: loop.quit())
    clock.start()
    timer.start()
    loop.exec()  # as the application runs: Qt waits for events, no polling
    timer.stop()
    record = project.runs[-1]
    worst = {phase: max((g for g, p in gaps if p == phase), default=0)
             for phase in ("building", "training", "ending")}  # fmt: skip
    return rate(record, images), (worst["building"], worst["training"], worst["ending"])


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
    alone, attached, stalls = [], [], []
    for rep in range(reps):
        order = ("alone", "gui") if rep % 2 == 0 else ("gui", "alone")
        for mode in order:
            if mode == "alone":
                alone.append(engine_alone(cfg, images))
            else:
                speed, stall = with_gui(window, app, cfg, images)
                attached.append(speed)
                stalls.append(stall)
            stall = (f", longest stall building {stalls[-1][0]} ms, training {stalls[-1][1]} ms,"
                     f" storing the run {stalls[-1][2]} ms" if stalls else "")  # fmt: skip
            print(f"rep {rep} {mode}: {(alone if mode == 'alone' else attached)[-1]:.1f} "
                  f"samples/s" + (stall if mode == "gui" else ""), flush=True)  # fmt: skip
    ratios = [a / b for a, b in zip(attached, alone, strict=True)]
    print(f"\nResNet-34 small, {images} images, batch 32, {reps} interleaved repetitions")
    print("| figure | value | target |\n|---|---:|---:|")
    print(f"| engine alone, samples/s (median) | {statistics.median(alone):.1f} | |")
    print(f"| GUI attached, samples/s (median) | {statistics.median(attached):.1f} | |")
    print(f"| GUI attached / alone (median of paired ratios) | {statistics.median(ratios):.3f} "
          "| >= 0.95 |")  # fmt: skip
    print(f"| longest event-loop stall while training, ms (worst run) | "
          f"{max(s[1] for s in stalls)} | < 50 |")
    print(f"| longest stall while building the model, ms (worst run) | "
          f"{max(s[0] for s in stalls)} | |")
    print(f"| longest stall while storing the finished run, ms (worst run) | "
          f"{max(s[2] for s in stalls)} | |")  # fmt: skip
    window.document.undo_stack.setClean()
    window.document._changed_outside_undo = False
    window.close()


if __name__ == "__main__":
    main()
