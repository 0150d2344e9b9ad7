"""Everything a user made: graph, layout view, training set-up, runs, weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netlab.errors import ProjectFileError
from netlab.graph.analysis import analyse
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


@dataclass
class Project:
    """A NetLab project: what a ``.netlab`` file holds."""

    graph: Graph
    view: dict[str, Any] = field(default_factory=lambda: {"zoom": 1.0, "center": [0.0, 0.0]})
    training: dict[str, Any] = field(default_factory=default_training_config)
    runs: list[RunRecord] = field(default_factory=list)
    weights: Weights | None = None


def check_weights(graph: Graph, weights: Weights, where: str) -> None:
    """Raises unless ``weights`` fit ``graph``: known layers, the right sizes.

    Works without Keras, from the parameter counts of the graph's analysis.

    Raises:
        ProjectFileError: Naming ``where`` and the first layer that does not fit.
    """
    analysis = analyse(graph)
    by_name = {node.name: node.id for node in graph.nodes.values()}
    for name, arrays in weights.items():
        if name not in by_name:
            raise ProjectFileError(f"{where}: weights for {name!r}, which is not in the graph")
        expected = sum(analysis.counts.get(by_name[name], (0, 0)))
        found = sum(int(a.size) for a in arrays)
        if found != expected:
            raise ProjectFileError(
                f"{where}: the weights of {name!r} hold {found:,} values but the layer has "
                f"{expected:,} parameters"
            )


def weights_of(model: Any) -> Weights:
    """The weights of a built model, by layer name (layers without weights left out)."""
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def build_with_weights(project: Project) -> Any:
    """Builds the project's Keras model and loads its weights, if it has any.

    Raises:
        ProjectFileError: If a weight array's shape does not fit its layer.
    """
    from netlab.graph.builder import build_model

    model = build_model(project.graph)
    for name, arrays in (project.weights or {}).items():
        layer = model.get_layer(name)
        expected = [tuple(w.shape) for w in layer.weights]
        if [tuple(a.shape) for a in arrays] != expected:
            raise ProjectFileError(
                f"the weights of {name!r} have shapes {[tuple(a.shape) for a in arrays]}, the "
                f"layer needs {expected}"
            )
        layer.set_weights(arrays)
    return model
