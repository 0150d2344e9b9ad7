"""The network graph: nodes (layers) and edges (tensors), with change events.

A plain Python object: the GUI observes its events and edits it only through
the command objects of :mod:`netlab.graph.commands`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netlab import catalog
from netlab.errors import GraphError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-.]{0,63}$")


@dataclass
class Node:
    """One layer on the canvas.

    Attributes:
        id: Stable identifier, never shown and never reused in a graph.
        name: Unique, editable; also the Keras layer's name.
        key: Catalog key of the layer type.
        params: Parameter values (checked when validated, not when set).
        pos: Canvas position (x, y) of the node's top-left corner.
    """

    id: str
    name: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Edge:
    """A tensor from ``src``'s output to input port ``port`` of ``dst``."""

    src: str
    dst: str
    port: int = 0


@dataclass(frozen=True)
class GraphEvent:
    """Something changed: ``kind`` is one of ``node_added``, ``node_removed``,
    ``node_changed`` (name or parameters), ``node_moved``, ``edge_added``,
    ``edge_removed``; ``subject`` is the node id or the edge."""

    kind: str
    subject: Any


class Graph:
    """Nodes and edges of one network, in insertion order.

    The mutators here are the primitive operations that commands combine; they
    check structure (ids, names, ports) and emit one event each.
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self._listeners: list[Callable[[GraphEvent], None]] = []
        self._next_id = 1

    def __repr__(self) -> str:
        return f"Graph({self.to_dict()!r})"

    # Events -----------------------------------------------------------------
    def subscribe(self, listener: Callable[[GraphEvent], None]) -> None:
        """Calls ``listener(event)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[GraphEvent], None]) -> None:
        """Stops calling ``listener``."""
        self._listeners.remove(listener)

    def _emit(self, kind: str, subject: Any) -> None:
        for listener in list(self._listeners):
            listener(GraphEvent(kind, subject))

    # Queries ----------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        """Returns the node with this id, or raises :class:`GraphError`."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id {node_id!r}") from None

    def node_by_name(self, name: str) -> Node:
        """Returns the node called ``name``, or raises :class:`GraphError`."""
        for node in self.nodes.values():
            if node.name == name:
                return node
        raise GraphError(f"no node named {name!r}")

    def inputs_of(self, node_id: str) -> list[Edge]:
        """The edges into a node, by port."""
        return sorted((e for e in self.edges if e.dst == node_id), key=lambda e: e.port)

    def outputs_of(self, node_id: str) -> list[Edge]:
        """The edges out of a node."""
        return [e for e in self.edges if e.src == node_id]

    def new_id(self) -> str:
        """An id no node of this graph has or had."""
        while f"n{self._next_id}" in self.nodes:
            self._next_id += 1
        self._next_id += 1
        return f"n{self._next_id - 1}"

    def unique_name(self, base: str, also_taken: set[str] | None = None) -> str:
        """``base`` if free, else ``base_2``, ``base_3``, ...; ``also_taken`` are
        names promised to nodes not added yet."""
        taken = {n.name for n in self.nodes.values()} | (also_taken or set())
        if base not in taken:
            return base
        i = 2
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def free_port(self, node_id: str) -> int:
        """The first input port of a node with nothing connected."""
        used = {e.port for e in self.inputs_of(node_id)}
        port = 0
        while port in used:
            port += 1
        return port

    # Primitive mutations ------------------------------------------------------
    def insert_node(self, node: Node) -> None:
        """Adds ``node``; its id and name must be new, its key known."""
        catalog.get(node.key)
        if node.id in self.nodes:
            raise GraphError(f"a node with id {node.id!r} exists already")
        self._check_name(node.name)
        self.nodes[node.id] = node
        self._emit("node_added", node.id)

    def delete_node(self, node_id: str) -> Node:
        """Removes a node that has no edges; returns it."""
        node = self.node(node_id)
        if self.inputs_of(node_id) or self.outputs_of(node_id):
            raise GraphError(f"node {node.name!r} still has connections")
        del self.nodes[node_id]
        self._emit("node_removed", node_id)
        return node

    def restore_node(self, node: Node, index: int) -> None:
        """Puts a removed node back at position ``index`` of ``nodes`` (for undo)."""
        self.insert_node(node)
        items = list(self.nodes.items())
        items.insert(index, items.pop())
        self.nodes = dict(items)

    def insert_edge(self, edge: Edge, index: int | None = None) -> None:
        """Connects ``edge.src`` to input ``edge.port`` of ``edge.dst``.

        ``index`` puts the edge back where it was in ``edges`` (for undo).
        """
        src, dst = self.node(edge.src), self.node(edge.dst)
        spec = catalog.get(dst.key)
        if edge.src == edge.dst:
            raise GraphError(f"{dst.name!r} cannot take its own output")
        if spec.most_inputs is not None and not 0 <= edge.port < spec.most_inputs:
            raise GraphError(f"{dst.name!r} ({spec.display_name}) has no input {edge.port + 1}")
        if edge.port < 0 or any(e.port == edge.port for e in self.inputs_of(edge.dst)):
            raise GraphError(f"input {edge.port + 1} of {dst.name!r} is already connected")
        if src.key == "Output":
            raise GraphError(f"{src.name!r} is an Output marker and has no outgoing tensor")
        self.edges.insert(len(self.edges) if index is None else index, edge)
        self._emit("edge_added", edge)

    def delete_edge(self, edge: Edge) -> int:
        """Removes an edge; returns the index it had in ``edges``."""
        if edge not in self.edges:
            raise GraphError(f"no connection from {edge.src!r} to {edge.dst!r}")
        index = self.edges.index(edge)
        del self.edges[index]
        self._emit("edge_removed", edge)
        return index

    def set_name(self, node_id: str, name: str) -> None:
        """Renames a node; the name must be valid and unique."""
        node = self.node(node_id)
        if name != node.name:
            self._check_name(name)
        node.name = name
        self._emit("node_changed", node_id)

    def set_params(self, node_id: str, params: dict[str, Any]) -> None:
        """Replaces a node's parameter values (validation reports bad ones)."""
        node = self.node(node_id)
        spec = catalog.get(node.key)
        for name in params:
            spec.param(name)
        node.params = dict(params)
        self._emit("node_changed", node_id)

    def set_pos(self, node_id: str, pos: tuple[float, float]) -> None:
        """Moves a node on the canvas."""
        self.node(node_id).pos = (float(pos[0]), float(pos[1]))
        self._emit("node_moved", node_id)

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise GraphError(
                f"{name!r} is not a valid name: use letters, digits, _ - . (start with a letter, "
                "at most 64 characters)"
            )
        if any(n.name == name for n in self.nodes.values()):
            raise GraphError(f"the name {name!r} is taken by another node")

    # Whole-graph helpers ----------------------------------------------------
    def copy(self) -> Graph:
        """A deep copy without listeners."""
        other = Graph()
        other.nodes = copy.deepcopy(self.nodes)
        other.edges = list(self.edges)
        other._next_id = self._next_id
        return other

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: nodes (with params and positions) and edges."""
        return {
            "nodes": [
                {"id": n.id, "name": n.name, "type": n.key, "params": _jsonable(n.params),
                 "pos": list(n.pos)}
                for n in self.nodes.values()
            ],
            "edges": [{"src": e.src, "dst": e.dst, "port": e.port} for e in self.edges],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        """Rebuilds a graph from :meth:`to_dict` data.

        Raises:
            GraphError: On unknown types or parameters, duplicate ids or names,
                or edges between missing nodes.
        """
        graph = cls()
        for item in data["nodes"]:
            spec = catalog.get(item["type"])
            params = {**spec.defaults(), **item.get("params", {})}
            graph.insert_node(Node(str(item["id"]), item["name"], spec.key, {}, tuple(item["pos"])))
            graph.set_params(str(item["id"]), params)
        for item in data["edges"]:
            graph.insert_edge(Edge(str(item["src"]), str(item["dst"]), int(item.get("port", 0))))
        return graph


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def topological_order(graph: Graph) -> tuple[list[str], set[str]]:
    """Node ids with every node after its inputs, and the ids left on cycles."""
    pending = dict.fromkeys(graph.nodes, 0)
    successors: dict[str, list[str]] = {node_id: [] for node_id in graph.nodes}
    for edge in graph.edges:
        pending[edge.dst] += 1
        successors[edge.src].append(edge.dst)
    ready = [node_id for node_id, count in pending.items() if count == 0]
    order: list[str] = []
    while ready:
        node_id = ready.pop()
        order.append(node_id)
        for dst in reversed(successors[node_id]):
            pending[dst] -= 1
            if pending[dst] == 0:
                ready.append(dst)
    return order, set(graph.nodes) - set(order)
