"""A sweep and its trials as the project keeps them, and the table of their results."""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from netlab.project.project import Project
from netlab.sweep.space import Dimension


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


def timestamp() -> str:
    """Now, as the sweep records its start and end."""
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
