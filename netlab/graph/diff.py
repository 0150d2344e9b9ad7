"""What changed between two networks: layers added, removed, renamed, changed and rewired.

Layers are matched by name (names are unique in a graph); a layer that disappeared
and one that appeared with the same type, parameters and inputs count as renamed.
Positions and weights are not part of a network's design and are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netlab.catalog import format_value
from netlab.graph.model import Graph


@dataclass
class GraphDiff:
    """The differences from graph ``a`` to graph ``b``.

    Attributes:
        added: Names of the layers only ``b`` has.
        removed: Names of the layers only ``a`` has.
        renamed: ``(old name, new name)`` of the layers that only changed name.
        changed: ``(name, [what changed, ...])``: type, parameters, trainable.
        rewired: ``(name, inputs in a, inputs in b)`` of the layers fed differently.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    rewired: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.added, self.removed, self.renamed, self.changed, self.rewired))

    def summary(self) -> str:
        """The counts in one line: ``21 added, 126 removed, 2 rewired`` (or ``same network``)."""
        counts = [(len(self.added), "added"), (len(self.removed), "removed"),
                  (len(self.renamed), "renamed"), (len(self.changed), "changed"),
                  (len(self.rewired), "rewired")]  # fmt: skip
        return ", ".join(f"{n} {what}" for n, what in counts if n) or "same network"

    def lines(self) -> list[str]:
        """The differences in words, one per line (``same network`` when none)."""
        out = [f"+ {name}" for name in self.added]
        out += [f"- {name}" for name in self.removed]
        out += [f"~ {old} renamed {new}" for old, new in self.renamed]
        out += [f"~ {name}: {'; '.join(what)}" for name, what in self.changed]
        out += [f"~ {name}: inputs {', '.join(old) or 'none'} -> {', '.join(new) or 'none'}"
                for name, old, new in self.rewired]  # fmt: skip
        return out or ["same network"]


def _inputs(graph: Graph, node_id: str) -> list[str]:
    return [graph.nodes[e.src].name for e in graph.inputs_of(node_id)]


def _changes(a: Any, b: Any) -> list[str]:
    if a.key != b.key:
        return [f"type {a.key} -> {b.key}"]
    found = []
    for name in sorted(set(a.params) | set(b.params)):
        old, new = a.params.get(name), b.params.get(name)
        if old != new:
            found.append(f"{name} {format_value(old)} -> {format_value(new)}")
    if a.trainable != b.trainable:
        found.append("frozen" if not b.trainable else "trainable again")
    return found


def diff_graphs(a: Graph, b: Graph) -> GraphDiff:
    """The differences from ``a`` to ``b`` (see :class:`GraphDiff`)."""
    by_name_a = {n.name: n for n in a.nodes.values()}
    by_name_b = {n.name: n for n in b.nodes.values()}
    result = GraphDiff()
    only_a = [n for n in by_name_a if n not in by_name_b]
    only_b = [n for n in by_name_b if n not in by_name_a]
    renamed: dict[str, str] = {}  # name in a -> name in b
    for old in only_a:
        node = by_name_a[old]
        twin = next((new for new in only_b if new not in renamed.values()
                     and by_name_b[new].key == node.key and by_name_b[new].params == node.params
                     and len(b.inputs_of(by_name_b[new].id)) == len(a.inputs_of(node.id))),
                    None)  # fmt: skip
        if twin is not None:
            renamed[old] = twin
    result.removed = [n for n in only_a if n not in renamed]
    result.added = [n for n in only_b if n not in renamed.values()]
    result.renamed = list(renamed.items())
    as_b = {**{n: n for n in by_name_a}, **renamed}  # a layer's name in b
    for name, node in by_name_a.items():
        if as_b[name] not in by_name_b:
            continue
        other = by_name_b[as_b[name]]
        what = _changes(node, other)
        if what:
            result.changed.append((as_b[name], what))
        before = [as_b.get(src, src) for src in _inputs(a, node.id)]
        after = _inputs(b, other.id)
        if before != after:
            result.rewired.append((as_b[name], before, after))
    return result
