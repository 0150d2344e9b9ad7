"""End to end: train the default CNN on the digits, then look inside it."""

import numpy as np
import pytest

from netlab import templates
from netlab.data import load_dataset
from netlab.inspect import channel_grid, evaluate_classifier, feature_maps
from netlab.project import default_training_config
from netlab.training import TrainingRun
from netlab.training.setup import prepare_arrays


@pytest.fixture(scope="module")
def trained():
    digits = load_dataset("digits")
    config = {**default_training_config(), "epochs": 2, "batch_size": 64}
    run = TrainingRun(templates.cnn(), digits, config)
    assert run.run().status == "finished"
    return run, digits, prepare_arrays(digits, run.config)


def test_accuracy_matches_keras_evaluate(trained):
    run, digits, arrays = trained
    result = evaluate_classifier(
        run.model, arrays["x_val"], arrays["y_val"], digits.class_names, batch_size=100
    )
    keras_metrics = run.model.evaluate(arrays["x_val"], arrays["y_val"], verbose=0,
                                       return_dict=True)  # fmt: skip
    assert result.accuracy == pytest.approx(keras_metrics["accuracy"], abs=1e-6)
    assert result.accuracy > 0.5
    assert result.confusion.sum() == len(arrays["x_val"])
    assert result.confusion.shape == (10, 10)
    np.testing.assert_array_equal(result.true, arrays["y_val"].argmax(1))


def test_feature_maps_of_the_trained_cnn(trained):
    run, _, arrays = trained
    maps = feature_maps(run.model, "conv1", arrays["x_val"][0])
    assert maps.output.shape == (8, 8, 16)
    assert np.all(maps.output >= 0)  # ReLU
    assert channel_grid(maps.output, columns=4).shape == (4 * 8 + 3, 4 * 8 + 3)
