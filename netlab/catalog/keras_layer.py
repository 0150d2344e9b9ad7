"""The generic Keras-layer node: any registered Keras layer NetLab has no entry for.

A node of this type keeps the layer's class and whole configuration (Keras's own
serialised form) in one parameter, ``layer``. Its output shape and weights come
from Keras: the layer is rebuilt from the configuration (Keras's safe mode, so
nothing from a file runs: ``Lambda`` and pickled functions are refused) and
called on symbolic inputs of the node's input shapes. Rebuilding is also what
validates an edited configuration.

Keras is slow to import (seconds) and the analysis runs on every edit, so the
results are cached by (configuration, input shapes). Where a caller must not
wait for Keras (the window), it sets :data:`compute_missing` to ``False``: a miss
then leaves the shape pending, recorded for :func:`resolve_pending`, which the
window runs on a worker thread before analysing again.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections import OrderedDict
from typing import Any

from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec
from netlab.errors import ShapeError, first_line

KEY = "KerasLayer"
REFUSED = ("Lambda", "TFOpLambda", "TorchModuleWrapper", "JaxLayer", "FlaxLayer")
"""Layers whose configuration carries code: never rebuilt from a file."""
PENDING_MESSAGE = "Keras is working out its shape"
KERAS_ERRORS = (ValueError, TypeError, LookupError, AttributeError, ArithmeticError,
                NotImplementedError, RuntimeError, AssertionError)  # fmt: skip
"""What Keras raises for a configuration or input it refuses (each becomes one line)."""

compute_missing = True
"""Whether a cache miss asks Keras at once (``False``: left pending)."""

Result = tuple[Shape, tuple[WeightSpec, ...]] | str
_cache: OrderedDict[tuple[str, tuple[Shape, ...]], Result] = OrderedDict()
_pending: dict[tuple[str, tuple[Shape, ...]], tuple[dict[str, Any], list[Shape]]] = {}
_lock = threading.Lock()
_CACHE_SIZE = 8192


def describe(layer: dict[str, Any]) -> str:
    """The layer's class as Keras registers it (``keras.layers>ZeroPadding3D``)."""
    return f"{layer.get('module') or '?'}>{layer.get('class_name') or '?'}"


def _checked_layer(layer: dict[str, Any]) -> dict[str, Any]:
    """``layer`` if it has the form of a serialised Keras layer; else a ShapeError."""
    name = layer.get("class_name")
    if not isinstance(name, str) or not isinstance(layer.get("config"), dict):
        raise ShapeError("layer", "the configuration needs a 'class_name' and a 'config' object")
    if name in REFUSED or any(r in str(layer.get("registered_name")) for r in REFUSED):
        raise ShapeError("layer", f"a {name} layer holds Python code, which NetLab never runs "
                         "from a file (Keras's safe mode); rebuild it from ordinary layers")
    return layer


def _reason(err: Exception) -> str:
    """The layer's own complaint, from inside Keras's "could not be deserialized" wrapper."""
    text = str(err)
    marker = "Exception encountered:"
    if marker in text:  # nested: the innermost is the layer's own
        inner = text.rsplit(marker, 1)[1].strip()
        if inner:
            return inner.splitlines()[0].strip()
    return first_line(err, with_type=False)


def make_layer(params: dict[str, Any], name: str) -> Any:
    """The Keras layer of a generic node, rebuilt in Keras's safe mode.

    Raises:
        ShapeError: If the class is refused, its package is not installed, or
            Keras refuses the configuration (one line, from Keras).
    """
    import keras

    layer = _checked_layer(dict(params["layer"]))
    module = str(layer.get("module") or "")
    package = module.split(".")[0]
    if package and package != "keras" and importlib.util.find_spec(package) is None:
        raise ShapeError("layer", f"{layer['class_name']} comes from the Python package "
                         f"{package!r}, which is not installed")  # fmt: skip
    layer["config"] = {**layer["config"], "name": name}
    try:
        with keras.saving.custom_object_scope({}):
            built = keras.saving.deserialize_keras_object(layer, safe_mode=True)
    except KERAS_ERRORS as err:
        raise ShapeError("layer", f"Keras cannot rebuild {describe(layer)}: "
                         f"{_reason(err)}") from None  # fmt: skip
    if not isinstance(built, keras.layers.Layer):
        raise ShapeError("layer", f"{describe(layer)} is not a Keras layer")
    return built


def _compute(layer: dict[str, Any], ins: list[Shape]) -> Result:
    """Output shape and weights from Keras, or the reason it refuses, as one line."""
    import keras

    try:
        built = make_layer({"layer": layer}, "probe")
        inputs = [keras.KerasTensor((None, *shape)) for shape in ins]
        out = built(inputs[0] if len(inputs) == 1 else inputs)
    except ShapeError as err:
        return str(err)
    except KERAS_ERRORS as err:  # the layer's own refusal of these shapes
        return f"Keras refuses these inputs: {first_line(err, with_type=False)}"
    if not isinstance(out, keras.KerasTensor) or out.shape[0] is not None:
        return "has several outputs (or changes the batch); a NetLab node has one output"
    weights = tuple(WeightSpec(_weight_name(w), tuple(w.shape), bool(w.trainable))
                    for w in built.weights)  # fmt: skip
    return tuple(out.shape[1:]), weights


def _weight_name(variable: Any) -> str:
    """A weight's path inside its layer ("kernel", "cell/bias"): Keras's path less the layer."""
    path = str(getattr(variable, "path", "") or variable.name)
    return path.split("/", 1)[1] if "/" in path else path


def _key(params: dict[str, Any], ins: list[Shape]) -> tuple[str, tuple[Shape, ...]]:
    return json.dumps(params["layer"], sort_keys=True), tuple(tuple(s) for s in ins)


def _result(params: dict[str, Any], ins: list[Shape]) -> tuple[Shape, tuple[WeightSpec, ...]]:
    layer = _checked_layer(params["layer"])
    key = _key(params, ins)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
    if found is None:
        if not compute_missing:
            with _lock:
                _pending[key] = (layer, list(ins))
            raise ShapeError("layer", PENDING_MESSAGE)
        found = _store(key, _compute(layer, list(ins)))
    if isinstance(found, str):
        raise ShapeError("layer", found)
    return found


def _store(key: tuple[str, tuple[Shape, ...]], result: Result) -> Result:
    with _lock:
        _cache[key] = result
        _pending.pop(key, None)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def pending() -> int:
    """How many (configuration, shapes) pairs wait for :func:`resolve_pending`."""
    with _lock:
        return len(_pending)


def resolve_pending() -> int:
    """Asks Keras for every pending shape (imports Keras); returns how many it resolved."""
    with _lock:
        work = list(_pending.items())
    for key, (layer, ins) in work:
        _store(key, _compute(layer, ins))
    return len(work)


def output_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """The shape Keras gives for these inputs (cached)."""
    return _result(params, ins)[0]


def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """The layer's weights as Keras builds them, in ``layer.weights`` order."""
    return list(_result(params, ins)[1])


IDENTITY: dict[str, Any] = {"module": "keras.layers", "class_name": "Identity", "config": {},
            "registered_name": None}  # fmt: skip

ENTRY = LayerSpec(
    KEY, "Keras layer (any)", "Keras",
    "Any Keras layer NetLab has no entry for, kept with its class and whole configuration "
    "(edit it as JSON; Keras checks it by rebuilding the layer). Shapes and weights come from "
    "Keras. Layers that hold Python code (Lambda) are never rebuilt from a file.",
    (Param("layer", "json", IDENTITY, "the layer's class ('class_name', 'module') and its "
           "Keras configuration ('config')"),),
    ("input",), output_shape, weights, make_layer, None, min_inputs=1, variadic=True,
    call_style="auto")  # fmt: skip
ENTRIES = (ENTRY,)
