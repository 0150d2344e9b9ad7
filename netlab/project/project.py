"""Everything a user made: graph, layout view, training set-up, runs, weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netlab.errors import ProjectFileError
from netlab.graph.analysis import Analysis, analyse
from netlab.graph.model import Graph
from netlab.project.config import default_training_config

Weights = dict[str, list[np.ndarray]]
"""Each layer's weight arrays, by node name, in Keras's ``get_weights()`` order."""


@dataclass
class RunRecord:
    """One training run, as it is kept for plots and comparison.

    Attributes:
        id: Unique within the project (``run1``, ``run2``, ...).
        name: Shown in the run list.
        graph: ``Graph.to_dict()`` of the network it trained.
        config: The training configuration it used.
        status: ``running``, ``finished``, ``stopped`` or ``failed``.
        reason: Why it stopped or failed (one line), if it did.
        started: ISO time stamp.
        finished: ISO time stamp, or ``None`` while running.
        epochs: Per-epoch metrics as Keras names them (``loss``,
            ``val_accuracy``, ...) plus ``epoch`` and ``seconds``.
        batches: Per-batch series of equal length (``step``, ``loss``,
            ``learning_rate``, ...).
        layer_stats: Per-layer series (see :mod:`netlab.training.layerstats`): lists
            of layer names (``layers``, ``weight_layers``, ``activation_layers``) and
            arrays (``step``, ``grad_norm``, ``update_ratio``, ``weight_hist``, ...);
            empty for runs recorded before them or without them.
    """

    id: str
    name: str
    graph: dict[str, Any]
    config: dict[str, Any]
    status: str = "finished"
    reason: str = ""
    started: str = ""
    finished: str | None = None
    epochs: list[dict[str, float]] = field(default_factory=list)
    batches: dict[str, np.ndarray] = field(default_factory=dict)
    layer_stats: dict[str, Any] = field(default_factory=dict)


class Project:
    """A NetLab project: what a ``.netlab`` file holds.

    The trained weights live on the graph's nodes (``Node.weights``), so they
    follow each layer through renames, moves and undo; :attr:`weights` shows
    them by layer name, as Keras and the file name them.

    Args:
        graph: The network.
        view: The canvas's zoom and centre.
        training: The training settings.
        runs: Recorded training runs.
        weights: Trained weights by node name (given to the nodes of those names).
        warnings: What loading found and fixed (weights that no longer fit, ...).
        sweeps: Hyperparameter sweeps (``netlab.sweep.Sweep``); their trials are runs.
        exercise: Goals and locked nodes (``netlab.project.exercise.Exercise``).
    """

    def __init__(self, graph: Graph, view: dict[str, Any] | None = None,
                 training: dict[str, Any] | None = None, runs: list[RunRecord] | None = None,
                 weights: Weights | None = None, warnings: list[str] | None = None,
                 sweeps: list[Any] | None = None, exercise: Any = None) -> None:  # fmt: skip
        self.graph = graph
        self.view = view if view is not None else {"zoom": 1.0, "center": [0.0, 0.0]}
        self.training = training if training is not None else default_training_config()
        self.runs = runs if runs is not None else []
        self.warnings = warnings or []
        self.sweeps = sweeps if sweeps is not None else []
        if exercise is None:
            from netlab.project.exercise import Exercise

            exercise = Exercise()
        self.exercise = exercise
        if weights is not None:
            self.weights = weights

    @property
    def weights(self) -> Weights | None:
        """Trained weights by node name, or ``None`` when no layer has any."""
        found = {n.name: list(n.weights) for n in self.graph.nodes.values() if n.weights}
        return found or None

    @weights.setter
    def weights(self, weights: Weights | None) -> None:
        by_name = {n.name: n.id for n in self.graph.nodes.values()}
        with self.graph.batch():
            for node in self.graph.nodes.values():
                if node.weights is not None:
                    self.graph.set_weights(node.id, None)
            for name, arrays in (weights or {}).items():
                if name in by_name and arrays:
                    self.graph.set_weights(by_name[name], arrays)

    def weights_to_keep(self, analysis: Analysis | None = None) -> Weights:
        """The weights a save writes: every layer's, but those that no longer fit."""
        analysis = analysis or analyse(self.graph)
        return {n.name: list(n.weights) for n in self.graph.nodes.values()
                if n.weights and n.id not in analysis.reinitialised}  # fmt: skip


def attach_weights(graph: Graph, weights: Weights, where: str) -> list[str]:
    """Gives each named node its weights; returns a warning for each that cannot be used.

    Weights for a layer that is not in the graph are dropped; weights that do not
    fit their layer (an older or hand-edited file) stay on it but are not used:
    the layer starts from new weights. Works without Keras.
    """
    analysis = None
    warnings = []
    by_name = {node.name: node.id for node in graph.nodes.values()}
    with graph.batch():
        for name, arrays in weights.items():
            if name not in by_name:
                warnings.append(f"{where}: weights for {name!r}, which is not in the graph, "
                                "were left out")  # fmt: skip
            elif arrays:
                graph.set_weights(by_name[name], arrays)
    analysis = analyse(graph)
    for node_id, reason in analysis.reinitialised.items():
        name = graph.nodes[node_id].name
        warnings.append(f"{where}: the weights of {name!r} do not fit it and were left out "
                        f"({reason}); it starts from new weights")  # fmt: skip
    return warnings


def weights_of(model: Any) -> Weights:
    """The weights of a built model, by layer name (layers without weights left out)."""
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def build_with_weights(project: Project) -> Any:
    """Builds the project's Keras model and loads the trained weights that fit.

    Layers whose weights no longer fit (re-initialised) start from new weights.

    Raises:
        ProjectFileError: If a weight array's shape does not fit its Keras layer
            although the catalog says it should (a bug, named).
    """
    from netlab.graph.builder import build_model, load_layer_weights

    model = build_model(project.graph)
    for name, arrays in project.weights_to_keep().items():
        try:
            layer = model.get_layer(name)
        except ValueError:
            continue  # a layer that leads to no output is not in the model
        expected = [tuple(w.shape) for w in layer.weights]
        if [tuple(a.shape) for a in arrays] != expected:
            raise ProjectFileError(
                f"the weights of {name!r} have shapes {[tuple(a.shape) for a in arrays]}, the "
                f"layer needs {expected}"
            )
        load_layer_weights(layer, arrays)
    return model
