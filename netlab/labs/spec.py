"""What a lab is: a question, the projects that answer it, and the claim they must bear out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Arm:
    """One project of a lab: a network and the settings it trains with.

    Attributes:
        label: Its name in the curves and the table (``"plain 44"``).
        builder: A function of :mod:`netlab.labs.graphs` (``"conv_stack"``).
        arguments: The builder's arguments (``{"depth": 44}``).
        training: Training settings over the lab's own (``{"batch_size": 2}``).
    """

    label: str
    builder: str
    arguments: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """What the lecture says and the result table must show: ``better`` beats ``worse``
    in ``column`` (lower is better unless ``higher``)."""

    text: str
    column: str
    better: str
    worse: str
    higher: bool = False

    def holds(self, rows: dict[str, dict[str, Any]]) -> bool | None:
        """Whether the rows bear the claim out; ``None`` if an arm or value is missing."""
        try:
            good, bad = rows[self.better][self.column], rows[self.worse][self.column]
        except KeyError:
            return None
        if good is None or bad is None:
            return None
        return good > bad if self.higher else good < bad


@dataclass(frozen=True)
class Lab:
    """A claim of the course as an experiment a student runs in a minute or two.

    Attributes:
        name: What ``netlab lab NAME`` takes (``"depth"``).
        title: One line.
        question: What the lab asks, in the lecture's words.
        look_at: What to watch while it runs and in the result.
        reading: How to read the result, and what it showed here.
        arms: The projects it trains, in order.
        training: Settings every arm trains with (data set, seed, epochs, ...).
        quick: Settings over those in quick mode (the test suite's).
        quick_arms: Labels of the arms quick mode trains (empty: all).
        measures: Columns of :data:`netlab.labs.measures.MEASURES` beyond the standard
            ones (parameters, FLOPs, final loss, validation accuracy, time per epoch).
        claims: What the table must show; checked after every run.
        table: A table computed without training (:data:`netlab.labs.measures.TABLES`).
        curves: Epoch metrics overlaid in the comparison plot.
    """

    name: str
    title: str
    question: str
    look_at: str
    reading: str
    arms: tuple[Arm, ...]
    training: dict[str, Any]
    quick: dict[str, Any]
    claims: tuple[Claim, ...]
    quick_arms: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    table: str | None = None
    curves: tuple[str, ...] = ("loss", "val_accuracy")

    def arms_to_run(self, quick: bool) -> tuple[Arm, ...]:
        """The arms a run trains: all, or in quick mode those of ``quick_arms``."""
        if not quick or not self.quick_arms:
            return self.arms
        return tuple(a for a in self.arms if a.label in self.quick_arms)

    def settings(self, arm: Arm, quick: bool) -> dict[str, Any]:
        """The training settings of ``arm`` (before the defaults fill the rest)."""
        return {**self.training, **arm.training, **(self.quick if quick else {})}
