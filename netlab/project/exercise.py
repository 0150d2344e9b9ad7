"""Exercises: goals a project carries, checked live, and the nodes a student may not change.

A teacher adds goals (an output shape at a node, a parameter or FLOPs budget, a
validation accuracy to reach, layer types to use) and locks nodes; a student opens
the file and sees each goal ticked off as the network meets it. ``netlab check``
prints the same ticks for many files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netlab.catalog import format_shape
from netlab.catalog.flops import format_flops
from netlab.errors import ProjectFileError

KINDS = ("output_shape", "max_parameters", "max_flops", "min_val_accuracy", "uses_layer")
"""The kinds of goal: ``output_shape`` (``node`` outputs ``value``, a shape without the
batch), ``max_parameters`` / ``max_flops`` (totals at most ``value``),
``min_val_accuracy`` (the latest run of the current network reaches ``value``),
``uses_layer`` (at least ``count`` nodes of type ``value``)."""


KIND_NAMES = {"output_shape": "output shape of a layer", "max_parameters": "parameters at most",
              "max_flops": "FLOPs at most", "min_val_accuracy": "validation accuracy at least",
              "uses_layer": "uses a layer type"}  # fmt: skip
"""How the Goals panel names each kind."""


@dataclass(frozen=True)
class Goal:
    """One goal of an exercise (see :data:`KINDS`)."""

    kind: str
    value: Any
    node: str = ""
    count: int = 1

    def describe(self) -> str:
        """The goal in words, e.g. ``conv2 outputs (4, 4, 32)``."""
        if self.kind == "output_shape":
            return f"{self.node} outputs {format_shape(tuple(self.value))}"
        if self.kind == "max_parameters":
            return f"at most {self.value:,} parameters"
        if self.kind == "max_flops":
            return f"at most {format_flops(self.value, 'FLOPs')}"
        if self.kind == "min_val_accuracy":
            return f"validation accuracy of at least {self.value:.0%}"
        from netlab import catalog

        name = catalog.get(self.value).display_name if self.value in catalog.CATALOG \
            else self.value  # fmt: skip
        return f"uses {name}" + (f" at least {self.count} times" if self.count > 1 else "")

    def to_dict(self) -> dict[str, Any]:
        """The goal as the project file holds it."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"kind": self.kind, "value": value, "node": self.node, "count": self.count}


@dataclass
class Exercise:
    """A project's goals and the names of the nodes a student may not change."""

    goals: list[Goal] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.goals or self.locked)

    def to_dict(self) -> dict[str, Any]:
        """As the project file holds it."""
        return {"goals": [g.to_dict() for g in self.goals], "locked": list(self.locked)}


@dataclass(frozen=True)
class Tick:
    """A goal and whether the project meets it, with what it has now (``detail``)."""

    goal: Goal
    met: bool
    detail: str


def _goal(item: Any, where: str) -> Goal:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise ProjectFileError(f"{where}: a goal needs a 'kind', one of {', '.join(KINDS)}")
    kind, value = item["kind"], item.get("value")
    node, count = item.get("node", ""), item.get("count", 1)
    good_count = isinstance(count, int) and not isinstance(count, bool) and count >= 1
    if not _valid(kind, value, node) or not good_count:
        raise ProjectFileError(f"{where}: the {kind} goal has an invalid value {value!r:.60}")
    return Goal(kind, tuple(value) if isinstance(value, list) else value,
                node if isinstance(node, str) else "", count)


def _valid(kind: str, value: Any, node: Any) -> bool:
    if kind == "output_shape":
        return (isinstance(value, list) and 0 < len(value) <= 8 and isinstance(node, str)
                and bool(node) and all(v is None or (isinstance(v, int) and v > 0)
                                       for v in value))  # fmt: skip
    if kind == "uses_layer":
        return isinstance(value, str) and 0 < len(value) <= 200
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        return False
    return 0 <= value <= 1 if kind == "min_val_accuracy" else value >= 0


def exercise_from_dict(data: Any, where: str) -> Exercise:
    """An exercise from a project file's ``exercise`` entry.

    Raises:
        ProjectFileError: One line naming the file and the bad entry.
    """
    if not isinstance(data, dict):
        raise ProjectFileError(f"{where}: exercise: expected an object")
    goals, locked = data.get("goals", []), data.get("locked", [])
    if not isinstance(goals, list) or len(goals) > 1000:
        raise ProjectFileError(f"{where}: exercise.goals: expected a list")
    if not isinstance(locked, list) or not all(isinstance(n, str) for n in locked):
        raise ProjectFileError(f"{where}: exercise.locked: expected a list of node names")
    return Exercise([_goal(g, f"{where}: exercise.goals[{i}]") for i, g in enumerate(goals)],
                    list(locked))  # fmt: skip


def structure(graph: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two networks the same, from ``Graph.to_dict()``: each node's name, type,
    parameters and trainability and each connection, by name (not positions or ids)."""
    import json

    names = {n["id"]: n["name"] for n in graph["nodes"]}
    nodes = sorted((n["name"], n["type"], json.dumps(n["params"], sort_keys=True, default=str),
                    n.get("trainable", True)) for n in graph["nodes"])  # fmt: skip
    edges = sorted((names[e["src"]], names[e["dst"]], e.get("port", 0)) for e in graph["edges"])
    return tuple(nodes), tuple(edges)


def check_goals(project: Any, analysis: Any = None) -> list[Tick]:
    """Each goal of ``project.exercise`` with whether the project meets it now."""
    from netlab.graph.analysis import analyse

    analysis = analysis if analysis is not None else analyse(project.graph)
    return [_tick(goal, project, analysis) for goal in project.exercise.goals]


def _tick(goal: Goal, project: Any, analysis: Any) -> Tick:
    graph = project.graph
    if goal.kind == "output_shape":
        node = next((n for n in graph.nodes.values() if n.name == goal.node), None)
        shape = analysis.shapes.get(node.id) if node is not None else None
        have = "no such layer" if node is None else \
            format_shape(shape) if shape is not None else "unknown"  # fmt: skip
        return Tick(goal, shape == goal.value, f"has {have}")
    if goal.kind == "max_parameters":
        total = sum(analysis.totals())
        return Tick(goal, analysis.valid and total <= goal.value, f"has {total:,}")
    if goal.kind == "max_flops":
        flops = analysis.total_flops()
        met = analysis.valid and flops is not None and flops <= goal.value
        return Tick(goal, met, f"has {format_flops(flops, 'FLOPs')}")
    if goal.kind == "min_val_accuracy":
        return _accuracy_tick(goal, project)
    count = sum(n.key == goal.value for n in graph.nodes.values())
    return Tick(goal, count >= goal.count, f"has {count}")


def _accuracy_tick(goal: Goal, project: Any) -> Tick:
    current = structure(project.graph.to_dict())
    runs = [r for r in project.runs if r.epochs and structure(r.graph) == current]
    if not runs:
        trained = "trained, but not this network" if project.runs else "not trained yet"
        return Tick(goal, False, trained)
    best = max(e.get("val_accuracy", float("nan")) for e in runs[-1].epochs)
    if best != best:  # NaN: no validation split
        return Tick(goal, False, "the run has no validation accuracy")
    return Tick(goal, best >= goal.value, f"reached {best:.1%}")


def locked_state(graph: Any, locked: list[str]) -> dict[str, tuple[Any, ...]]:
    """What a student may not change of each locked node: its type, parameters, whether
    it trains, and what feeds it (by name). Its position is free."""
    by_id = {n.id: n.name for n in graph.nodes.values()}
    state = {}
    for node in graph.nodes.values():
        if node.name in locked:
            feeds = tuple(sorted((by_id[e.src], e.port) for e in graph.inputs_of(node.id)))
            state[node.name] = (node.key, repr(sorted(node.params.items())), node.trainable, feeds)
    return state


def locked_change(before: dict[str, tuple[Any, ...]], graph: Any, locked: list[str]) -> str | None:
    """Why an edit that turned ``before`` (:func:`locked_state`) into ``graph`` is refused:
    the first locked node it removed or changed, or ``None``."""
    after = locked_state(graph, locked)
    for name, state in before.items():
        if name not in after:
            return f"{name} is part of the exercise and cannot be removed or renamed"
        if after[name] != state:
            return f"{name} is part of the exercise and cannot be changed"
    return None


_PREFIXES = {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}


def parse_goal(kind: str, text: str, node: str = "", count: int = 1) -> Goal:
    """A goal from what a teacher types: ``4, 4, 32`` (or ``(None, 4, 4, 32)``) for a
    shape, ``20,000`` for parameters, ``3.6G`` or ``1e6`` for FLOPs, ``0.9`` or ``90%``
    for accuracy, a layer type's key or name (``Conv2D``, ``Convolution 2D``).

    Raises:
        ParameterError: One line saying what the value should look like.
    """
    from netlab import catalog
    from netlab.errors import ParameterError

    raw, text = text, text.strip()
    try:
        if kind == "output_shape":
            parts = text.replace(",", " ").strip("()[] ").split()
            dims = [None if p.lower() == "none" else int(p) for p in parts]
            value: Any = [d for i, d in enumerate(dims) if not (i == 0 and d is None)]
        elif kind in ("max_parameters", "max_flops"):
            text = "".join(text.replace(",", "").replace("_", "").split())
            scale = _PREFIXES.get(text[-1:].lower(), 1.0) if text else 1.0
            number = float(text[:-1] if scale != 1.0 else text) * scale
            value = int(round(number))
        elif kind == "min_val_accuracy":
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        elif kind == "uses_layer":
            by_name = {s.display_name.lower(): s.key for s in catalog.CATALOG.values()}
            key = " ".join(text.split())
            value = key if key in catalog.CATALOG else by_name.get(key.lower(), "")
            if not value:
                raise ValueError(key)
        else:
            raise ParameterError("kind", f"no kind of goal {kind!r}; one of {', '.join(KINDS)}")
    except (ValueError, IndexError):
        value = None
    expected = {"output_shape": "a shape such as 4, 4, 32", "max_parameters": "a number "
                "such as 20,000", "max_flops": "a number such as 100k, 3.6G or 1e6",
                "min_val_accuracy": "a fraction such as 0.9, or 90%",
                "uses_layer": "a layer type, e.g. Conv2D or Convolution 2D"}  # fmt: skip
    if value is None or not _valid(kind, value, node or "-"):
        raise ParameterError(kind, f"{KIND_NAMES[kind]}: needs {expected[kind]} "
                                   f"(got {raw!r})")  # fmt: skip
    if kind == "output_shape" and not node:
        raise ParameterError("node", "an output-shape goal needs the layer it is about")
    return Goal(kind, tuple(value) if isinstance(value, list) else value,
                node if kind == "output_shape" else "", count)
