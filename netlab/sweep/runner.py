"""Running a sweep: Optuna asks, NetLab trains each trial in a worker process, Optuna is told."""

from __future__ import annotations

import contextlib
import itertools
import math
import queue
import time
from collections.abc import Callable
from typing import Any

from netlab import catalog
from netlab.errors import GraphError, NetLabError
from netlab.graph.analysis import analyse
from netlab.graph.commands import Command, Compound, SetParam
from netlab.graph.model import Graph
from netlab.project.config import check_training_config
from netlab.project.project import Project, RunRecord
from netlab.sweep.record import Sweep, Trial, timestamp
from netlab.sweep.space import SETTINGS, STRATEGIES, Dimension, param_of


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
            values[d.key] = project.training.get(d.setting, SETTINGS[d.setting].default)
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
        sweep.started = sweep.started or timestamp()
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
        sweep.finished = timestamp()
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


