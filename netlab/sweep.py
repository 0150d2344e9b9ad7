"""Hyperparameter sweeps: which settings vary, a search over them, and every trial's result.

The search is Optuna's (ask-and-tell: NetLab runs each trial itself, in a
worker process of :mod:`netlab.training.processes`, at most ``jobs`` side by
side). A dimension is a training setting (``learning_rate``) or a layer's
parameter (``units@dense``), written as the command line takes it::

    learning_rate=1e-4:1e-1:log     a range (log scale)
    units@dense=16,32,64            choices
    epochs=2:6                      a range of whole numbers

Every trial trains the project's network with its values (the project's seed,
so trials differ only by their values) and is kept as a run of the project; the
sweep records which values each trial had and how it scored. Trials that fall
behind the median of earlier trials at the same epoch are pruned (stopped).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import math
import queue
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from netlab import catalog
from netlab.catalog.spec import Param
from netlab.errors import GraphError, NetLabError
from netlab.graph.analysis import analyse
from netlab.graph.commands import Command, Compound, SetParam
from netlab.graph.model import Graph
from netlab.project.config import TRAINING_PARAMS, check_training_config
from netlab.project.project import Project, RunRecord

STRATEGIES = ("tpe", "random", "grid")
GRID_POINTS = 5  # values of a range in a grid search
_NOT_SWEPT = ("dataset", "device", "metrics", "loss")  # what the data decides, not a search
_SETTINGS = {p.name: p for p in TRAINING_PARAMS if p.name not in _NOT_SWEPT}
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
            return f"{self.key}=" + ",".join(_text(c) for c in self.choices)
        return f"{self.key}={_text(self.low)}:{_text(self.high)}" + (":log" if self.log else "")

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


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def param_of(dimension: Dimension, graph: Graph) -> Param:
    """The catalog's (or the training settings') description of what ``dimension`` varies.

    Raises:
        NetLabError: If there is no such setting, layer or parameter.
    """
    if not dimension.layer:
        if dimension.setting not in _SETTINGS:
            known = ", ".join(sorted(_SETTINGS))
            raise NetLabError(f"{dimension.key}: not a training setting a sweep can vary "
                              f"(those are: {known}; a layer's parameter is written "
                              "PARAM@LAYER)")  # fmt: skip
        return _SETTINGS[dimension.setting]
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


@dataclass
class Trial:
    """One trial of a sweep, as the project keeps it.

    Attributes:
        number: 0, 1, ... in the order they were asked for.
        values: The dimension values, by :attr:`Dimension.key`.
        state: ``complete``, ``pruned`` (stopped behind the others), ``failed``
            (could not build, diverged, or its process died) or ``running``.
        score: The best value of the objective over its epochs (``None``: none).
        run_id: Its run in the project (``""`` if it never trained).
        seconds: Wall time of the trial.
        parameters: Parameters of its network.
        epochs: Epochs it trained.
        reason: Why it was pruned or failed.
    """

    number: int
    values: dict[str, Any]
    state: str = "running"
    score: float | None = None
    run_id: str = ""
    seconds: float = 0.0
    parameters: int = 0
    epochs: int = 0
    reason: str = ""


@dataclass
class Sweep:
    """A search over some settings of a project, and its trials.

    Attributes:
        id: ``sweep1``, ``sweep2``, ... within the project.
        dimensions: What varies.
        strategy: ``tpe`` (Optuna's Bayesian TPE), ``random`` or ``grid``.
        trials_budget: Trials at most (a grid stops sooner when it has tried every point).
        seconds_budget: Wall time at most (``None``: no limit); trials still
            running then are stopped and scored from the epochs they finished.
        objective: The epoch metric to optimise (``val_loss``, ``val_accuracy``, ...).
        direction: ``minimize`` or ``maximize``.
        seed: The search's seed (the trials train with the project's seed).
        prune: Whether trials behind the median of earlier ones are stopped.
        jobs: Trials trained side by side.
        baseline: Whether the project's own values are the first trial (where they
            lie in the space searched): the trial every other one is measured against.
        trials: What was tried.
    """

    id: str
    dimensions: list[Dimension]
    strategy: str = "tpe"
    trials_budget: int = 10
    seconds_budget: float | None = None
    objective: str = "val_loss"
    direction: str = "minimize"
    seed: int = 0
    prune: bool = True
    jobs: int = 1
    baseline: bool = True
    trials: list[Trial] = field(default_factory=list)
    started: str = ""
    finished: str = ""

    def best(self) -> Trial | None:
        """The best complete (or pruned but scored) trial, or ``None``."""
        scored = [t for t in self.trials if t.state == "complete" and t.score is not None]
        if not scored:
            return None
        sign = 1 if self.direction == "minimize" else -1
        return min(scored, key=lambda t: (sign * (t.score or 0.0), t.number))

    def to_dict(self) -> dict[str, Any]:
        """JSON for the project file."""
        data = asdict(self)
        data["dimensions"] = [d.to_dict() for d in self.dimensions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sweep:
        """The sweep :meth:`to_dict` wrote (checked by the project schema first)."""
        fields = {k: v for k, v in data.items() if k not in ("dimensions", "trials")}
        return cls(dimensions=[Dimension.from_dict(d) for d in data["dimensions"]],
                   trials=[Trial(**t) for t in data["trials"]], **fields)  # fmt: skip


def default_objective(config: dict[str, Any]) -> tuple[str, str]:
    """``val_loss`` (or ``loss`` without a validation split), minimised."""
    return ("val_loss" if config.get("validation_split", 0) > 0 else "loss"), "minimize"


def direction_of(objective: str) -> str:
    """Accuracies are maximised, losses and errors minimised."""
    return "maximize" if "acc" in objective or objective.endswith("auc") else "minimize"


def current_values(project: Project, sweep: Sweep) -> dict[str, Any]:
    """What the project has now for each dimension (a layer's default where it sets none)."""
    values: dict[str, Any] = {}
    by_name = {n.name: n for n in project.graph.nodes.values()}
    for d in sweep.dimensions:
        if d.layer:
            node = by_name[d.layer]
            values[d.key] = node.params.get(d.setting, catalog.get(node.key).param(d.setting)
                                            .default)  # fmt: skip
        else:
            values[d.key] = project.training.get(d.setting, _SETTINGS[d.setting].default)
    return values


def _inside(dimension: Dimension, value: Any, grid: bool) -> bool:
    if dimension.choices or grid:
        return any(value == v and type(value) is type(v) for v in
                   (dimension.choices or dimension.grid()))  # fmt: skip
    assert dimension.low is not None
    assert dimension.high is not None
    return isinstance(value, int | float) and dimension.low <= value <= dimension.high


def trial_command(graph: Graph, sweep: Sweep, values: dict[str, Any]) -> Command:
    """The graph edit that gives the layers their trial values (one undo step)."""
    by_name = {n.name: n.id for n in graph.nodes.values()}
    edits: list[Command] = [SetParam(by_name[d.layer], d.setting, values[d.key])
                            for d in sweep.dimensions if d.layer and d.key in values]  # fmt: skip
    return Compound(edits, text="Apply the sweep's trial")


def trial_settings(sweep: Sweep, values: dict[str, Any]) -> dict[str, Any]:
    """The training settings a trial changes."""
    return {d.setting: values[d.key] for d in sweep.dimensions if not d.layer and d.key in values}


def variant(project: Project, sweep: Sweep, values: dict[str, Any]) -> tuple[Graph, dict[str, Any],
                                                                              int]:  # fmt: skip
    """The network and settings a trial trains, and its parameter count.

    Raises:
        NetLabError: If the values make the network invalid (named).
    """
    graph = project.graph.copy()
    try:
        trial_command(graph, sweep, values).apply(graph)
    except GraphError as err:
        raise NetLabError(str(err)) from None
    analysis = analyse(graph)
    if not analysis.valid:
        raise NetLabError(analysis.errors[0].describe(graph))
    config = check_training_config({**project.training, **trial_settings(sweep, values)})
    return graph, config, sum(analysis.totals())


def _sampler(sweep: Sweep) -> Any:
    import optuna

    if sweep.strategy == "grid":
        # Every point is enqueued (see grid_points): the sampler is never asked.
        return optuna.samplers.RandomSampler(seed=sweep.seed)
    if sweep.strategy == "random":
        return optuna.samplers.RandomSampler(seed=sweep.seed)
    if sweep.strategy == "tpe":
        # Few trials: start modelling after a handful of random ones, not Optuna's default 10.
        startup = max(2, min(10, sweep.trials_budget // 3))
        return optuna.samplers.TPESampler(seed=sweep.seed, n_startup_trials=startup)
    raise NetLabError(f"unknown strategy {sweep.strategy!r} (choose {', '.join(STRATEGIES)})")


def _grid_size(sweep: Sweep) -> int:
    return math.prod(len(d.grid()) for d in sweep.dimensions)


def grid_points(sweep: Sweep, first: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every point of a grid search, in the order the values were written (``first`` first)."""
    points = [dict(zip([d.key for d in sweep.dimensions], values, strict=True))
              for values in itertools.product(*(d.grid() for d in sweep.dimensions))]  # fmt: skip
    if first is not None and first in points:
        points.remove(first)
        points.insert(0, first)
    return points


class SweepRunner:
    """Runs a sweep's trials, at most ``sweep.jobs`` at once, and keeps them in the project.

    Args:
        project: The project whose network and settings are the starting point;
            each trial's run is appended to ``project.runs`` and the sweep to
            ``project.sweeps``.
        sweep: What to search (its ``trials`` fill as trials end).
        pool: Where the worker processes come from.
        on_trial: Called (on the thread that runs :meth:`run`) with each trial that
            ended and its run (``None`` if it never trained).
        on_event: Called with ``(trial, event)`` for every engine event of a trial.
        keep: Whether the runner adds the sweep and the runs to ``project`` itself;
            the window passes ``False`` and records them on its own thread.
    """

    def __init__(self, project: Project, sweep: Sweep, pool: Any,
                 on_trial: Callable[[Trial, RunRecord | None], None] | None = None,
                 on_event: Callable[[Trial, Any], None] | None = None,
                 keep: bool = True) -> None:  # fmt: skip
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        for dimension in sweep.dimensions:
            param_of(dimension, project.graph)
        if sweep.jobs < 1 or sweep.trials_budget < 1:
            raise NetLabError("a sweep needs at least one trial and one job")
        self.project, self.sweep, self.pool = project, sweep, pool
        self.on_trial, self.on_event, self.keep = on_trial, on_event, keep
        pruner = optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0) \
            if sweep.prune else optuna.pruners.NopPruner()  # fmt: skip
        direction = optuna.study.StudyDirection.MINIMIZE if sweep.direction == "minimize" else \
            optuna.study.StudyDirection.MAXIMIZE  # fmt: skip
        self.study = optuna.create_study(direction=direction, sampler=_sampler(sweep),
                                         pruner=pruner)  # fmt: skip
        self.distributions = {d.key: d.distribution() for d in sweep.dimensions}
        self._events: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._active: dict[int, tuple[Any, Any, float, Trial]] = {}
        self._stopping = False
        self._names = {r.id for r in project.runs}
        now = current_values(project, sweep)
        baseline = sweep.baseline and all(_inside(d, now[d.key], sweep.strategy == "grid")
                                          for d in sweep.dimensions)  # fmt: skip
        if sweep.strategy == "grid":
            for point in grid_points(sweep, now if baseline else None):
                self.study.enqueue_trial(point)
        elif baseline:
            self.study.enqueue_trial(now)

    def stop(self) -> None:
        """Asks for no more trials and stops the running ones (any thread)."""
        self._stopping = True

    def run(self) -> Sweep:
        """Runs the sweep to its end and returns it (also in ``project.sweeps``)."""
        sweep = self.sweep
        sweep.started = sweep.started or _now()
        if self.keep and sweep not in self.project.sweeps:
            self.project.sweeps.append(sweep)
        budget = min(sweep.trials_budget, _grid_size(sweep)) if sweep.strategy == "grid" else \
            sweep.trials_budget  # fmt: skip
        start = time.monotonic()
        asked = 0
        try:
            while True:
                out_of_time = sweep.seconds_budget is not None and \
                    time.monotonic() - start > sweep.seconds_budget  # fmt: skip
                while (len(self._active) < sweep.jobs and asked < budget and not out_of_time
                       and not self._stopping):  # fmt: skip
                    self._start_trial()
                    asked += 1
                if (out_of_time or self._stopping) and self._active:
                    for _, run, _, trial in self._active.values():
                        trial.reason = trial.reason or ("the sweep was stopped" if self._stopping
                                                        else "the sweep's time ran out")
                        run.stop()
                if not self._active:
                    break
                self._wait()
        finally:
            for _, run, _, _ in self._active.values():
                run.kill()
        sweep.finished = _now()
        return sweep

    def _start_trial(self) -> None:
        from netlab.training.processes import ProcessRun

        optuna_trial = self.study.ask(self.distributions)
        trial = Trial(optuna_trial.number, dict(optuna_trial.params))
        self.sweep.trials.append(trial)
        try:
            graph, config, trial.parameters = variant(self.project, self.sweep, trial.values)
        except NetLabError as err:
            self._end(optuna_trial, trial, "failed", f"not trained: {err}")
            return
        number = trial.number
        run_id = self._run_id(number)
        name = f"{self.sweep.id} trial {number}"  # its values are in the sweep's table
        run = ProcessRun(self.pool, graph.to_dict(), config, None, run_id, name,
                         lambda event: self._events.put((number, event)))  # fmt: skip
        self._active[number] = (optuna_trial, run, time.monotonic(), trial)
        run.start()

    def _run_id(self, number: int) -> str:
        base = f"{self.sweep.id}_t{number}"
        run_id, i = base, 1
        while run_id in self._names:
            i += 1
            run_id = f"{base}_{i}"
        self._names.add(run_id)
        return run_id

    def _wait(self) -> None:
        from netlab.training.events import EpochEnded

        with contextlib.suppress(queue.Empty):
            number, event = self._events.get(timeout=0.2)
            while True:
                if number in self._active:
                    optuna_trial, run, _, trial = self._active[number]
                    if self.on_event is not None:
                        self.on_event(trial, event)
                    if isinstance(event, EpochEnded):
                        self._report(optuna_trial, run, trial, event)
                number, event = self._events.get_nowait()
        for number in [n for n, (_, run, _, _) in self._active.items() if not run.running]:
            optuna_trial, run, started, trial = self._active.pop(number)
            trial.seconds = time.monotonic() - started
            self._finish(optuna_trial, run, trial)

    def _report(self, optuna_trial: Any, run: Any, trial: Trial, event: Any) -> None:
        value = event.metrics.get(self.sweep.objective)
        trial.epochs = event.epoch + 1
        if value is None or not math.isfinite(value):
            return
        optuna_trial.report(value, event.epoch)
        if trial.state == "running" and optuna_trial.should_prune():
            trial.state = "pruned"
            trial.reason = (f"pruned after epoch {event.epoch + 1}: {self.sweep.objective} "
                            f"{value:.4g} is behind the earlier trials' median")  # fmt: skip
            run.stop()

    def _finish(self, optuna_trial: Any, run: Any, trial: Trial) -> None:
        record: RunRecord | None = run.record
        run.cleanup()
        if record is None:
            self._end(optuna_trial, trial, "failed", run.failure or "the run did not start")
            return
        trial.epochs = len(record.epochs)
        kept = None
        if record.epochs or len(record.batches.get("loss", ())):  # a run that trained is kept
            kept = record
            trial.run_id = record.id
            if self.keep:
                self.project.runs.append(record)
        scores = [e[self.sweep.objective] for e in record.epochs
                  if isinstance(e.get(self.sweep.objective), float)
                  and math.isfinite(e[self.sweep.objective])]  # fmt: skip
        if scores:
            trial.score = min(scores) if self.sweep.direction == "minimize" else max(scores)
        if trial.state == "pruned":
            self._end(optuna_trial, trial, "pruned", trial.reason, kept)
        elif record.status == "failed" or trial.score is None:
            why = trial.reason or record.reason or f"no {self.sweep.objective} was reported"
            self._end(optuna_trial, trial, "failed", why, kept)
        else:
            self._end(optuna_trial, trial, "complete", trial.reason, kept)

    def _end(self, optuna_trial: Any, trial: Trial, state: str, reason: str,
             record: RunRecord | None = None) -> None:  # fmt: skip
        import optuna

        trial.state, trial.reason = state, reason
        states = {"complete": optuna.trial.TrialState.COMPLETE,
                  "pruned": optuna.trial.TrialState.PRUNED,
                  "failed": optuna.trial.TrialState.FAIL}  # fmt: skip
        value = trial.score if state == "complete" else None
        self.study.tell(optuna_trial, value, states[state])
        if self.on_trial is not None:
            self.on_trial(trial, record)


def _now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


def next_sweep_id(project: Project) -> str:
    """``sweep1``, ``sweep2``, ...: the first not taken in ``project``."""
    taken = {s.id for s in project.sweeps}
    return next(f"sweep{i}" for i in range(1, len(taken) + 2) if f"sweep{i}" not in taken)


def table(sweep: Sweep) -> list[dict[str, Any]]:
    """One row per trial, best first (then the pruned and failed ones)."""
    order = {"complete": 0, "pruned": 1, "running": 2, "failed": 3}
    sign = 1 if sweep.direction == "minimize" else -1

    def key(t: Trial) -> tuple[int, float, int]:
        return (order[t.state], sign * t.score if t.score is not None else math.inf, t.number)

    return [{"trial": t.number, **t.values, sweep.objective: t.score, "state": t.state,
             "epochs": t.epochs, "parameters": t.parameters, "seconds": round(t.seconds, 1),
             "run": t.run_id, "reason": t.reason}
            for t in sorted(sweep.trials, key=key)]  # fmt: skip
