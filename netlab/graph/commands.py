"""Every edit of a graph as a command with ``do`` and ``undo``.

The GUI wraps each in a ``QUndoCommand``; a user action that makes several
edits is one :class:`Compound`. A command that fails in ``do`` leaves the
graph as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netlab import catalog
from netlab.errors import GraphError
from netlab.graph.model import Edge, Graph, Node, frozen_arrays


class Command:
    """An undoable edit. ``text`` names it in the Edit menu.

    Subclasses implement ``do`` and ``undo``; callers use :meth:`apply` and
    :meth:`revert`, which give the graph's listeners one event for the whole edit.
    """

    text = "Edit"

    def apply(self, graph: Graph) -> None:
        """Does the edit, with one change event for all of it."""
        with graph.batch():
            self.do(graph)

    def revert(self, graph: Graph) -> None:
        """Undoes the edit, with one change event for all of it."""
        with graph.batch():
            self.undo(graph)

    def do(self, graph: Graph) -> None:
        """Applies the edit."""
        raise NotImplementedError

    def undo(self, graph: Graph) -> None:
        """Reverts the edit exactly."""
        raise NotImplementedError


def _reaches(graph: Graph, start: str, goal: str) -> bool:
    """Whether a path of edges leads from ``start`` to ``goal``."""
    seen, todo = set(), [start]
    while todo:
        node_id = todo.pop()
        if node_id == goal:
            return True
        if node_id not in seen:
            seen.add(node_id)
            todo += [e.dst for e in graph.outputs_of(node_id)]
    return False


@dataclass
class AddNode(Command):
    """Adds a layer of catalog type ``key`` (default parameters unless given).

    ``weights`` gives it trained weights (a pasted or expanded layer keeps them).
    """

    key: str
    pos: tuple[float, float] = (0.0, 0.0)
    name: str | None = None
    params: dict[str, Any] | None = None
    node_id: str | None = None
    text: str = "Add layer"
    weights: Sequence[Any] | None = None
    trainable: bool = True
    _node: Node | None = None

    def do(self, graph: Graph) -> None:
        if self._node is not None:  # redo: the very node that undo took away
            graph.insert_node(self._node)
            return
        spec = catalog.get(self.key)
        self.node_id = self.node_id or graph.new_id()
        self.name = self.name or graph.unique_name(spec.key.lower())
        params = {**spec.defaults(), **(self.params or {})}
        spec.check_params(params)  # pasted or scripted values pass the editor's checks too
        node = Node(self.node_id, self.name, self.key, params, self.pos,
                    None if self.weights is None else frozen_arrays(self.weights),
                    self.trainable)  # fmt: skip
        graph.insert_node(node)

    def undo(self, graph: Graph) -> None:
        self._node = graph.delete_node(str(self.node_id))


@dataclass
class Connect(Command):
    """Connects ``src``'s output to input ``port`` of ``dst`` (first free if None)."""

    src: str
    dst: str
    port: int | None = None
    text: str = "Connect"

    def do(self, graph: Graph) -> None:
        if self.port is None:
            self.port = graph.free_port(self.dst)
        if self.src != self.dst and _reaches(graph, self.dst, self.src):
            raise GraphError(
                f"connecting {graph.node(self.src).name!r} to {graph.node(self.dst).name!r} "
                "would make a cycle"
            )
        graph.insert_edge(Edge(self.src, self.dst, self.port))

    def undo(self, graph: Graph) -> None:
        graph.delete_edge(Edge(self.src, self.dst, self.port or 0))


@dataclass
class Disconnect(Command):
    """Removes one edge."""

    edge: Edge
    text: str = "Disconnect"
    _index: int = 0

    def do(self, graph: Graph) -> None:
        self._index = graph.delete_edge(self.edge)

    def undo(self, graph: Graph) -> None:
        graph.insert_edge(self.edge, self._index)


@dataclass
class RemoveNodes(Command):
    """Removes nodes and every edge touching them."""

    node_ids: Sequence[str]
    text: str = "Delete"
    _nodes: list[tuple[int, Node]] = field(default_factory=list)
    _edges: list[tuple[int, Edge]] = field(default_factory=list)

    def do(self, graph: Graph) -> None:
        ids = set(self.node_ids)
        for node_id in ids:
            graph.node(node_id)
        touching = [e for e in graph.edges if e.src in ids or e.dst in ids]
        self._edges = [(graph.delete_edge(e), e) for e in reversed(touching)]
        positions = [i for i, node_id in enumerate(graph.nodes) if node_id in ids]
        self._nodes = [(i, graph.delete_node(list(graph.nodes)[i])) for i in reversed(positions)]

    def undo(self, graph: Graph) -> None:
        for index, node in reversed(self._nodes):
            graph.restore_node(node, index)
        for index, edge in reversed(self._edges):
            graph.insert_edge(edge, index)


@dataclass
class MoveNodes(Command):
    """Moves nodes to new positions (a drag of many nodes is one command)."""

    positions: dict[str, tuple[float, float]]
    text: str = "Move"
    _old: dict[str, tuple[float, float]] = field(default_factory=dict)

    def do(self, graph: Graph) -> None:
        self._old = {i: graph.node(i).pos for i in self.positions}
        for node_id, pos in self.positions.items():
            graph.set_pos(node_id, pos)

    def undo(self, graph: Graph) -> None:
        for node_id, pos in self._old.items():
            graph.set_pos(node_id, pos)


@dataclass
class Rename(Command):
    """Gives a node a new (unique) name."""

    node_id: str
    name: str
    text: str = "Rename"
    _old: str = ""

    def do(self, graph: Graph) -> None:
        self._old = graph.node(self.node_id).name
        graph.set_name(self.node_id, self.name)

    def undo(self, graph: Graph) -> None:
        graph.set_name(self.node_id, self._old)


@dataclass
class SetParam(Command):
    """Sets one parameter; the value must pass the catalog's check."""

    node_id: str
    name: str
    value: Any
    text: str = "Change parameter"
    _old: dict[str, Any] = field(default_factory=dict)

    def do(self, graph: Graph) -> None:
        node = graph.node(self.node_id)
        value = catalog.get(node.key).param(self.name).check(self.value)
        self._old = dict(node.params)
        graph.set_params(self.node_id, {**node.params, self.name: value})

    def undo(self, graph: Graph) -> None:
        graph.set_params(self.node_id, self._old)


@dataclass
class SetTrainable(Command):
    """Freezes or unfreezes nodes for training (one undo step for all of them)."""

    node_ids: list[str]
    trainable: bool
    text: str = "Freeze"
    _old: dict[str, bool] = field(default_factory=dict)

    def do(self, graph: Graph) -> None:
        self._old = {i: graph.node(i).trainable for i in self.node_ids}
        with graph.batch():
            for node_id in self.node_ids:
                graph.set_trainable(node_id, self.trainable)

    def undo(self, graph: Graph) -> None:
        with graph.batch():
            for node_id, trainable in self._old.items():
                graph.set_trainable(node_id, trainable)


@dataclass
class SetWeights(Command):
    """Gives one node weights by hand (a kernel typed in), or ``None``: new ones."""

    node_id: str
    weights: Sequence[Any] | None
    text: str = "Set weights"
    _old: tuple[Any, ...] | None = None

    def do(self, graph: Graph) -> None:
        self._old = graph.node(self.node_id).weights
        graph.set_weights(self.node_id, self.weights)

    def undo(self, graph: Graph) -> None:
        graph.set_weights(self.node_id, self._old)


@dataclass
class Compound(Command):
    """Several commands as one undo step; undone in reverse order."""

    commands: list[Command]
    text: str = "Edit"

    def do(self, graph: Graph) -> None:
        done: list[Command] = []
        try:
            for command in self.commands:
                command.do(graph)
                done.append(command)
        except GraphError:
            for command in reversed(done):
                command.undo(graph)
            raise

    def undo(self, graph: Graph) -> None:
        for command in reversed(self.commands):
            command.undo(graph)


@dataclass
class Chain(Command):
    """Several edits as one undo step, each made from the graph its predecessors left.

    ``steps`` build their commands when the chain is first done (expanding one
    block moves the nodes the next expansion places itself among); redo does
    the very same commands again.
    """

    steps: list[Callable[[Graph], Command]]
    text: str = "Edit"
    _done: list[Command] = field(default_factory=list)
    _built: bool = False

    def do(self, graph: Graph) -> None:
        if self._built:
            for command in self._done:
                command.do(graph)
            return
        try:
            for step in self.steps:
                command = step(graph)
                command.do(graph)
                self._done.append(command)
        except GraphError:
            for command in reversed(self._done):
                command.undo(graph)
            self._done = []
            raise
        self._built = True

    def undo(self, graph: Graph) -> None:
        for command in reversed(self._done):
            command.undo(graph)


def paste_group(graph: Graph, data: dict[str, Any], offset: tuple[float, float]) -> Compound:
    """A command adding copied nodes (``Graph.to_dict`` data) with new ids and names.

    Edges are kept between pasted nodes; edges to nodes that were not copied are
    dropped.
    """
    new_ids: dict[str, str] = {}
    pasted: set[str] = set()
    commands: list[Command] = []
    for item in data["nodes"]:
        node_id = graph.new_id()
        name = graph.unique_name(item["name"], pasted)
        pasted.add(name)
        new_ids[str(item["id"])] = node_id
        pos = (item["pos"][0] + offset[0], item["pos"][1] + offset[1])
        commands.append(AddNode(item["type"], pos, name, item.get("params"), node_id,
                                trainable=item.get("trainable") is not False))  # fmt: skip
    for item in data["edges"]:
        if str(item["src"]) in new_ids and str(item["dst"]) in new_ids:
            src, dst = new_ids[str(item["src"])], new_ids[str(item["dst"])]
            commands.append(Connect(src, dst, int(item.get("port", 0))))
    return Compound(commands, text="Paste")


def insert_on_edge(graph: Graph, edge: Edge, key: str, pos: tuple[float, float],
                   room: float = 0.0, direction: str = "right") -> Compound:  # fmt: skip
    """A command adding a layer of type ``key`` into ``edge`` (src -> new -> dst).

    With ``room`` > 0, the nodes from the edge's end onwards (at or past it along
    ``direction``: ``"right"`` or ``"down"``) move on by ``room`` so the new layer
    does not cover them.
    """
    node_id = graph.new_id()
    commands: list[Command] = [
        AddNode(key, pos, node_id=node_id),
        Disconnect(edge),
        Connect(edge.src, node_id, 0),
        Connect(node_id, edge.dst, edge.port),
    ]
    if room > 0:
        axis = 1 if direction == "down" else 0
        start = graph.node(edge.dst).pos[axis]
        moved = {}
        for n in graph.nodes.values():
            if n.pos[axis] >= start:
                shifted = list(n.pos)
                shifted[axis] += room
                moved[n.id] = (shifted[0], shifted[1])
        commands.append(MoveNodes(moved))
    return Compound(commands, text=f"Insert {catalog.get(key).display_name}")
