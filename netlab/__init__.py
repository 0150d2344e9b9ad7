"""NetLab core: layers, graphs, training and files, with no Qt.

Importing ``netlab`` is cheap: it does not import Keras (and so not TensorFlow,
which takes seconds) by itself. The custom layers in :mod:`netlab.layers` are
registered with Keras as soon as both ``netlab`` and ``keras`` are imported, in
either order, so that ``import netlab`` is all a plain-Keras script needs before
``keras.saving.load_model`` reads a file holding NetLab layers.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "layers"]


class _RegisterLayersAfterKeras(importlib.abc.MetaPathFinder):
    """Imports :mod:`netlab.layers` right after ``keras`` has been imported.

    Why: registration needs Keras, and Keras on its default backend imports
    TensorFlow (seconds). Deferring it keeps ``import netlab`` instant for the
    GUI while still registering the layers for any later use of Keras.
    """

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None:
            return spec
        exec_keras = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            exec_keras(module)
            importlib.import_module("netlab.layers")

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _register_layers_with_keras() -> None:
    if "keras" in sys.modules:
        importlib.import_module("netlab.layers")
    elif not any(isinstance(f, _RegisterLayersAfterKeras) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterLayersAfterKeras())


def __getattr__(name: str) -> ModuleType:
    if name == "layers":
        return importlib.import_module("netlab.layers")
    raise AttributeError(f"module 'netlab' has no attribute {name!r}")


_register_layers_with_keras()
