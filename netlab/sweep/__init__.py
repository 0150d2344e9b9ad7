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

from netlab.sweep.record import (
    Sweep,
    Trial,
    default_objective,
    direction_of,
    next_sweep_id,
    table,
    timestamp,
)
from netlab.sweep.runner import (
    SweepRunner,
    current_values,
    grid_points,
    trial_command,
    trial_settings,
    variant,
)
from netlab.sweep.space import STRATEGIES, Dimension, param_of, parse_dimension

__all__ = [
    "STRATEGIES", "Dimension", "Sweep", "SweepRunner", "Trial", "current_values",
    "default_objective", "direction_of", "grid_points", "next_sweep_id", "param_of",
    "parse_dimension", "table", "timestamp", "trial_command", "trial_settings", "variant",
]  # fmt: skip
