"""What every inspect view needs about a trained network: the model, its data, its layers.

:func:`load_context` runs on a worker thread (splitting and standardising a large
data set takes a moment, and reading the model's layers touches Keras).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netlab import catalog
from netlab.data import Dataset
from netlab.data.transform import InputTransform
from netlab.graph.model import Graph, topological_order
from netlab.project import check_training_config
from netlab.training.setup import prepare_arrays


def keys_with(capability: str) -> tuple[str, ...]:
    """The layer types whose catalog entry says a view can show ``capability``."""
    return tuple(key for key, spec in catalog.CATALOG.items() if capability in spec.capabilities)


ATTENTION_KEYS = keys_with("attention")
POSITION_KEYS = keys_with("positions")


@dataclass
class InspectContext:
    """A trained model with the examples it was validated on.

    Attributes:
        model: The trained ``keras.Model``.
        graph: The graph it was built from (node names are layer names).
        dataset: The data set.
        x: Examples as the model takes them (split and standardised).
        y: Their labels as prepared for training (indices or one-hot).
        x_raw: The same examples before standardising, for showing them.
        y_raw: Their labels as class indices (or regression targets).
        split: ``"validation"``, or ``"training"`` when nothing was held out.
        layers: Per view (``"features"``, ``"attention"``, ``"positions"``), the
            ``(name, key)`` of the nodes it can show, in graph order.
        patch_nodes: Names of the graph's ``PatchEmbedding`` nodes.
        config: The training configuration (checked).
    """

    model: Any
    graph: Graph
    dataset: Dataset
    x: np.ndarray
    y: np.ndarray
    x_raw: np.ndarray
    y_raw: np.ndarray
    split: str = "validation"
    layers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    patch_nodes: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of examples."""
        return len(self.x)

    @property
    def is_classification(self) -> bool:
        """Whether the data set has classes."""
        return self.dataset.task == "classification"

    def label(self, index: int) -> str:
        """The true class name (or target) of example ``index``."""
        value = self.y_raw[index]
        if self.is_classification:
            names = self.dataset.class_names
            return names[int(value)] if 0 <= int(value) < len(names) else str(value)
        return " ".join(f"{float(v):.3g}" for v in np.ravel(value))


def load_context(model: Any, graph: Graph, dataset: Dataset, config: dict[str, Any]
                 ) -> InspectContext:  # fmt: skip
    """Splits and prepares the data as training did and lists the layers each view can show.

    Raises:
        NetLabError: If the configuration is invalid or the data cannot be split.
    """
    config = check_training_config(config)
    arrays = prepare_arrays(dataset, config)
    x_train, y_train, x_val, y_val = dataset.split(config["validation_split"], config["seed"])
    # Shown as the network's input would be without standardising: pixels scaled to 0..1.
    unstandardised = InputTransform(scale=dataset.scale, to_float=dataset.kind != "tokens")
    x_val = unstandardised(x_val)
    context = InspectContext(model, graph, dataset, arrays["x_val"], arrays["y_val"], x_val, y_val,
                             config=config)  # fmt: skip
    if len(x_val) == 0:
        context.x, context.y = arrays["x_train"], arrays["y_train"]
        context.x_raw, context.y_raw = unstandardised(x_train), y_train
        context.split = "training"
    nodes = [graph.nodes[i] for i in topological_order(graph)[0]]
    names = {layer.name for layer in model.layers}
    context.layers = {
        "features": [(n.name, n.key) for n in nodes if n.name in names
                     and _is_spatial(model.get_layer(n.name), n.key)],
        "attention": [(n.name, n.key) for n in nodes if n.key in ATTENTION_KEYS],
        "positions": [(n.name, n.key) for n in nodes if n.key in POSITION_KEYS],
    }  # fmt: skip
    context.patch_nodes = [n.name for n in nodes if n.key in keys_with("patches")]
    return context


def _is_spatial(layer: Any, key: str) -> bool:
    """Whether the layer's output is image-shaped ``(batch, H, W, C)`` (or patches)."""
    if key == "Input" or key in keys_with("patches"):
        return key != "Input"
    shape = getattr(getattr(layer, "output", None), "shape", None)
    return shape is not None and len(shape) == 4
