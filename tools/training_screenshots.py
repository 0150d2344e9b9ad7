"""Screenshots of the Training tab during and after training the default example.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/training_screenshots.py
    (or under Xvfb with DISPLAY=:99)

Saves docs/images/training-during.png and docs/images/training-after.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

from PySide6.QtCore import QTimer  # noqa: E402

from tools._window import screenshot_window  # noqa: E402


def main() -> None:
    app, window = screenshot_window()
    panel = window.training
    window.tabs.setCurrentWidget(panel)
    state = {"runs": 0, "during": False}

    def start() -> None:
        panel.set_setting("epochs", 20 if state["runs"] == 0 else 12)
        panel.set_setting("learning_rate", 3e-3 if state["runs"] == 0 else 1e-3)
        panel.train_button.click()

    def watch() -> None:
        controller = panel.controller
        live = getattr(panel, "live", None)
        if live is not None and len(live.epochs) >= 6 and not state["during"]:
            state["during"] = True
            window.grab().save(str(OUT / "training-during.png"))
            print("saved docs/images/training-during.png", flush=True)
        if controller is not None and not panel.training:
            state["runs"] += 1
            if state["runs"] == 1:
                start()
            else:
                QTimer.singleShot(300, finish)
                return
        QTimer.singleShot(50, watch)

    def finish() -> None:
        window.grab().save(str(OUT / "training-after.png"))
        print("saved docs/images/training-after.png", flush=True)
        runs = window.document.project.runs
        print([(r.name, r.status, round(r.epochs[-1]["val_accuracy"], 4)) for r in runs])
        window.set_theme("dark")
        QTimer.singleShot(400, dark)

    def dark() -> None:
        window.grab().save(str(OUT / "training-dark.png"))
        print("saved docs/images/training-dark.png", flush=True)
        window.set_theme("light")
        window.resize(window.minimumSize())
        QTimer.singleShot(600, smallest)

    def smallest() -> None:
        window.grab().save(str(OUT / "training-minimum-size.png"))
        seen = panel.stop_button.isVisible() and not panel.stop_button.visibleRegion().isEmpty()
        print(f"saved docs/images/training-minimum-size.png ({window.width()}x{window.height()};"
              f" Stop visible: {seen})", flush=True)  # fmt: skip
        window.document.mark_saved("tour.netlab")
        window.close()

    QTimer.singleShot(1500, start)
    QTimer.singleShot(1600, watch)
    app.exec()


if __name__ == "__main__":
    main()
