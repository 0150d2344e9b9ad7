"""Classification evaluation against NumPy references."""

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlab.inspect import (
    ClassifierEvaluation,
    InspectError,
    class_indices,
    confusion_matrix,
    evaluate_classifier,
)
from netlab.inspect.evaluation import ClassErrors


def _loop_confusion(true, pred, k):
    matrix = np.zeros((k, k), int)
    for t, p in zip(true, pred, strict=True):
        matrix[t, p] += 1
    return matrix


@settings(max_examples=50, deadline=None)
@given(
    k=st.integers(1, 6),
    pairs=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=40),
)
def test_confusion_matrix_matches_a_loop(k, pairs):
    true = np.array([t % k for t, _ in pairs], int)
    pred = np.array([p % k for _, p in pairs], int)
    got = confusion_matrix(true, pred, k)
    assert got.shape == (k, k)
    assert np.issubdtype(got.dtype, np.integer)
    np.testing.assert_array_equal(got, _loop_confusion(true, pred, k))


def test_confusion_matrix_refuses_bad_labels():
    with pytest.raises(InspectError, match="outside 0..2"):
        confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(InspectError, match="2 true classes but 3 predictions"):
        confusion_matrix([0, 1], [0, 1, 2], 3)


def test_class_indices_from_indices_and_one_hot():
    np.testing.assert_array_equal(class_indices([2, 0, 1], 3), [2, 0, 1])
    np.testing.assert_array_equal(class_indices([[2], [0]], 3), [2, 0])
    np.testing.assert_array_equal(class_indices(np.eye(3)[[1, 2]], 3), [1, 2])
    with pytest.raises(InspectError, match="neither class indices nor one-hot"):
        class_indices(np.zeros((2, 4)), 3)


def _linear_model(weights, bias, activation):
    inputs = keras.Input((weights.shape[0],), name="x")
    dense = keras.layers.Dense(weights.shape[1], activation=activation, name="classifier")
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([weights, bias])
    return model


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(4, 3)).astype("float32")
    bias = rng.normal(size=3).astype("float32")
    x = rng.normal(size=(37, 4)).astype("float32")
    logits = x.astype("float64") @ weights + bias
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    y = rng.integers(0, 3, size=37)
    return weights, bias, x, y, probs


@pytest.mark.parametrize("activation", ["softmax", None])
def test_evaluate_classifier_matches_numpy(problem, activation):
    weights, bias, x, y, probs = problem
    model = _linear_model(weights, bias, activation)
    result = evaluate_classifier(model, x, y, ["a", "b", "c"], batch_size=8)
    np.testing.assert_array_equal(result.predicted, probs.argmax(1))
    np.testing.assert_allclose(result.confidence, probs.max(1), atol=1e-5)
    np.testing.assert_allclose(result.probabilities, probs, atol=1e-5)
    np.testing.assert_array_equal(result.true, y)
    np.testing.assert_array_equal(result.confusion, _loop_confusion(y, probs.argmax(1), 3))
    assert result.accuracy == pytest.approx(np.mean(y == probs.argmax(1)))
    one_hot = evaluate_classifier(model, x, np.eye(3)[y], ["a", "b", "c"])
    np.testing.assert_array_equal(one_hot.confusion, result.confusion)


def test_rows_sorted_by_confidence(problem):
    weights, bias, x, y, probs = problem
    result = evaluate_classifier(_linear_model(weights, bias, "softmax"), x, y, ["a", "b", "c"])
    ascending = result.order_by_confidence()
    assert np.all(np.diff(result.confidence[ascending]) >= 0)
    descending = result.order_by_confidence(descending=True)
    assert np.all(np.diff(result.confidence[descending]) <= 0)
    assert sorted(ascending) == list(range(len(x)))
    wrong = result.rows(subset="wrong")
    assert [r.index for r in wrong] == [i for i in ascending if y[i] != probs[i].argmax()]
    assert all(not r.correct for r in wrong)
    top = result.rows(descending=True, limit=3)
    assert [r.index for r in top] == list(descending[:3])
    assert top[0].true_name == "abc"[y[top[0].index]]
    assert top[0].predicted_name == "abc"[top[0].predicted]
    correct = result.order_by_confidence(subset="correct")
    assert len(correct) + len(wrong) == len(x)
    recall = result.class_accuracy()
    for c in range(3):
        assert recall[c] == pytest.approx(np.mean(probs[y == c].argmax(1) == c))
    with pytest.raises(InspectError, match="subset must be one of"):
        result.order_by_confidence(subset="some")


def test_one_sigmoid_unit_gives_two_classes():
    weights = np.array([[1.0], [-1.0]], "float32")
    model = _linear_model(weights, np.zeros(1, "float32"), "sigmoid")
    x = np.array([[2.0, 0.0], [0.0, 1.0], [0.5, 0.4]], "float32")
    result = evaluate_classifier(model, x, [1, 0, 0], ["no", "yes"])
    np.testing.assert_array_equal(result.predicted, [1, 0, 1])
    p = 1 / (1 + np.exp(-(x[:, 0] - x[:, 1])))
    np.testing.assert_allclose(result.confidence, np.maximum(p, 1 - p), atol=1e-6)
    assert result.accuracy == pytest.approx(2 / 3)


def test_evaluate_refuses_what_does_not_fit(problem):
    weights, bias, x, y, _ = problem
    model = _linear_model(weights, bias, "softmax")
    with pytest.raises(InspectError, match="outputs 3 values per example but there are 4"):
        evaluate_classifier(model, x, y, list("abcd"))
    with pytest.raises(InspectError, match="37 examples but 36 labels"):
        evaluate_classifier(model, x, y[:-1], list("abc"))


def _evaluation_of(confusion, names):
    confusion = np.asarray(confusion)
    true = np.repeat(np.arange(len(names)), confusion.sum(1))
    pred = np.concatenate([np.repeat(np.arange(len(names)), row) for row in confusion])
    probabilities = np.eye(len(names))[pred]
    return ClassifierEvaluation(list(names), true, pred, probabilities.max(1), probabilities,
                                confusion_matrix(true, pred, len(names)),
                                float(np.mean(true == pred)))  # fmt: skip


def test_class_errors_by_hand():
    # rows true, columns predicted
    result = _evaluation_of([[5, 1, 3, 0], [0, 4, 0, 0], [2, 2, 1, 0], [0, 0, 0, 0]], "abcd")
    rows = result.class_errors()
    assert rows == [
        ClassErrors("a", 9, 4, pytest.approx(4 / 9), "c", 3),
        ClassErrors("b", 4, 0, 0.0, "", 0),
        ClassErrors("c", 5, 4, 0.8, "a", 2),  # a tie with b: the first
        rows[3],
    ]
    assert (rows[3].class_name, rows[3].examples, rows[3].errors) == ("d", 0, 0)
    assert np.isnan(rows[3].error_rate)
    assert (rows[3].most_confused_with, rows[3].confused_count) == ("", 0)
    for row, accuracy in zip(rows[:3], result.class_accuracy()[:3], strict=True):
        assert row.error_rate == pytest.approx(1 - accuracy)


def test_class_errors_of_one_class():
    (row,) = _evaluation_of([[3]], ["only"]).class_errors()
    assert row == ClassErrors("only", 3, 0, 0.0, "", 0)
