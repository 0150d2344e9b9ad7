"""Edit menu work of the main window: add, insert, delete, copy/paste, layout, expand.

A mixin of :class:`ui.main_window.MainWindow`; every edit is a netlab command
run through the document's undo stack.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF
from PySide6.QtGui import QGuiApplication

from netlab import catalog
from netlab.errors import NetLabError
from netlab.graph.clipboard import MIME_TYPE, copy_nodes, paste_command
from netlab.graph.commands import (
    AddNode,
    Compound,
    Disconnect,
    MoveNodes,
    RemoveNodes,
    insert_on_edge,
)
from netlab.graph.composites import collapse_nodes, expand_node
from netlab.graph.model import Edge
from ui import help as help_window
from ui.canvas.items import NODE_HEIGHT, NODE_WIDTH
from ui.canvas.scene import window_layout


class EditActions:
    """Edit menu handlers (mixed into MainWindow)."""

    # Edits ----------------------------------------------------------------------
    def _centre(self) -> QPointF:
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        return QPointF(centre.x() - NODE_WIDTH / 2, centre.y() - NODE_HEIGHT / 2)

    def _on_palette_add_requested(self, key: str) -> None:
        self.add_layer(key, self._centre())

    def _on_canvas_layer_dropped(self, key: str, corner: QPointF, edge: Edge | None) -> None:
        if edge is not None:
            graph = self.document.graph
            corner.setY(graph.nodes[edge.dst].pos[1])  # in line with the layers it joins
            corner.setX(max(corner.x(), graph.nodes[edge.src].pos[0] + NODE_WIDTH + 30))
            room = max(0.0, corner.x() + NODE_WIDTH + 30 - graph.nodes[edge.dst].pos[0])
            command = insert_on_edge(graph, edge, key, (round(corner.x(), 1), corner.y()), room)
            if self.execute(command):
                self.scene.select_nodes([command.commands[0].node_id])
        else:
            self.add_layer(key, corner)

    def add_layer(self, key: str, corner: QPointF) -> None:
        """Adds a layer of catalog type ``key`` with its top-left corner at ``corner``."""
        command = AddNode(key, (round(corner.x(), 1), round(corner.y(), 1)),
                          text=f"Add {catalog.get(key).display_name}")  # fmt: skip
        if self.execute(command):
            self.scene.select_nodes([command.node_id])

    def delete_selection(self) -> None:
        """Edit > Delete: selected layers (with their connections) and connections."""
        ids = self.scene.selected_node_ids()
        edges = [e for e in self.scene.selected_edges() if e.src not in ids and e.dst not in ids]
        commands = [Disconnect(e) for e in edges] + ([RemoveNodes(ids)] if ids else [])
        if commands:
            self.execute(Compound(commands, text=f"Delete {len(ids)} layer(s)"))

    def copy_selection(self) -> bool:
        """Edit > Copy: the selected layers as JSON on the clipboard."""
        ids = self.scene.selected_node_ids()
        if not ids:
            return False
        text = copy_nodes(self.document.graph, ids)
        mime = QMimeData()
        mime.setData(MIME_TYPE, text.encode())
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.status(f"Copied {len(ids)} layer(s)")
        return True

    def cut_selection(self) -> None:
        """Edit > Cut."""
        if self.copy_selection():
            self.delete_selection()

    def paste(self) -> None:
        """Edit > Paste: layers copied here or in another window, with new names."""
        mime = QGuiApplication.clipboard().mimeData()
        text = bytes(mime.data(MIME_TYPE)).decode() if mime.hasFormat(MIME_TYPE) else mime.text()
        try:
            command = paste_command(self.document.graph, text)
        except NetLabError as err:
            self._on_refused(str(err))
            return
        if self.execute(command):
            self.scene.select_nodes([c.node_id for c in command.commands if isinstance(c, AddNode)])

    def duplicate(self) -> None:
        """Edit > Duplicate: copy and paste in one step."""
        ids = self.scene.selected_node_ids()
        if ids:
            command = paste_command(self.document.graph, copy_nodes(self.document.graph, ids))
            command.text = f"Duplicate {len(ids)} layer(s)"
            if self.execute(command):
                self.scene.select_nodes([c.node_id for c in command.commands
                                         if isinstance(c, AddNode)])  # fmt: skip

    def select_all(self) -> None:
        """Edit > Select All."""
        self.scene.select_nodes(list(self.document.graph.nodes))

    def auto_layout(self) -> None:
        """Edit > Auto Layout: one undoable move of every node, edges routed around nodes."""
        placed = self.document.graph.copy()
        layout = window_layout(placed)
        positions = {n: placed.nodes[n].pos for n in placed.nodes}
        self.execute(MoveNodes(positions, text="Auto layout"))
        self.scene.set_routes(layout)
        self.fit_view()

    def expand(self, node_id: str = "") -> None:
        """Replaces a composite node (residual or Transformer block) by its layers."""
        ids = [node_id] if node_id else self.scene.selected_node_ids()
        composite = [i for i in ids if catalog.get(self.document.graph.nodes[i].key).composite]
        if not composite:
            self._on_refused("select a residual or Transformer block to expand")
            return
        try:
            command = expand_node(self.document.graph, composite[0])
        except NetLabError as err:
            self._on_refused(str(err))
            return
        self.execute(command)

    def collapse(self) -> None:
        """Replaces the selected layers of an expanded block by the block again."""
        ids = self.scene.selected_node_ids()
        try:
            command = collapse_nodes(self.document.graph, ids)
        except NetLabError as err:
            self._on_refused(str(err))
            return
        if self.execute(command):
            self.scene.select_nodes([command.commands[1].node_id])

    def show_layer_reference(self) -> None:
        """Help > Layer reference."""
        self.reference = help_window.LayerReference(self)
        self.reference.show()

