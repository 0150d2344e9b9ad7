"""The training configuration stored in a project, checked like layer parameters."""

from __future__ import annotations

from typing import Any

from netlab.catalog.spec import Param
from netlab.errors import ParameterError

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "cosine", "warmup_cosine")
LOSSES = (
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mse",
    "mae",
)  # fmt: skip
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

TRAINING_PARAMS = (
    Param("dataset", "str", "digits", "built-in data set name or a file / folder path"),
    Param("validation_split", "float", 0.2, "fraction kept for validation", 0.0, 0.9),
    Param("seed", "int", 0, "seed of the split, the weights and the shuffling", 0, 2**31 - 1),
    Param("standardize", "bool", True, "scale inputs to mean 0 and standard deviation 1"),
    Param("optimizer", "choice", "adam", "update rule", choices=OPTIMIZERS),
    Param("learning_rate", "float", 1e-3, "step size", 1e-8, 10.0),
    Param("momentum", "float", 0.9, "SGD momentum", 0.0, 1.0, exclusive_max=True),
    Param("weight_decay", "float", 0.0, "AdamW weight decay", 0.0, 1.0),
    Param("schedule", "choice", "constant", "learning-rate schedule", choices=SCHEDULES),
    Param("warmup_epochs", "int", 0, "epochs of linear warm-up", 0, 10_000),
    Param("step_epochs", "int", 10, "epochs between steps of the step schedule", 1, 10_000),
    Param("step_factor", "float", 0.1, "factor of each step", 1e-6, 1.0),
    Param("loss", "choice", "categorical_crossentropy", "what training minimises", choices=LOSSES),
    Param("metrics", "str_list", ("accuracy",), "what is reported each epoch"),
    Param("batch_size", "int", 32, "examples per step", 1, 1_000_000),
    Param("epochs", "int", 10, "passes over the training data", 1, 1_000_000),
    Param("device", "str", "cpu", "cpu, gpu:0, ... or all"),
    Param("precision", "choice", "float32", "number format", choices=PRECISIONS),
    Param("xla", "bool", False, "XLA compilation (slower for convolutions on CPUs)"),
    Param("keep_best", "bool", False, "keep the weights of the best validation loss"),
    Param("layer_stats", "bool", True, "record each layer's gradient norm and update ratio"),
    Param("histograms", "bool", True, "histograms of each layer's weights and outputs per epoch"),
)  # fmt: skip


def default_training_config() -> dict[str, Any]:
    """The configuration of a new project."""
    return {p.name: p.default for p in TRAINING_PARAMS}


def check_training_config(values: Any) -> dict[str, Any]:
    """Returns ``values`` checked and completed with defaults.

    Raises:
        ParameterError: For the first unknown or invalid setting.
    """
    if not isinstance(values, dict):
        raise ParameterError("training", "the training configuration must be an object")
    known = {p.name: p for p in TRAINING_PARAMS}
    for name in values:
        if name not in known:
            raise ParameterError(name, f"unknown training setting {name!r}")
    return {p.name: p.check(values.get(p.name, p.default)) for p in TRAINING_PARAMS}
