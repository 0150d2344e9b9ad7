"""What a sweep varies: a training setting or a layer's parameter, as a range or choices."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from netlab import catalog
from netlab.catalog.spec import Param
from netlab.errors import NetLabError
from netlab.graph.model import Graph
from netlab.project.config import TRAINING_PARAMS

STRATEGIES = ("tpe", "random", "grid")
GRID_POINTS = 5  # values of a range in a grid search
_NOT_SWEPT = ("dataset", "device", "metrics", "loss")  # what the data decides, not a search
SETTINGS = {p.name: p for p in TRAINING_PARAMS if p.name not in _NOT_SWEPT}
_SWEPT_KINDS = ("int", "float", "choice", "bool", "optional_int")


@dataclass(frozen=True)
class Dimension:
    """One setting or layer parameter a sweep varies.

    Attributes:
        setting: A training setting's name, or a layer parameter's name.
        layer: The layer's (node's) name, or ``""`` for a training setting.
        low: Lower end of a range (``None`` for choices).
        high: Upper end of a range.
        log: Whether the range is searched on a log scale.
        choices: The values to choose from (empty for a range).
        integer: Whether a range holds whole numbers.
    """

    setting: str
    layer: str = ""
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    integer: bool = False

    @property
    def key(self) -> str:
        """``learning_rate`` or ``units@dense``: the dimension's name in tables and files."""
        return f"{self.setting}@{self.layer}" if self.layer else self.setting

    def describe(self) -> str:
        """The dimension as the command line writes it."""
        if self.choices:
            return f"{self.key}=" + ",".join(value_text(c) for c in self.choices)
        scale = ":log" if self.log else ""
        return f"{self.key}={value_text(self.low)}:{value_text(self.high)}{scale}"

    def distribution(self) -> Any:
        """Optuna's distribution of this dimension."""
        import optuna

        if self.choices:
            return optuna.distributions.CategoricalDistribution(list(self.choices))
        assert self.low is not None
        assert self.high is not None
        if self.integer:
            return optuna.distributions.IntDistribution(int(self.low), int(self.high),
                                                        log=self.log)  # fmt: skip
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def grid(self) -> list[Any]:
        """The values a grid search tries: the choices, or points spread over the range."""
        if self.choices:
            return list(self.choices)
        assert self.low is not None
        assert self.high is not None
        if self.integer:
            values = np.unique(np.round(
                np.geomspace(self.low, self.high, GRID_POINTS) if self.log
                else np.linspace(self.low, self.high, GRID_POINTS)))  # fmt: skip
            return [int(v) for v in values]
        points = np.geomspace(self.low, self.high, GRID_POINTS) if self.log else \
            np.linspace(self.low, self.high, GRID_POINTS)  # fmt: skip
        return [float(f"{v:.6g}") for v in points]

    def to_dict(self) -> dict[str, Any]:
        """JSON for the project file."""
        return {**asdict(self), "choices": list(self.choices)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dimension:
        """The dimension :meth:`to_dict` wrote."""
        return cls(str(data["setting"]), str(data.get("layer", "")), data.get("low"),
                   data.get("high"), bool(data.get("log", False)),
                   tuple(data.get("choices", ())), bool(data.get("integer", False)))  # fmt: skip


def value_text(value: Any) -> str:
    """A value as the command line writes it (floats short: 0.001, 1e-06)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def param_of(dimension: Dimension, graph: Graph) -> Param:
    """The catalog's (or the training settings') description of what ``dimension`` varies.

    Raises:
        NetLabError: If there is no such setting, layer or parameter.
    """
    if not dimension.layer:
        if dimension.setting not in SETTINGS:
            known = ", ".join(sorted(SETTINGS))
            raise NetLabError(f"{dimension.key}: not a training setting a sweep can vary "
                              f"(those are: {known}; a layer's parameter is written "
                              "PARAM@LAYER)")  # fmt: skip
        return SETTINGS[dimension.setting]
    node = next((n for n in graph.nodes.values() if n.name == dimension.layer), None)
    if node is None:
        raise NetLabError(f"{dimension.key}: the network has no layer named {dimension.layer!r}")
    spec = catalog.get(node.key)
    names = [p.name for p in spec.params]
    if dimension.setting not in names:
        raise NetLabError(f"{dimension.key}: {node.key} has no parameter {dimension.setting!r} "
                          f"(it has: {', '.join(names) or 'none'})")  # fmt: skip
    return spec.param(dimension.setting)


def parse_dimension(text: str, graph: Graph) -> Dimension:
    """Reads ``NAME=LOW:HIGH[:log]`` or ``NAME=A,B,C`` (``NAME``: a setting or ``PARAM@LAYER``).

    Raises:
        NetLabError: One line naming what is wrong.
    """
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise NetLabError(f"{text!r}: write NAME=LOW:HIGH[:log] or NAME=A,B,C")
    setting, _, layer = name.partition("@")
    probe = Dimension(setting, layer)
    param = param_of(probe, graph)
    if param.kind not in _SWEPT_KINDS:
        raise NetLabError(f"{name}: a {param.kind} parameter cannot be swept (numbers, whole "
                          "numbers, choices and true/false can)")  # fmt: skip
    if ":" in spec and "," not in spec:
        parts = spec.split(":")
        log = len(parts) == 3 and parts[2].strip().lower() == "log"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not log):
            raise NetLabError(f"{text!r}: a range is LOW:HIGH or LOW:HIGH:log")
        if param.kind not in ("int", "float", "optional_int"):
            raise NetLabError(f"{name}: a {param.kind} takes choices (A,B,C), not a range")
        low, high = (_number(p, param, text) for p in parts[:2])
        if not low < high:
            raise NetLabError(f"{text!r}: the low end must be below the high end")
        if log and low <= 0:
            raise NetLabError(f"{text!r}: a log range must start above 0")
        return Dimension(setting, layer, low, high, log, (), param.kind != "float")
    choices = tuple(_choice(c.strip(), param, text) for c in spec.split(",") if c.strip())
    if len(set(map(repr, choices))) != len(choices) or not choices:
        raise NetLabError(f"{text!r}: list different values, e.g. 16,32,64")
    return Dimension(setting, layer, choices=choices)


def _number(part: str, param: Param, text: str) -> Any:
    try:
        value: Any = float(part)
    except ValueError:
        raise NetLabError(f"{text!r}: {part.strip()!r} is not a number") from None
    if param.kind != "float":
        if not value.is_integer():
            raise NetLabError(f"{text!r}: {param.name} takes whole numbers, not {part.strip()}")
        value = int(value)
    try:
        return param.check(value)
    except NetLabError as err:
        raise NetLabError(f"{text!r}: {err}") from None


def _choice(part: str, param: Param, text: str) -> Any:
    value: Any = part
    if param.kind == "bool":
        value = {"true": True, "false": False}.get(part.lower(), part)
    elif param.kind in ("int", "optional_int"):
        value = None if part.lower() == "none" and param.kind == "optional_int" else \
            _number(part, param, text)  # fmt: skip
    elif param.kind == "float":
        value = _number(part, param, text)
    try:
        return param.check(value)
    except NetLabError as err:
        raise NetLabError(f"{text!r}: {err}") from None

