"""Runs side by side: one row per run of any project, whatever network it trained.

The Runs view and ``netlab runs`` read these rows: the network each run trained
(from the run's own copy of the graph), its size and FLOPs, its best validation
metric, its time per epoch and its settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from netlab.graph.analysis import Analysis, analyse
from netlab.graph.model import Graph
from netlab.project.project import Project, RunRecord


@dataclass(frozen=True)
class RunRow:
    """One run for comparison (see the module)."""

    source: str
    run: RunRecord = field(repr=False)
    architecture: str
    parameters: int
    flops: int | None
    metric: str
    best: float | None
    seconds_per_epoch: float | None
    settings: str

    @property
    def graph(self) -> Graph:
        """The network the run trained."""
        return Graph.from_dict(self.run.graph)


def architecture(graph: Graph, analysis: Analysis) -> str:
    """The network in one line: its layers with weights counted by type, in order of first
    appearance, e.g. ``"Convolution 2D x1, Batch normalisation x1, Residual block x21"``."""
    from netlab import catalog

    counts: dict[str, int] = {}
    for node_id in analysis.order:
        if analysis.weights.get(node_id):
            name = catalog.get(graph.nodes[node_id].key).display_name
            counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} x{count}" for name, count in counts.items())


def best_metric(epochs: list[dict[str, float]]) -> tuple[str, float | None]:
    """The run's best validation accuracy, else its lowest validation loss, else its
    lowest training loss: ``(metric name, value)``."""
    for name, pick in (("val_accuracy", max), ("val_loss", min), ("loss", min)):
        values = [e[name] for e in epochs if isinstance(e.get(name), float | int)
                  and math.isfinite(e[name])]  # fmt: skip
        if values:
            return name, float(pick(values))
    return "loss", None


def _settings(config: dict[str, Any]) -> str:
    parts = [str(config.get("optimizer", "?")), f"lr {config.get('learning_rate', '?'):g}"
             if isinstance(config.get("learning_rate"), float | int) else "lr ?",
             f"batch {config.get('batch_size', '?')}", str(config.get("dataset", "?"))]
    return ", ".join(parts)


def run_rows(project: Project, source: str) -> list[RunRow]:
    """A row for every run of ``project`` that trained at least one epoch."""
    rows = []
    known: dict[str, tuple[str, int, int | None]] = {}  # a graph's JSON -> its numbers
    for run in project.runs:
        if not run.epochs:
            continue
        import json

        key = json.dumps(run.graph, sort_keys=True, default=str)
        if key not in known:
            graph = Graph.from_dict(run.graph)
            analysis = analyse(graph)
            known[key] = (architecture(graph, analysis), sum(analysis.totals()),
                          analysis.total_flops())  # fmt: skip
        name, value = best_metric(run.epochs)
        seconds = [e["seconds"] for e in run.epochs if "seconds" in e]
        rows.append(RunRow(source, run, *known[key], name, value,
                           sum(seconds) / len(seconds) if seconds else None,
                           _settings(run.config)))  # fmt: skip
    return rows
