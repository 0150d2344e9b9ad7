"""Structural checks of ``project.json`` before anything is built from it.

Each check names the path of the offending value, e.g.
``runs[0].epochs: expected a list``, so a hostile or damaged file is refused
with one clear line instead of a KeyError deep inside the loader.
"""

from __future__ import annotations

import math
from typing import Any

from netlab.errors import ProjectFileError

_NUMBER = (int, float)


def _fail(where: str, at: str, message: str) -> ProjectFileError:
    return ProjectFileError(f"{where}: {at}: {message}")


def _need(
    value: Any, kind: type | tuple[type, ...], where: str, at: str, finite: bool = True
) -> Any:
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _as_tuple(kind))
    if not ok:
        names = " or ".join(k.__name__ for k in _as_tuple(kind))
        raise _fail(where, at, f"expected {names}, found {type(value).__name__}")
    if finite and isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, at, "expected a finite number")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _fields(obj: Any, spec: dict[str, Any], where: str, at: str) -> None:
    _need(obj, dict, where, at)
    for key, kind in spec.items():
        if key not in obj:
            raise _fail(where, at, f"missing field {key!r}")
        _need(obj[key], kind, where, f"{at}.{key}")


def _check_graph(graph: Any, where: str, at: str) -> None:
    _fields(graph, {"nodes": list, "edges": list}, where, at)
    ids = set()
    for i, node in enumerate(graph["nodes"]):
        here = f"{at}.nodes[{i}]"
        _fields(node, {"id": str, "name": str, "type": str, "params": dict, "pos": list},
                where, here)  # fmt: skip
        if len(node["pos"]) != 2:
            raise _fail(where, f"{here}.pos", "expected two numbers")
        for j, v in enumerate(node["pos"]):
            _need(v, _NUMBER, where, f"{here}.pos[{j}]")
        if node["id"] in ids:
            raise _fail(where, here, f"duplicate node id {node['id']!r}")
        ids.add(node["id"])
    for i, edge in enumerate(graph["edges"]):
        _fields(edge, {"src": str, "dst": str, "port": int}, where, f"{at}.edges[{i}]")


def _check_layer_stats(stats: Any, where: str, at: str) -> None:
    _fields(stats, {"names": dict, "arrays": list}, where, at)
    for key, names in stats["names"].items():
        for j, name in enumerate(_need(names, list, where, f"{at}.names.{key}")):
            _need(name, str, where, f"{at}.names.{key}[{j}]")
    for j, key in enumerate(stats["arrays"]):
        _need(key, str, where, f"{at}.arrays[{j}]")
        if not key.isidentifier():
            raise _fail(where, f"{at}.arrays[{j}]", f"invalid array name {key!r}")


def check_project_json(doc: dict[str, Any], where: str) -> None:
    """Raises :class:`ProjectFileError` unless ``doc`` has the version-1 structure."""
    _fields(doc, {"graph": dict, "view": dict, "training": dict, "runs": list,
                  "weights": (dict, type(None))}, where, "project.json")  # fmt: skip
    _check_graph(doc["graph"], where, "graph")
    run_ids = set()
    for i, run in enumerate(doc["runs"]):
        here = f"runs[{i}]"
        _fields(run, {"id": str, "name": str, "graph": dict, "config": dict, "status": str,
                      "reason": str, "started": str, "finished": (str, type(None)),
                      "epochs": list, "batches": list}, where, here)  # fmt: skip
        if not run["id"].replace("_", "").isalnum() or run["id"] in run_ids:
            raise _fail(where, f"{here}.id", f"invalid or duplicate run id {run['id']!r}")
        run_ids.add(run["id"])
        _check_graph(run["graph"], where, f"{here}.graph")
        for j, epoch in enumerate(run["epochs"]):
            _need(epoch, dict, where, f"{here}.epochs[{j}]")
            for key, value in epoch.items():
                # A run that diverged records NaN or inf: that is data, not damage.
                _need(value, _NUMBER, where, f"{here}.epochs[{j}].{key}", finite=False)
        for j, key in enumerate(run["batches"]):
            _need(key, str, where, f"{here}.batches[{j}]")
        if "layer_stats" in run:
            _check_layer_stats(run["layer_stats"], where, f"{here}.layer_stats")
    for name, count in (doc["weights"] or {}).items():
        _need(count, int, where, f"weights.{name}")
        if not 0 <= count <= 1000:
            raise _fail(where, f"weights.{name}", f"implausible number of arrays {count}")
    for i, sweep in enumerate(_need(doc.get("sweeps", []), list, where, "sweeps")):
        _check_sweep(sweep, where, f"sweeps[{i}]")
    ids = [s["id"] for s in doc.get("sweeps", [])]
    if len(set(ids)) != len(ids):
        raise _fail(where, "sweeps", "duplicate sweep id")


_NONE = type(None)
_SWEEP = {"id": str, "dimensions": list, "strategy": str, "trials_budget": int,
          "seconds_budget": (*_NUMBER, _NONE), "objective": str, "direction": str, "seed": int,
          "prune": bool, "jobs": int, "baseline": bool, "trials": list, "started": str,
          "finished": str}  # fmt: skip
_DIMENSION = {"setting": str, "layer": str, "low": (*_NUMBER, _NONE), "high": (*_NUMBER, _NONE),
              "log": bool, "choices": list, "integer": bool}  # fmt: skip
_TRIAL = {"number": int, "values": dict, "state": str, "score": (*_NUMBER, _NONE),
          "run_id": str, "seconds": _NUMBER, "parameters": int, "epochs": int,
          "reason": str}  # fmt: skip


def _exact(obj: Any, spec: dict[str, Any], where: str, at: str) -> None:
    """Like :func:`_fields`, and no other fields."""
    _fields(obj, spec, where, at)
    extra = sorted(set(obj) - set(spec))
    if extra:
        raise _fail(where, at, f"unknown field {extra[0]!r}")


def _check_sweep(sweep: Any, where: str, at: str) -> None:
    _exact(sweep, _SWEEP, where, at)
    if not sweep["id"].replace("_", "").isalnum():
        raise _fail(where, f"{at}.id", f"invalid sweep id {sweep['id']!r}")
    if sweep["strategy"] not in ("tpe", "random", "grid"):
        raise _fail(where, f"{at}.strategy", f"unknown strategy {sweep['strategy']!r}")
    if sweep["direction"] not in ("minimize", "maximize"):
        raise _fail(where, f"{at}.direction", f"unknown direction {sweep['direction']!r}")
    for j, dimension in enumerate(sweep["dimensions"]):
        here = f"{at}.dimensions[{j}]"
        _exact(dimension, _DIMENSION, where, here)
        for k, choice in enumerate(dimension["choices"]):
            _need(choice, (*_NUMBER, str, bool, _NONE), where, f"{here}.choices[{k}]")
    for j, trial in enumerate(sweep["trials"]):
        here = f"{at}.trials[{j}]"
        _exact(trial, _TRIAL, where, here)
        if trial["state"] not in ("complete", "pruned", "failed", "running"):
            raise _fail(where, f"{here}.state", f"unknown state {trial['state']!r}")
        for key, value in trial["values"].items():
            _need(value, (*_NUMBER, str, bool, _NONE), where, f"{here}.values.{key}")
