"""How well a classifier does: predictions, confidences, the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from netlab.errors import InspectError

SUBSETS = ("all", "correct", "wrong")


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Args:
        y_true: True class indices, shape ``(n,)``.
        y_pred: Predicted class indices, shape ``(n,)``.
        num_classes: Number of classes ``k``.

    Returns:
        An int64 array ``(k, k)``: row ``i``, column ``j`` counts the examples of
        class ``i`` predicted as ``j``; the diagonal holds the correct ones.

    Raises:
        InspectError: If the arrays differ in length or hold a class outside
            ``0 .. k-1``.
    """
    true = np.asarray(y_true).reshape(-1)
    pred = np.asarray(y_pred).reshape(-1)
    if true.shape != pred.shape:
        raise InspectError(None, f"{true.size} true classes but {pred.size} predictions")
    if num_classes < 1:
        raise InspectError(None, f"num_classes must be positive, not {num_classes}")
    for label, values in (("true", true), ("predicted", pred)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise InspectError(
                None, f"a {label} class is outside 0..{num_classes - 1}: "
                f"{values.min()}..{values.max()}"
            )  # fmt: skip
    pairs = true.astype(np.int64) * num_classes + pred.astype(np.int64)
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)


@dataclass(frozen=True)
class PredictionRow:
    """One example's line in the evaluation table."""

    index: int
    true: int
    predicted: int
    confidence: float
    true_name: str
    predicted_name: str

    @property
    def correct(self) -> bool:
        """Whether the prediction is the true class."""
        return self.true == self.predicted


@dataclass(frozen=True)
class ClassErrors:
    """One true class's line in the per-class error table.

    Attributes:
        class_name: The class.
        examples: Examples of the class.
        errors: Those predicted as another class.
        error_rate: ``errors / examples`` (NaN for a class with no examples).
        most_confused_with: The wrong class predicted most often for it (the
            first of equals), ``""`` when there are no errors.
        confused_count: How often that class was predicted.
    """

    class_name: str
    examples: int
    errors: int
    error_rate: float
    most_confused_with: str
    confused_count: int


@dataclass(frozen=True)
class ClassifierEvaluation:
    """A classifier's predictions on a set of examples.

    Attributes:
        class_names: One name per class.
        true: True class per example, int ``(n,)``.
        predicted: Predicted class (the most probable) per example, int ``(n,)``.
        confidence: Probability of the predicted class, float ``(n,)``.
        probabilities: All class probabilities, float ``(n, k)``.
        confusion: The ``(k, k)`` confusion matrix (rows true, columns predicted).
        accuracy: Fraction of correct predictions.
    """

    class_names: list[str]
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
    probabilities: np.ndarray
    confusion: np.ndarray
    accuracy: float

    @property
    def correct(self) -> np.ndarray:
        """Boolean ``(n,)``: which predictions are right."""
        return self.true == self.predicted

    def class_accuracy(self) -> np.ndarray:
        """Per true class, the fraction predicted right (NaN for a class with no examples)."""
        totals = self.confusion.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, np.diag(self.confusion) / totals, np.nan)

    def class_errors(self) -> list[ClassErrors]:
        """Per true class, in class order: its errors and the class it is most taken for."""
        rows = []
        for index, name in enumerate(self.class_names):
            counts = self.confusion[index].astype(np.int64)
            examples = int(counts.sum())
            errors = examples - int(counts[index])
            wrong = counts.copy()
            wrong[index] = -1
            other = int(wrong.argmax()) if len(wrong) > 1 else index
            confused = int(counts[other]) if errors else 0
            rows.append(ClassErrors(
                name, examples, errors, errors / examples if examples else float("nan"),
                self.class_names[other] if confused else "", confused,
            ))  # fmt: skip
        return rows

    def order_by_confidence(self, descending: bool = False, subset: str = "all") -> np.ndarray:
        """Indices of the examples sorted by confidence (ties keep their order).

        Args:
            descending: Most confident first instead of least confident first.
            subset: ``"all"``, ``"correct"`` or ``"wrong"`` examples only.

        Raises:
            InspectError: For an unknown ``subset``.
        """
        if subset not in SUBSETS:
            raise InspectError(None, f"subset must be one of {', '.join(SUBSETS)}, not {subset!r}")
        keys = -self.confidence if descending else self.confidence
        order = np.argsort(keys, kind="stable")
        if subset == "all":
            return order
        keep = self.correct[order] if subset == "correct" else ~self.correct[order]
        return order[keep]

    def rows(
        self, descending: bool = False, subset: str = "all", limit: int | None = None
    ) -> list[PredictionRow]:
        """Table rows sorted by confidence; see :meth:`order_by_confidence`.

        Args:
            descending: Most confident first.
            subset: ``"all"``, ``"correct"`` or ``"wrong"``.
            limit: At most this many rows (all when ``None``).
        """
        order = self.order_by_confidence(descending, subset)[:limit]
        names = self.class_names
        return [
            PredictionRow(
                int(i),
                int(self.true[i]),
                int(self.predicted[i]),
                float(self.confidence[i]),
                names[self.true[i]],
                names[self.predicted[i]],
            )
            for i in order
        ]


def class_indices(y: Any, num_classes: int) -> np.ndarray:
    """Class indices from labels that are indices ``(n,)``/``(n, 1)`` or one-hot ``(n, k)``.

    Raises:
        InspectError: If ``y`` has another shape.
    """
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == num_classes and num_classes > 1:
        return labels.argmax(axis=1).astype(np.int64)
    if labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1):
        return labels.reshape(-1).astype(np.int64)
    raise InspectError(
        None, f"labels of shape {labels.shape} are neither class indices nor one-hot "
        f"vectors of {num_classes} classes"
    )  # fmt: skip


def _as_probabilities(outputs: np.ndarray, num_classes: int) -> np.ndarray:
    outputs = outputs.astype("float64").reshape(len(outputs), -1)
    if outputs.shape[1] == 1 and num_classes == 2:  # one sigmoid unit: P(class 1)
        return np.concatenate([1.0 - outputs, outputs], axis=1)
    if outputs.shape[1] != num_classes:
        raise InspectError(
            None, f"the model outputs {outputs.shape[1]} values per example but there are "
            f"{num_classes} classes"
        )  # fmt: skip
    sums = outputs.sum(axis=1, keepdims=True)
    in_range = outputs.min(initial=0.0) >= 0.0 and outputs.max(initial=0.0) <= 1.0
    if in_range and np.allclose(sums, 1.0, atol=2e-2):  # wide enough for half precision
        return outputs / sums
    # Why: a model ending without softmax outputs logits; its confidences are their softmax.
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def evaluate_classifier(
    model: Any, x: Any, y: Any, class_names: Sequence[str], batch_size: int = 256
) -> ClassifierEvaluation:
    """Predicts every example and compares with the true classes.

    Args:
        model: A trained classifier with one input and one output: softmax
            probabilities (logits are turned into them), or one sigmoid unit
            for two classes.
        x: Examples, prepared as for training (``prepare_arrays``).
        y: True classes: indices ``(n,)`` or one-hot ``(n, k)``.
        class_names: One name per class.
        batch_size: Examples per prediction batch.

    Returns:
        The :class:`ClassifierEvaluation`.

    Raises:
        InspectError: If the sizes of ``x``, ``y``, the classes and the model's
            output do not fit together.
    """
    names = [str(n) for n in class_names]
    if len(x) != len(y):
        raise InspectError(None, f"{len(x)} examples but {len(y)} labels")
    if len(x) == 0:
        raise InspectError(None, "there are no examples to evaluate")
    if len(model.outputs) != 1:
        count = len(model.outputs)
        raise InspectError(None, f"the model has {count} outputs; evaluation needs one")
    true = class_indices(y, len(names))
    outputs = model.predict(np.asarray(x), batch_size=max(1, int(batch_size)), verbose=0)
    probabilities = _as_probabilities(np.asarray(outputs), len(names))
    predicted = probabilities.argmax(axis=1)
    confusion = confusion_matrix(true, predicted, len(names))
    return ClassifierEvaluation(
        class_names=names,
        true=true,
        predicted=predicted,
        confidence=probabilities.max(axis=1),
        probabilities=probabilities,
        confusion=confusion,
        accuracy=float(np.trace(confusion) / len(true)),
    )
