"""Composite layers described as recipes of simple catalog entries.

A recipe is the one description of what a composite layer (ResidualBlock,
TransformerBlock) is made of: the catalog derives the composite's shapes and
weights from it, the editor expands a composite node into its steps and
collapses them back, and expanding a trained block hands each step its share of
the block's weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netlab.catalog.spec import Shape, WeightSpec
from netlab.errors import ShapeError

INPUT = "<input>"
"""The composite's input, as a step's source."""


@dataclass(frozen=True)
class Step:
    """One node of a recipe: ``inputs`` name earlier steps' suffixes or :data:`INPUT`."""

    suffix: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """The steps of a composite and how its weights divide among them.

    Attributes:
        steps: In an order where every step comes after its inputs; the last
            one's output is the composite's.
        weight_order: The suffixes of the steps whose weights make up the
            composite's, in the order the built composite layer holds them.
    """

    steps: tuple[Step, ...]
    weight_order: tuple[str, ...]


@dataclass(frozen=True)
class StepResult:
    """A step's checked parameters, output shape and weights for one input shape."""

    params: dict[str, Any]
    shape: Shape
    weights: list[WeightSpec]
    inputs: list[Shape] = field(default_factory=list)


def infer(recipe: Recipe, input_shape: Shape) -> dict[str, StepResult]:
    """Shapes and weights of every step, as the catalog computes them for nodes.

    Raises:
        ShapeError: If a step cannot take the shapes it gets.
    """
    from netlab import catalog

    shapes: dict[str, Shape] = {INPUT: input_shape}
    results: dict[str, StepResult] = {}
    for step in recipe.steps:
        spec = catalog.get(step.key)
        params = spec.check_params({**spec.defaults(), **step.params})
        ins = [shapes[source] for source in step.inputs]
        shape = spec.output_shape(params, ins)
        results[step.suffix] = StepResult(params, shape, spec.weights(params, ins, shape), ins)
        shapes[step.suffix] = shape
    return results


def composite_shape(recipe: Recipe, input_shape: Shape) -> Shape:
    """The output shape of the composite: its last step's."""
    return infer(recipe, input_shape)[recipe.steps[-1].suffix].shape


def composite_weights(recipe: Recipe, input_shape: Shape) -> list[WeightSpec]:
    """The composite's weights: its steps', in ``weight_order``, named ``suffix/name``."""
    results = infer(recipe, input_shape)
    return [
        WeightSpec(f"{suffix}/{w.name}", w.shape, w.trainable)
        for suffix in recipe.weight_order
        for w in results[suffix].weights
    ]


def composite_macs(recipe: Recipe, input_shape: Shape) -> int | None:
    """The composite's multiply-adds: its steps', summed (``None`` if one is unknown)."""
    from netlab import catalog

    total = 0
    results = infer(recipe, input_shape)
    for step in recipe.steps:
        r = results[step.suffix]
        count = catalog.get(step.key).multiply_adds(r.params, r.inputs, r.shape, r.weights)
        if count is None:
            return None
        total += count
    return total


def split_weights(recipe: Recipe, input_shape: Shape, arrays: list[Any]) -> dict[str, list[Any]]:
    """Divides a composite's weight arrays among its steps (by suffix).

    Raises:
        ShapeError: If ``arrays`` do not fit the composite's weights.
    """
    results = infer(recipe, input_shape)
    expected = [w.shape for s in recipe.weight_order for w in results[s].weights]
    if [tuple(a.shape) for a in arrays] != expected:
        raise ShapeError("input", "the block's weights do not fit its layers")
    out: dict[str, list[Any]] = {}
    start = 0
    for suffix in recipe.weight_order:
        count = len(results[suffix].weights)
        out[suffix] = list(arrays[start : start + count])
        start += count
    return out
