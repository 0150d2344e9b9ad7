"""Edit menu work: add, insert, delete, copy/paste, layout, expand, collapse.

Every edit is a netlab command run through the document (one undo step each).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QCursor, QGuiApplication

from netlab import catalog
from netlab.errors import NetLabError
from netlab.graph.clipboard import MIME_TYPE, copy_nodes, paste_command
from netlab.graph.commands import (
    AddNode,
    Chain,
    Compound,
    Disconnect,
    MoveNodes,
    RemoveNodes,
    SetTrainable,
    insert_on_edge,
)
from netlab.graph.composites import collapse_nodes, expand_node
from netlab.graph.geometry import NODE_HEIGHT, NODE_WIDTH, rank_step, to_flow
from netlab.graph.model import Edge
from ui.canvas.scene import window_layout
from ui.document import Document

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class EditController(QObject):
    """The Edit menu of one window.

    Args:
        window: What it works on: ``window.document``, ``window.scene`` (selection),
            ``window.canvas`` (the view, for positions), ``window.status`` and
            ``window.fit_view``.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    @property
    def document(self) -> Document:
        """The window's open project."""
        return self.window.document

    def _execute(self, command: Any) -> bool:
        reason = self.document.execute(command)
        if reason is not None:
            self.window.status(f"Not done: {reason}")
        return reason is None

    def _centre(self) -> QPointF:
        canvas = self.window.canvas
        centre = canvas.mapToScene(canvas.viewport().rect().center())
        return QPointF(centre.x() - NODE_WIDTH / 2, centre.y() - NODE_HEIGHT / 2)

    def _mouse(self) -> QPointF | None:
        """Where the mouse is on the canvas, if it is over it."""
        canvas = self.window.canvas
        point = canvas.viewport().mapFromGlobal(QCursor.pos())
        if not canvas.viewport().rect().contains(point) or not canvas.isVisible():
            return None
        return canvas.mapToScene(point)

    # Edits ----------------------------------------------------------------------
    def add_layer(self, key: str, corner: QPointF | None = None) -> None:
        """Adds a layer of catalog type ``key`` with its top-left corner at ``corner``."""
        corner = corner or self._centre()
        command = AddNode(key, (round(corner.x(), 1), round(corner.y(), 1)),
                          text=f"Add {catalog.get(key).display_name}")  # fmt: skip
        if self._execute(command):
            self.window.scene.select_nodes([command.node_id])

    def drop_layer(self, key: str, corner: QPointF, edge: Edge | None) -> None:
        """A palette layer dropped on the canvas: added there, or inserted into ``edge``."""
        if edge is None:
            self.add_layer(key, corner)
            return
        graph, direction = self.document.graph, self.document.direction
        dst = graph.nodes[edge.dst]
        along, _ = to_flow(dst.pos, direction)
        src_along, _ = to_flow(graph.nodes[edge.src].pos, direction)
        room = max(0.0, src_along + 2 * rank_step(direction) - along)
        command = insert_on_edge(graph, edge, key, dst.pos, room, direction)
        if self._execute(command):
            self.window.scene.select_nodes([command.commands[0].node_id])

    def delete_selection(self) -> None:
        """Edit > Delete: selected layers (with their connections) and connections."""
        scene = self.window.scene
        ids = scene.selected_node_ids()
        edges = [e for e in scene.selected_edges() if e.src not in ids and e.dst not in ids]
        commands = [Disconnect(e) for e in edges] + ([RemoveNodes(ids)] if ids else [])
        if commands:
            self._execute(Compound(commands, text=f"Delete {len(ids)} layer(s)"))

    def copy_selection(self) -> bool:
        """Edit > Copy: the selected layers as JSON on the clipboard (weights go along here)."""
        ids = self.window.scene.selected_node_ids()
        if not ids:
            return False
        # Plain text only: the JSON names itself, and a QMimeData made in Python crashed the
        # interpreter at exit (Shiboken destroying what the clipboard owned, exit code 139).
        QGuiApplication.clipboard().setText(copy_nodes(self.document.graph, ids))
        self.window.status(f"Copied {len(ids)} layer(s)")
        return True

    def cut_selection(self) -> None:
        """Edit > Cut."""
        if self.copy_selection():
            self.delete_selection()

    def _paste_offset(self, text: str) -> tuple[float, float]:
        """Moves the copied layers' top-left corner to the mouse (or beside the copies)."""
        mouse = self._mouse()
        try:
            nodes = json.loads(text)["nodes"]
            left = min(float(n["pos"][0]) for n in nodes)
            top = min(float(n["pos"][1]) for n in nodes)
        except (ValueError, KeyError, TypeError, IndexError, RecursionError):
            return (40.0, 40.0)  # the paste command names what is wrong with the text
        if mouse is None:
            return (40.0, 40.0)
        return (round(mouse.x() - left, 1), round(mouse.y() - top, 1))

    def paste(self) -> None:
        """Edit > Paste: layers copied here or in another window, with new names, at the mouse."""
        mime = QGuiApplication.clipboard().mimeData()
        text = bytes(mime.data(MIME_TYPE)).decode(errors="replace") \
            if mime.hasFormat(MIME_TYPE) else mime.text()  # fmt: skip
        try:
            command = paste_command(self.document.graph, text, self._paste_offset(text))
        except NetLabError as err:
            self.window.status(f"Not done: {err}")
            return
        if self._execute(command):
            self.window.scene.select_nodes([c.node_id for c in command.commands
                                            if isinstance(c, AddNode)])  # fmt: skip

    def duplicate(self) -> None:
        """Edit > Duplicate: copy and paste in one step, beside the originals."""
        ids = self.window.scene.selected_node_ids()
        if not ids:
            return
        graph = self.document.graph
        command = paste_command(graph, copy_nodes(graph, ids))
        command.text = f"Duplicate {len(ids)} layer(s)"
        if self._execute(command):
            self.window.scene.select_nodes([c.node_id for c in command.commands
                                            if isinstance(c, AddNode)])  # fmt: skip

    def select_all(self) -> None:
        """Edit > Select All."""
        self.window.scene.select_nodes(list(self.document.graph.nodes))

    def auto_layout(self) -> None:
        """Edit > Auto Layout: one undoable move of every node."""
        placed = self.document.graph.copy()
        window_layout(placed, self.document.direction)
        positions = {n: placed.nodes[n].pos for n in placed.nodes}
        self._execute(MoveNodes(positions, text="Auto layout"))
        self.window.fit_view()

    def expand(self, node_id: str = "") -> None:
        """Replaces composite nodes (residual or Transformer blocks) by their layers.

        Every selected block is expanded, in one undo step.
        """
        graph = self.document.graph
        ids = [node_id] if node_id else self.window.scene.selected_node_ids()
        blocks = [i for i in ids if i in graph.nodes and catalog.get(graph.nodes[i].key).composite]
        if not blocks:
            self.window.status("Not done: select a residual or Transformer block or a group to "
                               "expand")
            return
        direction = self.document.direction
        steps = [lambda g, b=b: expand_node(g, b, direction) for b in blocks]
        name = graph.nodes[blocks[0]].name if len(blocks) == 1 else f"{len(blocks)} blocks"
        before = set(graph.nodes)
        if self._execute(Chain(steps, text=f"Expand {name}")):
            self.window.scene.select_nodes([n for n in graph.nodes if n not in before])

    def collapse(self) -> None:
        """Replaces the selected layers of an expanded block by the block again."""
        ids = self.window.scene.selected_node_ids()
        try:
            command = collapse_nodes(self.document.graph, ids)
        except NetLabError as err:
            self.window.status(f"Not done: {err}")
            return
        if self._execute(command):
            self.window.scene.select_nodes([command.commands[1].node_id])

    def set_trainable(self, trainable: bool) -> None:
        """Edit > Freeze / Unfreeze: the selected layers' weights (not) trained, one undo step."""
        graph = self.document.graph
        ids = [i for i in self.window.scene.selected_node_ids()
               if graph.nodes[i].key not in ("Input", "Output")
               and graph.nodes[i].trainable != trainable]  # fmt: skip
        verb = "Unfreeze" if trainable else "Freeze"
        if not ids:
            self.window.status(f"Not done: select layers that are not "
                               f"{'trainable' if trainable else 'frozen'} already")  # fmt: skip
            return
        name = graph.nodes[ids[0]].name if len(ids) == 1 else f"{len(ids)} layers"
        if self._execute(SetTrainable(ids, trainable, text=f"{verb} {name}")):
            self.window.status(f"Unfroze {name}: training changes its weights again"
                               if trainable else f"Froze {name}: training does not change its "
                               "weights (with Continue from the trained weights, they stay "
                               "as they are)")  # fmt: skip
