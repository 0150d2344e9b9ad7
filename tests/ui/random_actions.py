"""Seeded random actions on the main window, and the invariants that must hold after each.

Used by tests/ui/test_random_actions.py (a few hundred actions per seed) and by
tools/long_checks.py (ten thousand). Actions go through the window as a user's
would (menus, the inspector's editors, the scene's gestures, the dialogs'
answers); after every one: no exception anywhere (excepthook, Qt messages),
the cached analysis equals a fresh one, the scene's items match the graph, and
every file the window writes opens again. Every few actions, undo-all then
redo-all must reproduce the graph exactly.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
)

from netlab import catalog
from netlab.errors import InspectError
from netlab.graph.analysis import analyse
from netlab.graph.geometry import overlapping
from netlab.project import load_project
from netlab.templates import TEMPLATES
from ui.canvas.scene import node_state

KEYS = sorted(catalog.CATALOG)
WEIRD_TEXT = ["", "-3", "abc", "2", "2,", "(4, 4, 1)", "8x8x1", "+" * 3000, "-" * 100_000,
              "[" * 500, "None", "1e309", "same", "valid", "0", "99999999999", "ü", "3, 3"]
LAYER_TEXTS = [
    '{"module": "keras.layers", "class_name": "Dense", "config": {"units": 3}}',
    '{"module": "keras.layers", "class_name": "ZeroPadding1D", "config": {"padding": 2}}',
    '{"module": "keras.layers", "class_name": "Lambda", "config": {"function": "x"}}',
    '{"module": "keras.layers", "class_name": "Dense", "config": {"units": "x"}}',
    '{"class_name": 3}', "{", "[]", "null", "{}" * 3, '{"a": ' * 300,
]
KERNEL_TEXTS = ["1 2 1\n0 0 0\n-1 -2 -1", "1", "", "a b c", "1e40 0 0\n0 0 0\n0 0 0",
                "nan 0 0\n0 0 0\n0 0 0", "1 1 1 1 1\n" * 5, "0 0 0;0 1 0;0 0 0"]
NAMES = ["conv1", "x", "a b", "", "renamed", "Ünïcode", "n" * 70, "hidden", "ok_name.2"]


@dataclass
class Trouble:
    """What went wrong while an action ran (exceptions, Qt warnings)."""

    errors: list[str] = field(default_factory=list)

    def hook(self, kind: type, value: BaseException, tb: Any) -> None:
        import traceback

        self.errors.append("".join(traceback.format_exception(kind, value, tb))[-3000:])

    def qt_message(self, mode: QtMsgType, context: Any, message: str) -> None:
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) or (
            mode == QtMsgType.QtWarningMsg and "QPainter" not in message
            and "propagateSizeHints" not in message and "wayland" not in message.lower()
        ):  # fmt: skip
            self.errors.append(f"Qt: {message}")


class RandomUser:
    """Drives one window with seeded random actions.

    Args:
        window_factory: Makes a new main window (after one was closed).
        answers: The test's dialog answers (tests/ui/conftest.py).
        qtbot: pytest-qt's bot (waiting, processing events).
        folder: Where saved files go.
        seed: The seed.
        train: Whether training actions run (they take seconds).
    """

    def __init__(self, window_factory: Any, answers: Any, qtbot: Any, folder: Path, seed: int,
                 train: bool = True) -> None:  # fmt: skip
        self.make_window, self.answers, self.qtbot = window_factory, answers, qtbot
        self.folder, self.rng, self.train_enabled = folder, random.Random(seed), train
        self.window = window_factory()
        self.trouble = Trouble()
        self.log: list[str] = []
        self.saved: list[Path] = []
        self.count = 0
        self.trained = 0

    # Actions -----------------------------------------------------------------------
    def actions(self) -> list[tuple[float, Any]]:
        weights = [(12, self.add_layer), (10, self.connect), (4, self.disconnect),
                   (14, self.set_param), (3, self.rename), (5, self.delete), (10, self.undo_redo),
                   (4, self.copy_paste), (3, self.expand), (3, self.collapse), (2, self.layout),
                   (2, self.new_project), (3, self.switch_tab), (2, self.save_and_open),
                   (1, self.paste_garbage), (1, self.direction), (1, self.move),
                   (2, self.freeze), (1, self.activations), (1, self.kernel)]  # fmt: skip
        if self.train_enabled:
            weights += [(1, self.train), (0.5, self.train_and_interrupt)]
        return weights

    def step(self) -> str:
        choices = self.actions()
        action = self.rng.choices([a for _, a in choices], [w for w, _ in choices])[0]
        self.count += 1
        name = f"{self.count}: {action.__name__}"
        self.log.append(name)
        action()
        self.qtbot.wait(1)
        return name

    @property
    def graph(self) -> Any:
        return self.window.document.graph

    def _node_ids(self) -> list[str]:
        return list(self.graph.nodes)

    def _pick_nodes(self, most: int = 3) -> list[str]:
        ids = self._node_ids()
        return self.rng.sample(ids, min(len(ids), self.rng.randint(1, most))) if ids else []

    def add_layer(self) -> None:
        key = self.rng.choice(KEYS)
        corner = QPointF(self.rng.uniform(-400, 400), self.rng.uniform(-200, 2000))
        self.window.edits.add_layer(key, corner)

    def connect(self) -> None:
        scene = self.window.scene
        items = list(scene.nodes.values())
        if len(items) < 2:
            return
        src, dst = self.rng.sample(items, 2)
        if src.output is None or not dst.inputs:
            return
        target = self.rng.choice(dst.inputs)
        command = scene._connection(src.output, target, None)
        if isinstance(command, str):
            return
        scene.command_requested.emit(command)

    def disconnect(self) -> None:
        scene = self.window.scene
        if not scene.edges:
            return
        scene.clearSelection()
        self.rng.choice(list(scene.edges.values())).setSelected(True)
        self.window.edits.delete_selection()

    def _inspect(self) -> str | None:
        ids = self._node_ids()
        if not ids:
            return None
        node_id = self.rng.choice(ids)
        self.window.scene.select_nodes([node_id])
        return node_id

    def set_param(self) -> None:
        if self._inspect() is None:
            return
        editors = {k: v for k, v in self.window.inspector.editors.items() if k != "name"}
        if not editors:
            return
        editor = self.rng.choice(list(editors.values()))
        if isinstance(editor, QSpinBox):
            editor.setValue(self.rng.choice([editor.minimum(), editor.maximum(),
                                             self.rng.randint(1, 70), 25_635]))  # fmt: skip
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(self.rng.uniform(editor.minimum(), min(editor.maximum(), 2.0)))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(not editor.isChecked())
        elif isinstance(editor, QComboBox) and editor.count():
            index = self.rng.randrange(editor.count())
            editor.setCurrentIndex(index)
            editor.activated.emit(index)
        elif isinstance(editor, QLineEdit):
            editor.setText(self.rng.choice(WEIRD_TEXT))
            editor.editingFinished.emit()
        elif isinstance(editor, QPlainTextEdit):  # a generic Keras layer's configuration
            editor.setPlainText(self.rng.choice(LAYER_TEXTS))
            self.window.inspector.findChild(QPushButton, "apply_layer_json").click()

    def freeze(self) -> None:
        self.window.scene.select_nodes(self._pick_nodes(4))
        self.window.menu_actions[self.rng.choice(["freeze", "unfreeze"])].trigger()

    def activations(self) -> None:
        self.window.menu_actions["activations"].trigger()

    def kernel(self) -> None:
        """Inspect > Feature maps: another input, and a kernel typed in (often a wrong one)."""
        features = self.window.inspect.features
        features.set_source(self.rng.choice(["example", "lecture", "drawn"]))
        if features.source() == "drawn" and features.context is not None:
            features.paint(self.rng.randrange(8), self.rng.randrange(8))
        if features.can_set_kernel():
            with contextlib.suppress(InspectError):
                features.set_kernel(self.rng.choice(KERNEL_TEXTS), self.rng.choice(["", "1", "x"]))

    def rename(self) -> None:
        if self._inspect() is None:
            return
        editor = self.window.inspector.editors.get("name")
        if editor is not None:
            editor.setText(self.rng.choice(NAMES) + self.rng.choice(["", str(self.count)]))
            editor.editingFinished.emit()

    def delete(self) -> None:
        self.window.scene.select_nodes(self._pick_nodes())
        self.window.edits.delete_selection()

    def undo_redo(self) -> None:
        for _ in range(self.rng.randint(1, 6)):
            name = self.rng.choice(["undo", "undo", "redo"])
            self.window.menu_actions[name].trigger()

    def copy_paste(self) -> None:
        self.window.scene.select_nodes(self._pick_nodes(6))
        what = self.rng.choice(["copy", "cut", "duplicate"])
        self.window.menu_actions[what].trigger()
        if what != "duplicate":
            self.window.menu_actions["paste"].trigger()

    def paste_garbage(self) -> None:
        data = json.loads(self.rng.choice([
            '{"kind": "netlab-layers", "version": 1, "nodes": [{"id": "a", "name": "d",'
            ' "type": "Dense", "params": {"units": "abc"}, "pos": [0, 0]}], "edges": []}',
            '{"kind": "netlab-layers", "nodes": [{"id": 1, "name": "x", "type": "Evil"}]}',
            '"just text"',
        ]))  # fmt: skip
        QGuiApplication.clipboard().setText(json.dumps(data) if self.rng.random() < 0.8
                                            else "[" * 5000)  # fmt: skip
        self.window.menu_actions["paste"].trigger()

    def expand(self) -> None:
        blocks = [n.id for n in self.graph.nodes.values() if catalog.get(n.key).composite]
        if blocks:
            self.window.edits.expand(self.rng.choice(blocks))
            if self.rng.random() < 0.5:
                assert overlapping(self.graph) == [] or self._hand_placed()

    def _hand_placed(self) -> bool:
        return any(a.startswith(f"{i}: move") or "add_layer" in a for i, a in
                   enumerate(self.log))  # fmt: skip

    def collapse(self) -> None:
        graph = self.graph
        prefixes = {n.name.rsplit("_", 1)[0] for n in graph.nodes.values() if "_" in n.name}
        if prefixes and self.rng.random() < 0.7:
            prefix = self.rng.choice(sorted(prefixes))
            ids = [n.id for n in graph.nodes.values() if n.name.startswith(prefix + "_")]
        else:
            ids = self._pick_nodes(9)
        self.window.scene.select_nodes(ids)
        self.window.edits.collapse()

    def layout(self) -> None:
        self.window.edits.auto_layout()
        assert overlapping(self.graph) == []

    def direction(self) -> None:
        self.window.set_direction(self.rng.choice(["down", "right"]))

    def move(self) -> None:
        from netlab.graph.commands import MoveNodes

        ids = self._pick_nodes(4)
        if ids:
            self.window.execute(MoveNodes({i: (self.rng.uniform(-500, 500),
                                               self.rng.uniform(-500, 3000)) for i in ids}))

    def new_project(self) -> None:
        self.answers.template = self.rng.choice(list(TEMPLATES))
        self.answers.unsaved = self.rng.choice(["discard", "discard", "cancel"])
        self.answers.during_run = self.rng.choice(["stop", "discard", "cancel"])
        self.window.menu_actions["new"].trigger()
        self._settle()

    def switch_tab(self) -> None:
        self.window.tabs.setCurrentIndex(self.rng.randrange(self.window.tabs.count()))

    def save_and_open(self) -> None:
        path = self.folder / f"saved{self.count}.netlab"
        self.answers.save_path = str(path)
        self.window.menu_actions["save_as"].trigger()
        self.window.files.wait_for_saves()
        self.qtbot.waitUntil(lambda: self.window.files.saving is None, timeout=60_000)
        load_project(path)  # every file the window writes opens again
        self.saved.append(path)
        self.answers.open_path = str(path)
        self.answers.unsaved = "discard"
        self.window.menu_actions["open"].trigger()
        self._settle()

    def _tiny_run(self) -> bool:
        """Makes the open project a quick one to train (a new small one if it cannot train)."""
        panel = self.window.training
        if panel.training:
            return False
        for attempt in range(2):
            self.qtbot.waitUntil(lambda: not panel.data.loading, timeout=120_000)
            panel.set_setting("dataset", "digits")
            self.qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=120_000)
            panel.set_setting("epochs", 1)
            panel.set_setting("batch_size", 256)
            if panel.can_train()[0] or attempt:
                break
            self.answers.template, self.answers.unsaved = self.rng.choice(["mlp", "cnn"]), "discard"
            self.window.menu_actions["new"].trigger()
        return panel.can_train()[0]

    def train(self) -> None:
        if not self._tiny_run():
            return
        self.window.training.train_button.click()
        self.trained += 1
        self.qtbot.waitUntil(lambda: not self.window.training.training, timeout=600_000)

    def train_and_interrupt(self) -> None:
        """Stop, open another project, or close the window in a random phase of a run."""
        if not self._tiny_run():
            return
        panel = self.window.training
        panel.set_setting("epochs", 50)
        panel.train_button.click()
        self.trained += 1
        phase = self.rng.choice(["starting", "training", "paused"])
        if phase != "starting":
            self.qtbot.waitUntil(lambda: len(panel.live.batch_loss) > 0 or not panel.training,
                                 timeout=600_000)  # fmt: skip
        if phase == "paused":
            panel.toggle_pause()
        what = self.rng.choice(["stop", "new", "close"])
        self.answers.during_run = self.rng.choice(["stop", "discard", "cancel"])
        self.answers.unsaved = "discard"
        if what == "stop":
            panel.stop()
        elif what == "new":
            self.answers.template = self.rng.choice(["mlp", "cnn", "empty"])
            self.window.menu_actions["new"].trigger()
        else:
            self.window.close()
        if self.answers.during_run == "cancel" and what != "stop":
            panel.stop()
        self.qtbot.waitUntil(lambda: not panel.training, timeout=600_000)
        self._settle()
        if what == "close" and not self.window.isVisible():
            self.window = self.make_window()

    def _settle(self) -> None:
        self.qtbot.wait(5)

    # Invariants ------------------------------------------------------------------
    def check(self, undo_all: bool) -> None:
        assert not self.trouble.errors, "\n".join(self.trouble.errors)
        document, scene = self.window.document, self.window.scene
        graph = document.graph
        fresh = analyse(graph)
        cached = document.analysis
        assert (cached.shapes, cached.counts, cached.params, cached.problems, cached.order,
                cached.reinitialised) == (fresh.shapes, fresh.counts, fresh.params,
                                          fresh.problems, fresh.order,
                                          fresh.reinitialised)  # fmt: skip
        assert set(scene.nodes) == set(graph.nodes)
        assert set(scene.edges) == set(graph.edges)
        problems: dict[str, list[str]] = {}
        notes: dict[str, list[str]] = {}
        for p in fresh.problems:
            if p.node_id:
                (notes if p.severity == "info" else problems).setdefault(p.node_id, []) \
                    .append(p.message)  # fmt: skip
        for node_id, item in scene.nodes.items():
            assert item.state == node_state(graph, node_id, fresh, problems, notes,
                                            scene.direction), node_id  # fmt: skip
            assert (item.pos().x(), item.pos().y()) == graph.nodes[node_id].pos
        if undo_all:
            self._undo_all_redo_all()

    def _undo_all_redo_all(self) -> None:
        stack = self.window.document.undo_stack
        before = self.graph.to_dict()
        index = stack.index()
        stack.setIndex(0)
        stack.setIndex(index)
        assert self.graph.to_dict() == before
        assert not self.trouble.errors, "\n".join(self.trouble.errors)


def drive(user: RandomUser, actions: int, undo_every: int = 1) -> None:
    """Runs ``actions`` random actions, checking the invariants after each."""
    previous_hook = sys.excepthook
    previous_handler = qInstallMessageHandler(user.trouble.qt_message)
    sys.excepthook = user.trouble.hook
    try:
        for i in range(actions):
            name = user.step()
            try:
                user.check(undo_all=(i + 1) % undo_every == 0)
            except AssertionError as err:
                raise AssertionError(f"after action {name} (actions: {user.log[-12:]})") from err
    finally:
        sys.excepthook = previous_hook
        qInstallMessageHandler(previous_handler)
