"""Screenshots of the Sweeps tab: a TPE sweep of the MLP's learning rate and widths.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/sweep_screenshots.py
    (or under Xvfb with DISPLAY=:99)

Saves docs/images/sweeps.png (the table and the parallel coordinates after the
sweep, the best trial selected) and docs/images/sweeps-curves.png (the Training
tab with the curves of the three best trials).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

from PySide6.QtCore import QTimer  # noqa: E402

from netlab.templates import new_project  # noqa: E402
from tools._window import screenshot_window  # noqa: E402
from ui.document import Document  # noqa: E402


def main() -> None:
    app, window = screenshot_window()
    project = new_project("mlp")
    project.training.update(epochs=6, schedule="constant")
    window.set_document(Document(project, name="mlp"))
    panel = window.sweeps
    window.tabs.setCurrentWidget(panel)
    panel.dimensions.setPlainText("learning_rate=1e-4:1e-1:log\nunits@hidden1=16,32,64,128\n"
                                  "optimizer=adam,sgd")  # fmt: skip
    panel.trials.setValue(12)
    panel.jobs.setValue(2)
    assert panel.start()

    def ended() -> None:
        sweep = window.document.project.sweeps[0]
        panel.select_trial(sweep.best().number)
        app.processEvents()
        window.grab().save(str(OUT / "sweeps.png"))
        print("saved docs/images/sweeps.png", flush=True)
        best = sorted((t for t in sweep.trials if t.score is not None), key=lambda t: t.score)
        panel.table.clearSelection()
        for trial in best[:3]:
            for row in range(panel.table.rowCount()):
                if int(panel.table.item(row, 0).text()) == trial.number:
                    panel.table.selectionModel().select(
                        panel.table.model().index(row, 0),
                        panel.table.selectionModel().SelectionFlag.Select
                        | panel.table.selectionModel().SelectionFlag.Rows)
        panel.curves_button.click()
        app.processEvents()
        QTimer.singleShot(500, lambda: (window.grab().save(str(OUT / "sweeps-curves.png")),
                                        print("saved docs/images/sweeps-curves.png"),
                                        window.document.mark_saved("x.netlab"),
                                        window.close(), app.quit()))  # fmt: skip

    panel.ended.connect(ended)
    app.exec()


if __name__ == "__main__":
    main()
