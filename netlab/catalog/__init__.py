"""The layer catalog: the one source of truth about layer types.

The palette, the inspector, validation, shape inference, the model builder and
the file loader all read it. Adding a layer type means adding one entry.
Nothing here imports Keras.
"""

from __future__ import annotations

from netlab.catalog import (
    keras_augment,
    keras_conv,
    keras_layer,
    keras_misc,
    keras_recurrent,
    subnetwork,
)
from netlab.catalog import netlab_layers as _netlab_layers
from netlab.catalog.core_entries import CORE_ENTRIES
from netlab.catalog.spec import (
    ACTIVATIONS,
    LayerSpec,
    Param,
    Shape,
    WeightSpec,
    format_shape,
    format_value,
)
from netlab.errors import GraphError

__all__ = [
    "ACTIVATIONS",
    "GraphError",
    "CATALOG",
    "LayerSpec",
    "Param",
    "Shape",
    "WeightSpec",
    "categories",
    "format_shape",
    "format_value",
    "get",
    "spec_for_keras_class",
]

CATALOG: dict[str, LayerSpec] = {
    spec.key: spec
    for spec in (*CORE_ENTRIES, *_netlab_layers.entries(), *keras_conv.ENTRIES,
                 *keras_misc.ENTRIES, *keras_recurrent.ENTRIES, *keras_augment.ENTRIES,
                 *keras_layer.ENTRIES, *subnetwork.ENTRIES)  # fmt: skip
}
CATEGORY_ORDER = ("Input / output", "Core", "Activations", "Convolution", "Pooling",
                  "Normalisation", "Regularisation", "Augmentation", "Recurrent", "Attention",
                  "Embedding", "Reshaping", "Merging", "Keras")  # fmt: skip
"""Palette sections in the order a network is usually built; others follow, by name."""
_BY_KERAS_CLASS = {spec.keras_class: spec for spec in CATALOG.values() if spec.keras_class}


def get(key: str) -> LayerSpec:
    """Returns the entry for ``key``.

    Raises:
        GraphError: If no layer type has that key.
    """
    try:
        return CATALOG[key]
    except KeyError:
        raise GraphError(f"unknown layer type {key!r}") from None


def spec_for_keras_class(registered_name: str) -> LayerSpec | None:
    """The entry that builds the Keras class of this registered name, if any."""
    return _BY_KERAS_CLASS.get(registered_name)


def categories() -> dict[str, list[LayerSpec]]:
    """Entries grouped by palette category (see ``CATEGORY_ORDER``), by name within each."""
    groups: dict[str, list[LayerSpec]] = {}
    for spec in sorted(CATALOG.values(), key=lambda s: s.display_name.lower()):
        groups.setdefault(spec.category, []).append(spec)

    def rank(category: str) -> tuple[int, str]:
        known = category in CATEGORY_ORDER
        return (CATEGORY_ORDER.index(category) if known else len(CATEGORY_ORDER), category)

    return {category: groups[category] for category in sorted(groups, key=rank)}
