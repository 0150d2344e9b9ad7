"""Drives the editor with the real mouse (xdotool) under Xvfb and saves screenshots.

    Xvfb :99 -screen 0 1600x1000x24 & DISPLAY=:99 openbox &
    DISPLAY=:99 .venv/bin/python tools/editor_screenshots.py

Saves docs/images/editor-*.png and prints what each gesture changed, so a run
shows that the gestures worked, not only how the window looks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

from PySide6.QtCore import QPoint, QPointF, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from netlab.graph.model import Edge  # noqa: E402
from ui import dialogs  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def xdotool(*args: object) -> None:
    subprocess.Popen(["xdotool", *[str(a) for a in args]])


def global_point(widget: QWidget, point: QPoint) -> QPoint:
    return widget.mapToGlobal(point)


class Tour:
    """The steps, one after another on the event loop (the mouse needs the loop running)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.steps: list[Callable[[], None]] = [
            self.default_example, self.drag_dropout, self.check_drop, self.connect_wire,
            self.check_wire, self.resnet, self.resnet_expanded, self.transformer, self.vit,
            self.densenet, self.densenet_detail, self.dark, self.new_dialog, self.finish,
        ]  # fmt: skip

    def next(self, delay: int = 900) -> None:
        QTimer.singleShot(delay, self.steps.pop(0))

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        QApplication.processEvents()  # pending layouts (the inspector's form) first
        (widget or self.window).grab().save(str(OUT / name))
        print(f"saved docs/images/{name}", flush=True)

    def open_template(self, name: str) -> None:
        dialogs.choose_new = lambda parent: name  # type: ignore[assignment]
        self.window.document.mark_saved(self.window.document.path or "tour.netlab")
        self.window.files.new_project()

    def default_example(self) -> None:
        self.shot("editor-default.png")
        self.next()

    def drag_dropout(self) -> None:
        w = self.window
        item = w.palette_widget.item_for("Dropout")
        w.palette_widget.tree.scrollToItem(item)
        start = global_point(w.palette_widget.tree.viewport(),
                             w.palette_widget.tree.visualItemRect(item).center())  # fmt: skip
        graph = w.document.graph
        edge = Edge(graph.node_by_name("pool1").id, graph.node_by_name("conv2").id)
        w.canvas.reset_zoom()
        w.canvas.centerOn(w.scene.edges[edge].path().pointAtPercent(0.5))
        QApplication.processEvents()
        middle = w.canvas.mapFromScene(w.scene.edges[edge].path().pointAtPercent(0.5))
        end = global_point(w.canvas.viewport(), middle)
        self.before = set(graph.nodes)
        xdotool("mousemove", start.x(), start.y(), "sleep", 0.2, "mousedown", 1,
                "mousemove", start.x() + 20, start.y() + 5, "sleep", 0.2,
                "mousemove", (start.x() + end.x()) // 2, end.y(), "sleep", 0.2,
                "mousemove", end.x(), end.y(), "sleep", 0.3, "mouseup", 1)  # fmt: skip
        self.next(3000)

    def check_drop(self) -> None:
        graph = self.window.document.graph
        new = [graph.nodes[n] for n in set(graph.nodes) - self.before]
        print(f"drag from the palette added: {[(n.name, n.key) for n in new]}; "
              f"inputs {[graph.nodes[e.src].name for e in graph.inputs_of(new[0].id)]}, "
              f"outputs {[graph.nodes[e.dst].name for e in graph.outputs_of(new[0].id)]}"
              if new else "drag from the palette added nothing", flush=True)  # fmt: skip
        if new:
            self.window.scene.select_nodes([new[0].id])
        self.shot("editor-drag-drop.png")
        self.next()

    def connect_wire(self) -> None:
        w = self.window
        graph = w.document.graph
        hidden = graph.node_by_name("hidden").pos
        w.edits.add_layer("Dense", QPointF(hidden[0] + 300, hidden[1]))
        QApplication.processEvents()
        self.dense = graph.node_by_name("dense").id
        src = w.scene.nodes[graph.node_by_name("flatten").id].output.scenePos()
        dst = w.scene.nodes[self.dense].inputs[0].scenePos()
        w.canvas.centerOn((src + dst) / 2)
        QApplication.processEvents()
        a = global_point(w.canvas.viewport(), w.canvas.mapFromScene(src))
        b = global_point(w.canvas.viewport(), w.canvas.mapFromScene(dst))
        xdotool("mousemove", a.x(), a.y(), "sleep", 0.2, "mousedown", 1, "mousemove",
                (a.x() + b.x()) // 2, (a.y() + b.y()) // 2, "sleep", 0.2, "mousemove", b.x(), b.y(),
                "sleep", 0.3, "mouseup", 1)  # fmt: skip
        self.next(2500)

    def check_wire(self) -> None:
        graph = self.window.document.graph
        inputs = [graph.nodes[e.src].name for e in graph.inputs_of(self.dense)]
        print(f"wire dragged with the mouse connected: {inputs} -> dense", flush=True)
        self.shot("editor-connect.png")
        self.next(200)

    def _fitted(self, name: str, then: int = 100) -> None:
        self.window.fit_view()
        QTimer.singleShot(600, lambda: (self.shot(name), self.next(then)))

    def resnet(self) -> None:
        self.open_template("resnet34")
        QTimer.singleShot(800, lambda: self._fitted("editor-resnet34.png"))

    def resnet_expanded(self) -> None:
        self.window.edits.select_all()
        self.window.edits.expand()
        self.window.scene.clearSelection()
        print(f"expanded every block: {len(self.window.document.graph.nodes)} layers", flush=True)
        self._fitted("editor-resnet34-expanded-fit.png")

    def transformer(self) -> None:
        self.open_template("transformer")
        w = self.window
        block = next(n for n in w.document.graph.nodes.values() if n.key == "TransformerBlock")
        w.scene.select_nodes([block.id])
        QTimer.singleShot(800, lambda: (self.shot("editor-transformer.png"), self.next(100)))

    def vit(self) -> None:
        self.open_template("vit-b16")
        QTimer.singleShot(800, lambda: self._fitted("editor-vit-b16.png"))

    def densenet(self) -> None:
        self.open_template("densenet121")
        QTimer.singleShot(800, lambda: self._fitted("editor-densenet121-fit.png"))

    def densenet_detail(self) -> None:
        w = self.window
        w.canvas.reset_zoom()
        w.canvas.scale(0.8, 0.8)
        w.focus_node(w.document.graph.node_by_name("conv2_block3_concat").id)
        QTimer.singleShot(600, lambda: (self.shot("editor-densenet121-detail.png"),
                                        self.next(100)))  # fmt: skip

    def dark(self) -> None:
        self.open_template("resnet34-expanded")
        w = self.window
        w.set_theme("dark")
        QTimer.singleShot(600, lambda: w.focus_node(
            w.document.graph.node_by_name("stage3_block1_add").id))  # after the opening's Fit
        QTimer.singleShot(1200, lambda: (self.shot("editor-dark.png"), self.next(100)))

    def new_dialog(self) -> None:
        self.window.set_theme("light")
        dialog = dialogs.NewProjectDialog(self.window)
        dialog.show()
        QTimer.singleShot(600, lambda: (self.shot("new-dialog.png", dialog), dialog.close(),
                                        self.next(100)))  # fmt: skip

    def finish(self) -> None:
        self.window.document.mark_saved("tour.netlab")
        self.window.close()


def main() -> None:
    app = QApplication(sys.argv)
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, None)
    window.setGeometry(0, 0, 1560, 940)
    window.show()
    tour = Tour(window)
    tour.next(1500)
    app.exec()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    main()
