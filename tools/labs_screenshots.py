"""Screenshots of a finished lab, the Runs view and an exercise (offscreen, real training).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/labs_screenshots.py [exercise]

Saves docs/images/labs-depth.png, runs-view.png and exercise-goals.png, and prints
what each shows, so a run proves the views worked, not only how they look.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

from PySide6.QtWidgets import QApplication, QTableWidgetSelectionRange  # noqa: E402

from netlab.graph.commands import SetParam  # noqa: E402
from netlab.project.exercise import Exercise, Goal  # noqa: E402
from netlab.templates import new_project  # noqa: E402
from tools._window import screenshot_window, wait  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.document import Document  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def save(window: MainWindow, name: str, note: str) -> None:
    window.grab().save(str(OUT / name))
    print(f"saved docs/images/{name}: {note}", flush=True)


def main() -> None:
    app, window = screenshot_window()
    if sys.argv[1:] != ["exercise"]:  # the lab and the Runs view: two minutes of training
        lab_and_runs(app, window)
    exercise(app, window)
    dialogs.unsaved_changes = lambda *args, **kwargs: "discard"  # type: ignore[assignment]
    window.close()


def lab_and_runs(app: QApplication, window: MainWindow) -> None:
    window.show_lab("depth")
    window.labs.start(quick=False)
    wait(app, lambda: window.labs.result is not None and not window.labs.running)
    result = window.labs.result
    save(window, "labs-depth.png", f"{len(result.arms)} arms, verdicts "
         f"{[held for _, held in result.verdicts()]}, {result.seconds:.0f} s")

    window.tabs.setCurrentWidget(window.runs)
    wait(app, lambda: window.runs.table.rowCount() > 0)
    table = window.runs.table
    rows = [r for r in range(table.rowCount()) if "44" in table.item(r, 0).text()]
    for row in rows:
        table.setRangeSelected(QTableWidgetSelectionRange(row, 0, row, table.columnCount() - 1),
                               True)  # fmt: skip
    window.runs.show_diff()
    save(window, "runs-view.png", f"{table.rowCount()} runs, {len(window.runs.selected())} "
         f"selected, diff {len(window.runs.diff.toPlainText().splitlines())} lines")


def exercise(app: QApplication, window: MainWindow) -> None:
    project = new_project("cnn")
    project.exercise = Exercise([
        Goal("output_shape", (4, 4, 32), node="conv2"), Goal("max_parameters", 10_000),
        Goal("max_flops", 100_000), Goal("uses_layer", "BatchNorm"),
        Goal("min_val_accuracy", 0.95)], locked=["digits", "classifier"])  # fmt: skip
    window.set_document(Document(project, name="exercise (new)"))
    window.tabs.setCurrentWidget(window.canvas)
    window.docks["goals"].raise_()
    conv2 = window.document.graph.node_by_name("conv2").id
    window.execute(SetParam(conv2, "filters", 16, "Change filters"))
    wait(app, lambda: window.goals.list.count() == 5)
    window.canvas.reset_zoom()
    window.canvas.zoom_by(0.62)
    window.canvas.centerOn(window.scene.nodes[conv2])
    wait(app, lambda: True)
    locked = [n for n, item in window.scene.nodes.items() if item.state and item.state.locked]
    save(window, "exercise-goals.png", f"{window.goals.summary.text()}, {len(locked)} padlocks")


if __name__ == "__main__":
    main()
