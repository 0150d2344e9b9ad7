"""Screenshots of the views that explain how a network computes and how it learns.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/learning_screenshots.py
    (or under Xvfb with DISPLAY=:99)

Saves docs/images/inspect-lecture.png (the lecture's kernel typed in, no training),
training-boundary.png and inspect-boundary.png (the playground MLP on spirals),
inspect-gradients-plain.png, inspect-gradients-residual.png (dark theme) and
inspect-histograms.png, and editor-activations.png (every node's output for one
digit). Prints what each view computed, so a run shows that the views worked.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab.project import Project, default_training_config  # noqa: E402
from netlab.templates import _Chain, new_project  # noqa: E402
from tools._window import screenshot_window, wait  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.document import Document  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

LECTURE = "1 2 1\n0 0 0\n-1 -2 -1"


def save(window: MainWindow, name: str, note: str) -> None:
    window.grab().save(str(OUT / name))
    print(f"saved docs/images/{name}: {note}", flush=True)


def train(app: QApplication, window: MainWindow, **settings: object) -> None:
    panel = window.training
    window.tabs.setCurrentWidget(panel)
    wait(app, lambda: panel.data.dataset is not None)
    for name, value in settings.items():
        panel.set_setting(name, value)
    runs = len(window.document.project.runs)
    panel.train_button.click()
    wait(app, lambda: len(window.document.project.runs) > runs and not panel.training, 900)


def lecture(app: QApplication, window: MainWindow) -> None:
    chain = _Chain()
    chain.add("Input", "image", shape=(8, 8, 1))
    chain.add("Conv2D", "conv", filters=1, kernel_size=3, padding=0, strides=1)
    chain.add("Output", "out")
    window.set_document(Document(Project(chain.done(), training=default_training_config())))
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("features")
    features = window.inspect.features
    wait(app, lambda: features.maps is not None and not features.busy)
    features.set_source("lecture")
    wait(app, lambda: not features.busy)
    features.set_kernel(LECTURE, "0")
    wait(app, lambda: features.maps is not None and not features.busy
         and features.maps.kernel[0, 1, 0, 0] == 2)  # fmt: skip
    features.row_spin.setValue(2)
    features.col_spin.setValue(3)
    wait(app, lambda: not features.busy)
    output = features.maps.output[..., 0]
    save(window, "inspect-lecture.png", f"output {output.shape}, row 0 {output[0].tolist()}")


def main() -> None:
    app, window = screenshot_window()
    lecture(app, window)

    window.set_document(Document(new_project("cnn")))
    train(app, window, epochs=6)
    window.tabs.setCurrentWidget(window.canvas)
    window.show_activations(True)
    scene = window.scene
    shown = [i for i, n in window.document.graph.nodes.items() if n.key != "Output"]
    wait(app, lambda: all(scene.nodes[i].preview is not None for i in shown))
    save(window, "editor-activations.png",
         f"{sum(i.preview is not None for i in scene.nodes.values())} previews")
    window.show_activations(False)

    window.set_document(Document(new_project("playground")))
    window.resize(1560, 940)
    train(app, window, epochs=60)
    boundary = window.training.boundary
    save(window, "training-boundary.png",
         f"grid {boundary.grid.probabilities.shape}, hidden {len(boundary.grid.hidden)}")
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("boundary")
    view = window.inspect.boundary
    wait(app, lambda: view.boundary.grid is not None and not view.busy)
    save(window, "inspect-boundary.png", window.inspect.message("boundary") or "ok")

    for name, theme in (("deep-plain", "light"), ("deep-residual", "dark")):
        window.set_theme(theme)
        window.set_document(Document(new_project(name)))
        train(app, window, epochs=3)
        window.tabs.setCurrentWidget(window.inspect)
        window.inspect.show_view("gradients")
        wait(app, lambda view=window.inspect.gradients: not window.inspect.busy
             and view.isVisible() and view.heat_map.isVisible())  # fmt: skip
        short = name.split("-")[1]
        save(window, f"inspect-gradients-{short}.png", window.inspect.gradients.message())
    window.inspect.show_view("histograms")
    wait(app, lambda: not window.inspect.busy)
    save(window, "inspect-histograms.png", window.inspect.histograms.message())
    window.set_theme("light")
    dialogs.unsaved_changes = lambda parent, title: "discard"  # the projects were examples
    window.close()


if __name__ == "__main__":
    main()
