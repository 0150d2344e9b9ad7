"""The network graph: nodes (layers) and edges (tensors), with change events.

A plain Python object: the GUI observes its events and edits it only through
the command objects of :mod:`netlab.graph.commands`. A node carries its trained
weights, so they follow it through renames, moves, deletion and undo.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from netlab import catalog
from netlab.errors import GraphError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-.]{0,63}$")

Arrays = tuple[np.ndarray, ...]
"""A layer's weight arrays, in Keras's ``get_weights()`` order; never written to."""


def frozen_arrays(arrays: Sequence[Any]) -> Arrays:
    """``arrays`` as read-only NumPy arrays (copied only when they view other memory)."""
    out = []
    for array in arrays:
        array = np.asarray(array)
        if array.flags.writeable and array.base is not None:
            array = array.copy()
        array.flags.writeable = False
        out.append(array)
    return tuple(out)


@dataclass
class Node:
    """One layer on the canvas.

    Attributes:
        id: Stable identifier, never shown and never reused in a graph.
        name: Unique, editable; also the Keras layer's name.
        key: Catalog key of the layer type.
        params: Parameter values (checked when validated, not when set).
        pos: Canvas position (x, y) of the node's top-left corner.
        weights: Trained weights, or ``None`` for a layer that starts from new
            ones. Kept when they stop fitting (the analysis then reports the
            layer as re-initialised), so an undo makes them fit again.
        trainable: ``False`` freezes the layer: training leaves its weights as
            they are (fine-tuning an imported model), and its parameters count
            as non-trainable.
    """

    id: str
    name: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    weights: Arrays | None = field(default=None, compare=False, repr=False)
    trainable: bool = True


@dataclass(frozen=True)
class Edge:
    """A tensor from ``src``'s output to input port ``port`` of ``dst``."""

    src: str
    dst: str
    port: int = 0


@dataclass(frozen=True)
class GraphChange:
    """What one edit did to a graph, as one event (all its primitive changes together).

    Attributes:
        added: Ids of nodes that are new.
        removed: Ids of nodes that are gone.
        changed: Ids of nodes whose name, parameters or weights changed.
        moved: Ids of nodes that moved (and nothing else).
        edges_added: Edges that are new.
        edges_removed: Edges that are gone.
    """

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    moved: frozenset[str] = frozenset()
    edges_added: frozenset[Edge] = frozenset()
    edges_removed: frozenset[Edge] = frozenset()

    @property
    def structural(self) -> bool:
        """Whether nodes or edges came or went."""
        return bool(self.added or self.removed or self.edges_added or self.edges_removed)

    @property
    def only_moves(self) -> bool:
        """Whether nothing but positions changed (shapes and problems stay)."""
        return not (self.structural or self.changed)

    def __bool__(self) -> bool:
        return bool(self.structural or self.changed or self.moved)


class _PendingChange:
    """Collects primitive changes into the net effect of a batch."""

    def __init__(self) -> None:
        self.added: set[str] = set()
        self.removed: set[str] = set()
        self.changed: set[str] = set()
        self.moved: set[str] = set()
        self.edges_added: set[Edge] = set()
        self.edges_removed: set[Edge] = set()

    def node_added(self, node_id: str) -> None:
        if node_id in self.removed:  # deleted and put back: its contents may differ
            self.removed.discard(node_id)
            self.changed.add(node_id)
        else:
            self.added.add(node_id)

    def node_removed(self, node_id: str) -> None:
        self.changed.discard(node_id)
        self.moved.discard(node_id)
        if node_id in self.added:
            self.added.discard(node_id)
        else:
            self.removed.add(node_id)

    def edge(self, edge: Edge, added: bool) -> None:
        undone, done = (self.edges_removed, self.edges_added) if added else \
            (self.edges_added, self.edges_removed)  # fmt: skip
        if edge in undone:
            undone.discard(edge)
        else:
            done.add(edge)

    def result(self) -> GraphChange:
        fresh = self.added
        return GraphChange(frozenset(self.added), frozenset(self.removed),
                           frozenset(self.changed - fresh),
                           frozenset(self.moved - fresh),
                           frozenset(self.edges_added), frozenset(self.edges_removed))  # fmt: skip


class Graph:
    """Nodes and edges of one network, in insertion order.

    The mutators here are the primitive operations that commands combine; they
    check structure (ids, names, ports). Listeners get one :class:`GraphChange`
    per primitive change, or one for a whole :meth:`batch`.
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self._listeners: list[Callable[[GraphChange], None]] = []
        self._next_id = 1
        self._pending: _PendingChange | None = None
        self._depth = 0

    def __repr__(self) -> str:
        return f"Graph({self.to_dict()!r})"

    # Events -----------------------------------------------------------------
    def subscribe(self, listener: Callable[[GraphChange], None]) -> None:
        """Calls ``listener(change)`` after every change (once per batch)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[GraphChange], None]) -> None:
        """Stops calling ``listener``."""
        self._listeners.remove(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Holds the events of the changes inside until the end, then emits their net effect once.

        Batches nest; only the outermost emits. A command and its undo each run in one.
        """
        if self._depth == 0:
            self._pending = _PendingChange()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._pending is not None:
                pending, self._pending = self._pending, None
                change = pending.result()
                if change:
                    self._notify(change)

    def _notify(self, change: GraphChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    def _record(self, apply: Callable[[_PendingChange], None]) -> None:
        if self._pending is not None:
            apply(self._pending)
            return
        single = _PendingChange()
        apply(single)
        self._notify(single.result())

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
        """An id no node of this graph has or had, and that no later call gives again.

        Handing one out changes no node (no event); ids are never reused, so a
        training run's results and an undo entry always find their own node.
        """
        while f"n{self._next_id}" in self.nodes:
            self._next_id += 1
        self._next_id += 1
        return f"n{self._next_id - 1}"

    def unique_name(self, base: str, also_taken: set[str] | None = None) -> str:
        """``base`` if free, else ``base_2``, ``base_3``, ...; ``also_taken`` are
        names promised to nodes not added yet."""
        taken = {n.name for n in self.nodes.values()} | (also_taken or set())
        base = base[:64]  # a name is at most 64 characters; the suffix shortens it more
        if base not in taken:
            return base
        i = 2
        while f"{base[: 63 - len(str(i))]}_{i}" in taken:
            i += 1
        return f"{base[: 63 - len(str(i))]}_{i}"

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
        self._record(lambda c: c.node_added(node.id))

    def delete_node(self, node_id: str) -> Node:
        """Removes a node that has no edges; returns it."""
        node = self.node(node_id)
        if self.inputs_of(node_id) or self.outputs_of(node_id):
            raise GraphError(f"node {node.name!r} still has connections")
        del self.nodes[node_id]
        self._record(lambda c: c.node_removed(node_id))
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
        self._record(lambda c: c.edge(edge, True))

    def delete_edge(self, edge: Edge) -> int:
        """Removes an edge; returns the index it had in ``edges``."""
        if edge not in self.edges:
            raise GraphError(f"no connection from {edge.src!r} to {edge.dst!r}")
        index = self.edges.index(edge)
        del self.edges[index]
        self._record(lambda c: c.edge(edge, False))
        return index

    def set_name(self, node_id: str, name: str) -> None:
        """Renames a node; the name must be valid and unique."""
        node = self.node(node_id)
        if name != node.name:
            self._check_name(name)
        node.name = name
        self._record(lambda c: c.changed.add(node_id))

    def set_params(self, node_id: str, params: dict[str, Any]) -> None:
        """Replaces a node's parameter values (validation reports bad ones)."""
        node = self.node(node_id)
        spec = catalog.get(node.key)
        for name in params:
            spec.param(name)
        node.params = dict(params)
        self._record(lambda c: c.changed.add(node_id))

    def set_weights(self, node_id: str, weights: Sequence[Any] | None) -> None:
        """Gives a node trained weights (``None``: it starts from new ones)."""
        self.node(node_id).weights = None if weights is None else frozen_arrays(weights)
        self._record(lambda c: c.changed.add(node_id))

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freezes (``False``) or unfreezes a node's weights for training."""
        self.node(node_id).trainable = bool(trainable)
        self._record(lambda c: c.changed.add(node_id))

    def set_pos(self, node_id: str, pos: tuple[float, float]) -> None:
        """Moves a node on the canvas."""
        self.node(node_id).pos = (float(pos[0]), float(pos[1]))
        self._record(lambda c: c.moved.add(node_id))

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
        # Weights are read-only arrays: the copy shares them instead of copying megabytes.
        other.nodes = {i: replace(n, params=copy.deepcopy(n.params)) for i, n in self.nodes.items()}
        other.edges = list(self.edges)
        other._next_id = self._next_id
        return other

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: nodes (with params and positions) and edges."""
        return {
            "nodes": [
                {"id": n.id, "name": n.name, "type": n.key, "params": _jsonable(n.params),
                 "pos": list(n.pos), **({} if n.trainable else {"trainable": False})}
                for n in self.nodes.values()
            ],
            "edges": [{"src": e.src, "dst": e.dst, "port": e.port} for e in self.edges],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        """Rebuilds a graph from :meth:`to_dict` data: the one door for graphs from outside.

        Files, the clipboard and run records all come through here, so what
        loads is exactly what the editor could have made.

        Raises:
            GraphError: On malformed data, unknown types or parameters, values the
                editor would refuse, duplicate ids or names, or edges between
                missing nodes; the message names the node.
        """
        if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) or \
                not isinstance(data.get("edges"), list):  # fmt: skip
            raise GraphError("a graph needs a list of nodes and a list of edges")
        graph = cls()
        for item in data["nodes"]:
            node = _node_from_dict(item)
            graph.insert_node(node)
            number = node.id[1:]
            if node.id.startswith("n") and number.isdigit() and len(number) < 12:
                graph._next_id = max(graph._next_id, int(number) + 1)
        for item in data["edges"]:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str)
                                                     for k in ("src", "dst")):  # fmt: skip
                raise GraphError(f"malformed connection {item!r:.80}")
            port = item.get("port", 0)
            if not isinstance(port, int) or isinstance(port, bool):
                raise GraphError(f"malformed connection {item!r:.80}")
            graph.insert_edge(Edge(item["src"], item["dst"], port))
        return graph


def _node_from_dict(item: Any) -> Node:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise GraphError(f"malformed node {item!r:.80}")
    name = item["name"]
    if not isinstance(item.get("id"), (str, int)) or not isinstance(item.get("type"), str):
        raise GraphError(f"node {name!r} lacks a valid id or type")
    params, pos = item.get("params", {}), item.get("pos", [0.0, 0.0])
    if not isinstance(params, dict):
        raise GraphError(f"node {name!r}: its parameters are not a mapping")
    if not isinstance(pos, (list, tuple)) or len(pos) != 2 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e9 for v in pos
    ):
        raise GraphError(f"node {name!r}: its position must be two numbers")
    trainable = item.get("trainable", True)
    if not isinstance(trainable, bool):
        raise GraphError(f"node {name!r}: trainable must be true or false")
    spec = catalog.get(item["type"])
    params = {**spec.defaults(), **params}
    errors = spec.parameter_errors(params)
    if errors:
        raise GraphError(f"node {name!r}: {errors[0]}")
    # JSON arrays as the tuples the editor stores ((1, 0), (0, 1)), so a loaded node holds
    # what an edited one does; a JSON parameter (a Keras configuration) stays as it is.
    kinds = {p.name: p.kind for p in spec.params}
    params = {k: v if kinds.get(k) == "json" else _tupled(v) for k, v in params.items()}
    return Node(str(item["id"]), name, spec.key, params, (float(pos[0]), float(pos[1])),
                trainable=trainable)


def _tupled(value: Any) -> Any:
    """Lists, nested too, as tuples."""
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


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
