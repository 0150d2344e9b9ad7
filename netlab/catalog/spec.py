"""What a catalog entry says about a layer type: parameters, ports, shapes, counts."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netlab.errors import ParameterError, ShapeError

Shape = tuple[int | None, ...]
"""A tensor shape without the batch dimension, e.g. ``(28, 28, 1)``."""

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "tanh", "gelu", "softmax", "elu", "selu", "softplus", "swish",
    "leaky_relu", "silu", "relu6", "hard_sigmoid", "hard_silu", "mish", "softsign",
    "exponential", "log_softmax",
)  # fmt: skip


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """One parameter of a layer type.

    Attributes:
        name: Keyword of the layer's constructor (the Keras name where one exists).
        kind: ``int``, ``float``, ``bool``, ``choice``, ``str``, ``str_list``,
            ``shape`` (list of ints),
            ``int_pair`` (an int or two), ``padding`` (an int, two ints,
            ``"valid"`` or ``"same"``), ``optional_int`` (an int or ``None``),
            ``optional_float``, ``int_list`` (a list of ints, maybe empty),
            ``pads2d`` (zeros or rows cut on each side of an image: an int, a
            pair, or ``((top, bottom), (left, right))``) or ``json`` (a JSON
            object: a layer's whole configuration).
        default: Value of a new node.
        minimum: Smallest allowed number (ints, floats, shapes' entries).
        maximum: Largest allowed number.
        choices: Allowed values of a ``choice``.
        help: One line for the inspector's tooltip.
        exclusive_max: Whether ``maximum`` itself is excluded (rates < 1).
    """

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    exclusive_max: bool = False

    def check(self, value: Any) -> Any:
        """Returns ``value`` in canonical form, or raises :class:`ParameterError`."""
        return getattr(self, f"_check_{self.kind}")(value)

    def _fail(self, expected: str, value: Any) -> ParameterError:
        return ParameterError(self.name, f"{self.name} must be {expected} (got {value!r})")

    def _range_text(self) -> str:
        def number(value: float | None) -> str:
            value = 0.0 if value is None else value
            return str(int(value)) if float(value).is_integer() else f"{value:g}"

        if self.maximum is None:
            return f">= {number(self.minimum)}"
        upper = "below " if self.exclusive_max else ""
        return f"from {number(self.minimum)} to {upper}{number(self.maximum)}"

    def _in_range(self, number: float) -> bool:
        if self.minimum is not None and number < self.minimum:
            return False
        if self.maximum is None:
            return True
        return number < self.maximum if self.exclusive_max else number <= self.maximum

    def _check_int(self, value: Any) -> int:
        if not _is_int(value) or not self._in_range(value):
            raise self._fail(f"a whole number {self._range_text()}", value)
        return int(value)

    def _check_optional_int(self, value: Any) -> int | None:
        return None if value is None else self._check_int(value)

    def _check_optional_float(self, value: Any) -> float | None:
        return None if value is None else self._check_float(value)

    def _check_int_list(self, value: Any) -> tuple[int, ...]:
        if value is None:
            return ()
        if _is_int(value):
            value = (value,)
        ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) <= 8
        if not ok or not all(_is_int(v) and self._in_range(v) for v in value):
            raise self._fail(f"a list of whole numbers {self._range_text()}", value)
        return tuple(int(v) for v in value)

    def _check_pads2d(self, value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
        try:
            if _is_int(value) or (isinstance(value, Sequence) and all(map(_is_int, value))):
                rows, cols = self._check_int_pair(value)
                return (rows, rows), (cols, cols)
            if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
                top, left = self._check_int_pair(value[0]), self._check_int_pair(value[1])
                return top, left
        except ParameterError:
            pass
        raise self._fail(f"a whole number {self._range_text()}, a pair of them, or "
                         "((top, bottom), (left, right))", value)  # fmt: skip

    def _check_json(self, value: Any) -> dict[str, Any]:
        import json

        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise self._fail("a JSON object", f"{value!r:.60}") from None
        if not isinstance(value, dict) or len(text) > 1_000_000:
            raise self._fail("a JSON object of at most 1 MB", f"{value!r:.60}")
        return value

    def _check_float(self, value: Any) -> float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not self._in_range(value):
            raise self._fail(f"a number {self._range_text()}", value)
        return float(value)

    def _check_bool(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self._fail("true or false", value)
        return value

    def _check_choice(self, value: Any) -> Any:
        if value not in self.choices:
            raise self._fail("one of " + ", ".join(map(str, self.choices)), value)
        return value

    def _check_shape(self, value: Any) -> tuple[int, ...]:
        if _is_int(value):
            value = (value,)  # a shape of one dimension: 2 means (2,)
        ok = isinstance(value, Sequence) and not isinstance(value, str) and 0 < len(value) <= 8
        if not ok or not all(_is_int(v) and self._in_range(v) for v in value):
            raise self._fail(f"a list of whole numbers {self._range_text()}", value)
        return tuple(int(v) for v in value)

    def _check_int_pair(self, value: Any) -> tuple[int, int]:
        pair = (value, value) if _is_int(value) else value
        ok = isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2
        if not ok or not all(_is_int(v) and self._in_range(v) for v in pair):
            raise self._fail(f"a whole number {self._range_text()} or a pair of them", value)
        return int(pair[0]), int(pair[1])

    def _check_str(self, value: Any) -> str:
        if not isinstance(value, str) or not 0 < len(value) <= 4096:
            raise self._fail("a text of 1 to 4096 characters", value)
        return value

    def _check_str_list(self, value: Any) -> tuple[str, ...]:
        ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) <= 64
        if not ok or not all(isinstance(v, str) and 0 < len(v) <= 256 for v in value):
            raise self._fail("a list of names", value)
        return tuple(value)

    def _check_padding(self, value: Any) -> tuple[int, int] | str:
        if value in ("valid", "same"):
            return value
        try:
            return self._check_int_pair(value)
        except ParameterError:
            raise self._fail(
                "a whole number >= 0, a pair of them, 'valid' or 'same'", value
            ) from None


@dataclass(frozen=True)
class WeightSpec:
    """One weight array of a layer, in the order of Keras's ``layer.weights``.

    Attributes:
        name: The variable's path inside the layer (``"kernel"``, ``"norm1/gamma"``).
        shape: Its shape.
        trainable: Whether the optimizer changes it (moving statistics do not).
    """

    name: str
    shape: tuple[int, ...]
    trainable: bool = True

    @property
    def size(self) -> int:
        """Number of values."""
        return math.prod(self.shape)


WeightsFn = Callable[[dict[str, Any], list[Shape], Shape], list[WeightSpec]]
"""``(params, input_shapes, output_shape) -> weights`` of a layer type."""


@dataclass(frozen=True)
class LayerSpec:
    """A catalog entry: everything NetLab knows about one layer type.

    Attributes:
        key: Stable identifier stored in files (``"Conv2D"``).
        display_name: Name shown in the palette.
        category: Palette section.
        help: One paragraph for students.
        params: The parameters, in the inspector's order.
        inputs: Names of the input ports; with ``variadic`` the last may repeat.
        min_inputs: Fewest connected inputs (for optional ports).
        variadic: Whether the node takes any number (>= ``min_inputs``) of inputs.
        output_shape: ``(params, input_shapes) -> shape``; raises ShapeError.
        weights: ``(params, input_shapes, output_shape) -> [WeightSpec]``, the
            arrays a built layer holds, in Keras's order; parameter counts and
            the check that saved weights still fit a node both come from it.
        make_layer: ``(params, name) -> keras layer``; imports Keras lazily.
        keras_class: Fully qualified class name of the Keras layer it builds
            (used when importing models).
        call_style: How the built layer takes its inputs: ``single`` (one
            tensor), ``list`` (a list of tensors) or ``args`` (positional).
        key_params: Parameters shown on the node in the canvas.
        recipe: For a composite layer, ``(params, input_shape) -> Recipe``: the
            simple layers it is made of (:mod:`netlab.catalog.recipes`).
        collapse_guesses: For a composite, ``[(key, params) of chosen nodes] ->
            [composite params]``: what the chosen layers may have been expanded
            from (each guess is then checked against its recipe).
        capabilities: What views can show of the layer beyond its output:
            ``"kernel"`` (a sliding-window kernel over an image), ``"attention"``
            (attention weights), ``"positions"`` (a position table),
            ``"patches"`` (an image cut into patches).
        macs: ``(params, input_shapes, output_shape, weights) -> multiply-adds``
            per example (:mod:`netlab.catalog.flops`); ``None`` for the default,
            each kernel once at every output position. A composite sums its steps.
    """

    key: str
    display_name: str
    category: str
    help: str
    params: tuple[Param, ...]
    inputs: tuple[str, ...]
    output_shape: Callable[[dict[str, Any], list[Shape]], Shape]
    weights: WeightsFn
    make_layer: Callable[[dict[str, Any], str], Any] | None
    keras_class: str | None
    min_inputs: int | None = None
    variadic: bool = False
    key_params: tuple[str, ...] = field(default=())
    call_style: str = "single"
    recipe: Callable[[dict[str, Any], Shape], Any] | None = None
    collapse_guesses: Callable[[list[tuple[str, dict[str, Any]]]], list[dict[str, Any]]] | None = (
        None
    )
    capabilities: frozenset[str] = frozenset()
    macs: Callable[[dict[str, Any], list[Shape], Shape, list[WeightSpec]], int | None] | None = (
        None
    )

    def multiply_adds(self, params: dict[str, Any], ins: list[Shape], out: Shape,
                      weights: list[WeightSpec]) -> int | None:  # fmt: skip
        """Multiply-adds of one example through a node (FLOPs as the papers count them).

        ``None`` when the count depends on an unknown dimension.
        """
        from netlab.catalog import flops, recipes

        if self.macs is not None:
            return self.macs(params, ins, out, weights)
        if self.recipe is not None:
            return recipes.composite_macs(self.recipe(params, ins[0]), ins[0])
        return flops.kernel_macs(params, ins, out, weights)

    @property
    def composite(self) -> bool:
        """Whether a node of this type can be expanded into simpler nodes."""
        return self.recipe is not None

    def param_count(self, params: dict[str, Any], ins: list[Shape],
                    out: Shape) -> tuple[int, int]:  # fmt: skip
        """Trainable and non-trainable parameters of a node with these shapes."""
        weights = self.weights(params, ins, out)
        trainable = sum(w.size for w in weights if w.trainable)
        return trainable, sum(w.size for w in weights) - trainable

    @property
    def fewest_inputs(self) -> int:
        """The smallest number of connected inputs the node needs."""
        return len(self.inputs) if self.min_inputs is None else self.min_inputs

    @property
    def most_inputs(self) -> int | None:
        """The largest number of inputs, or ``None`` when unlimited."""
        return None if self.variadic else len(self.inputs)

    def param(self, name: str) -> Param:
        """Returns the parameter called ``name``.

        Raises:
            ParameterError: If this layer type has no such parameter.
        """
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(name, f"{self.key} has no parameter {name!r}")

    def defaults(self) -> dict[str, Any]:
        """The parameter values of a new node."""
        return {p.name: p.default for p in self.params}

    def checked(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[ParameterError]]:
        """All parameters checked and completed with defaults, and every problem found.

        One pass: the analysis calls this for every node on every edit.
        """
        errors = [ParameterError(name, f"{self.key} has no parameter {name!r}")
                  for name in values if name not in self._names]  # fmt: skip
        params: dict[str, Any] = {}
        for p in self.params:
            try:
                params[p.name] = p.check(values.get(p.name, p.default))
            except ParameterError as err:
                errors.append(err)
        return params, errors

    @property
    def _names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    def parameter_errors(self, values: dict[str, Any]) -> list[ParameterError]:
        """Every unknown or invalid parameter in ``values`` (missing ones default)."""
        return self.checked(values)[1]

    def check_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Returns all parameters checked and completed with defaults.

        Raises:
            ParameterError: For the first unknown or invalid parameter.
        """
        params, errors = self.checked(values)
        if errors:
            raise errors[0]
        return params


def layer_maker(class_name: str, package: str = "keras") -> Callable[[dict[str, Any], str], Any]:
    """A ``make_layer`` that builds ``<package>.layers.<class_name>(**params, name=name)``.

    ``package`` is ``"keras"`` or ``"netlab"``; it is imported when a layer is
    made, so the catalog itself never imports Keras.
    """

    def make(params: dict[str, Any], name: str) -> Any:
        if package == "netlab":
            from netlab import layers as namespace
        else:
            import keras

            namespace = keras.layers
        return getattr(namespace, class_name)(**params, name=name)

    make.keyword_call = True  # type: ignore[attr-defined]  # codegen writes the call itself
    return make


def no_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """The weights of a layer that has none."""
    return []


def known(dim: int | None, what: str) -> int:
    """``dim``, or a ShapeError when a weight's size depends on an unknown dimension."""
    if dim is None:
        raise ShapeError("input", f"needs a known {what} to size its weights")
    return dim


def same_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """Output shape of a layer that keeps its input's shape."""
    return ins[0]


def axis_index(params: dict[str, Any], shape: Shape) -> int:
    """Where ``params["axis"]`` (Keras's count: the batch is axis 0) is in ``shape``.

    Raises:
        ShapeError: If the axis is the batch or not an axis of the input.
    """
    axis, rank = params["axis"], len(shape)
    if axis == 0 or not -rank <= axis <= rank:
        raise ShapeError("axis", f"axis {axis} is not an axis of {format_shape(shape)}: use 1 to "
                         f"{rank}, or -1 for the last")  # fmt: skip
    return axis - 1 if axis > 0 else rank + axis


def same_shape_on_axis(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """Output shape of a layer that keeps its input's shape and works along ``axis``."""
    axis_index(params, ins[0])
    return ins[0]


def need_rank(ins: list[Shape], rank: int, what: str, port: int = 0) -> Shape:
    """Returns input ``port``'s shape, or raises if its rank (without batch) differs."""
    shape = ins[port]
    if len(shape) != rank:
        raise ShapeError(
            "input",
            f"expects {what} (a {rank + 1}-D tensor with the batch) but gets shape "
            f"{format_shape(shape)}",
        )
    return shape


def format_value(value: Any) -> str:
    """A parameter value as NetLab writes it everywhere: shapes and pairs as ``(8, 8, 1)``."""
    if isinstance(value, (tuple, list)):
        inner = ", ".join(format_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return str(value)


def format_shape(shape: Shape) -> str:
    """``(None, 28, 28, 1)``: a shape with its batch dimension, as Keras prints it."""
    return "(" + ", ".join(["None", *("None" if d is None else str(d) for d in shape)]) + ")"
