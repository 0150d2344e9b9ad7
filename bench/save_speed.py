"""Saving a trained ResNet-34 project: file speed, and how long the window stalls meanwhile.

Targets (issue 13): a save <= 2x a raw NumPy write of the same arrays to the
same folder (``numpy.save`` of each, fsynced, as a save is); the longest
event-loop stall of the window during Save and during an autosave <= 50 ms.
Interleaved repetitions, medians.

The raw write is measured twice: into new files (what a save does: it never
overwrites the old file in place, so a crash cannot leave half of each) and
over the files of the last repetition (the disk reuses their blocks, about 3x
faster here, but no safe save can write that way).

    QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/save_speed.py
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

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab.graph.analysis import analyse  # noqa: E402
from netlab.project import Project, save_project  # noqa: E402
from netlab.templates import from_template  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.document import Document  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def trained_resnet() -> Project:
    """ResNet-34 with random weights of the shapes training leaves (21.8 M parameters)."""
    graph = from_template("resnet34")
    rng = np.random.default_rng(0)
    analysis = analyse(graph)
    weights = {graph.nodes[i].name: [rng.standard_normal(w.shape).astype("float32")
                                     for w in specs]
               for i, specs in analysis.weights.items() if specs}  # fmt: skip
    return Project(graph, weights=weights)


def raw_write(folder: Path, project: Project, tag: str) -> float:
    """``numpy.save`` of every weight array into ``folder/<tag><name>_<i>.npy``, fsynced."""
    start = time.perf_counter()
    for name, arrays in (project.weights or {}).items():
        for i, array in enumerate(arrays):
            path = folder / f"{tag}{name}_{i}.npy"
            with open(path, "wb") as handle:
                np.save(handle, array)
                handle.flush()
                os.fsync(handle.fileno())
    return time.perf_counter() - start


def _remove(folder: Path, tag: str) -> None:
    for path in folder.glob(f"{tag}*.npy"):
        path.unlink()


def project_save(folder: Path, project: Project) -> float:
    start = time.perf_counter()
    save_project(folder / "trained.netlab", project)
    return time.perf_counter() - start


def longest_stall(app: QApplication, busy: callable, start: callable) -> float:
    """The longest gap between ticks of a 1 ms timer from ``start()`` until ``busy()`` is over."""
    clock, gaps = QElapsedTimer(), [0.0]
    timer = QTimer()
    timer.setInterval(1)
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last[0])
        last[0] = now

    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    start()
    last[0] = clock.nsecsElapsed() / 1e6
    while busy():
        app.processEvents()
    app.processEvents()
    timer.stop()
    return max(gaps)


def _autosaving(window: MainWindow) -> bool:
    task = window.files._autosaving
    return task is not None and task.running


def main() -> None:
    app = QApplication.instance() or QApplication([])
    project = trained_resnet()
    size = sum(a.nbytes for arrays in project.weights.values() for a in arrays) / 2**20
    reps = int(os.environ.get("REPS", "5"))
    raw, overwrite, saved, stalls, autostalls = [], [], [], [], []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, str(folder / "recovery.netlab"), load_backend=False)
        window.show()
        window.set_document(Document(project, path=str(folder / "window.netlab")))
        dialogs.error = lambda *args: print("error:", args)  # type: ignore[assignment]
        raw_write(folder, project, "same_")
        for rep in range(reps):  # interleaved
            raw.append(raw_write(folder, project, f"new{rep}_"))
            _remove(folder, f"new{rep}_")
            overwrite.append(raw_write(folder, project, "same_"))
            saved.append(project_save(folder, project))
            window.document.mark_modified()
            stalls.append(longest_stall(app, lambda: window.files.saving is not None,
                                        window.files.save))  # fmt: skip
            window.document.mark_modified()
            autostalls.append(longest_stall(app, lambda: _autosaving(window),
                                            window.files.autosave))  # fmt: skip
        window.document.mark_saved(window.document.path or "unsaved.netlab")
        window.files.clear_recovery()
        window.close()
    raw_s, saved_s = statistics.median(raw), statistics.median(saved)
    over_s = statistics.median(overwrite)
    print(f"trained ResNet-34: {size:.0f} MiB of float32 weights; {reps} interleaved repetitions")
    print(f"raw NumPy write (np.save per array, fsync) into new files: {raw_s:.2f} s; over the "
          f"same files again: {over_s:.2f} s")  # fmt: skip
    print(f"save_project: {saved_s:.2f} s = {saved_s / raw_s:.2f}x the raw write into new files "
          f"(target <= 2); {saved_s / over_s:.2f}x the rewrite in place")  # fmt: skip
    print(f"longest event-loop stall during File > Save: {statistics.median(stalls):.1f} ms "
          f"(worst {max(stalls):.1f}; target <= 50)")  # fmt: skip
    print(f"longest event-loop stall during an autosave: {statistics.median(autostalls):.1f} ms "
          f"(worst {max(autostalls):.1f}; target <= 50)")  # fmt: skip


if __name__ == "__main__":
    main()
