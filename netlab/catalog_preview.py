"""A plain listing of the layer library, for the CLI and the first window.

Why a separate module: the full layer catalog (with parameters, shapes and
help) comes with the graph model; until then this reads the layer classes'
own docstrings so nothing is written twice.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass


@dataclass(frozen=True)
class LayerInfo:
    """One layer of :mod:`netlab.layers`: its name, summary and full help."""

    name: str
    summary: str
    help: str


def layer_library() -> list[LayerInfo]:
    """Returns every public layer class of :mod:`netlab.layers`, by name.

    Imports Keras (and its backend) on first use: call it off the GUI thread.
    """
    from netlab import layers

    infos = []
    for name in layers.__all__:
        obj = getattr(layers, name)
        if inspect.isclass(obj):
            doc = inspect.getdoc(obj) or ""
            infos.append(LayerInfo(name, doc.splitlines()[0] if doc else "", doc))
    return infos
