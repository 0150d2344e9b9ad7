"""The catalog entries of NetLab's own layers: one module per layer of :mod:`netlab.layers`.

Each module here has the name of its layer's module and holds, without
importing Keras, everything the catalog knows about that layer type (its
``ENTRIES``): parameters, ports, the pure-Python shape and weight arithmetic
that the layer itself uses too, and for composite layers the recipe of simpler
layers. The catalog finds the modules by walking this package, so adding a
NetLab layer means adding the layer, its entry here, its test and its
documentation, and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

from netlab.catalog.spec import LayerSpec


def entries() -> tuple[LayerSpec, ...]:
    """Every entry of every module of this package, in module order."""
    found: list[LayerSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found += importlib.import_module(f"{__name__}.{info.name}").ENTRIES
    return tuple(found)
