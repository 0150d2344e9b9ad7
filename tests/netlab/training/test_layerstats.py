"""Per-layer gradient norms and histograms, recorded inside the training step.

The references are computed apart from the engine: TensorFlow's GradientTape or
jax.grad on the same batch and the same initial weights.
"""

import io
import json
import math
from contextlib import redirect_stdout

import keras
import numpy as np
import pytest

from netlab import templates
from netlab.cli import main
from netlab.data import load_dataset
from netlab.graph.builder import build_model
from netlab.project import Project, default_training_config, load_project, save_project
from netlab.training import TrainingRun, layerstats
from netlab.training.history import gradient_series, history_csv
from netlab.training.setup import prepare_arrays


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _config(**overrides):
    return {**default_training_config(), "epochs": 2, "batch_size": 64, **overrides}


def _reference(graph, config, x, y):
    """Each layer's gradient norm at the initial weights, and the weight norms."""
    keras.utils.set_random_seed(config["seed"])
    model = build_model(graph)  # the engine builds with the same seed: the same weights
    loss = keras.losses.get(config["loss"])
    variables = model.trainable_variables
    if keras.backend.backend() == "jax":
        import jax

        def value(trainable):
            out, _ = model.stateless_call(trainable, [v.value for v in
                                                      model.non_trainable_variables], x,
                                          training=True)  # fmt: skip
            return keras.ops.mean(loss(y, out))

        grads = jax.grad(value)([v.value for v in variables])
    else:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = keras.ops.mean(loss(y, model(x, training=True)))
        grads = tape.gradient(value, variables)
    names, owners = layerstats.layer_groups(model)
    norms = [math.sqrt(sum(float(np.sum(np.square(g)))
                           for g, o in zip(grads, owners, strict=True) if o == n))
             for n in names]  # fmt: skip
    weights = [math.sqrt(sum(float(np.sum(np.square(v.numpy())))
                             for v, o in zip(variables, owners, strict=True) if o == n))
               for n in names]  # fmt: skip
    return names, np.array(norms), np.array(weights)


def test_first_record_equals_the_gradient_of_the_same_batch(digits):
    # One batch holds the whole training split: the first step's batch is known.
    config = _config(batch_size=4096, optimizer="sgd", momentum=0.0, learning_rate=0.1)
    record = TrainingRun(templates.mlp(), digits, config).run()
    assert record.status == "finished", record.reason
    arrays = prepare_arrays(digits, config)
    names, norms, weights = _reference(templates.mlp(), config, arrays["x_train"],
                                       arrays["y_train"])  # fmt: skip
    stats = record.layer_stats
    assert stats["layers"] == names == ["hidden1", "hidden2", "classifier"]
    assert stats["step"].tolist() == [0, 1]
    assert stats["epoch"].tolist() == [0, 1]
    assert np.allclose(stats["grad_norm"][0], norms, rtol=1e-4)
    # Plain SGD moves each layer by lr * ||g||: the ratio is known too.
    assert np.allclose(stats["update_ratio"][0], 0.1 * norms / weights, rtol=1e-4)


def test_records_every_n_steps_of_every_epoch(digits):
    record = TrainingRun(templates.cnn(), digits, _config(epochs=3, batch_size=16)).run()
    steps = math.ceil(len(digits.x) * 0.8 / 16)
    every = layerstats.record_interval(steps)
    stats = record.layer_stats
    per_epoch = list(range(0, steps, every))
    assert stats["step"].tolist() == [e * steps + s for e in range(3) for s in per_epoch]
    assert stats["grad_norm"].shape == (3 * len(per_epoch), 4)
    assert np.all(np.isfinite(stats["grad_norm"]))
    assert np.all(stats["grad_norm"] > 0)
    assert np.all(stats["update_ratio"] > 0)
    # The histograms: one per epoch and layer, every count accounted for.
    hist = stats["weight_hist"]
    assert hist.shape == (3, len(stats["weight_layers"]), 30)
    conv1 = stats["weight_layers"].index("conv1")
    assert hist[:, conv1].sum(axis=1).tolist() == [3 * 3 * 16 + 16] * 3
    assert stats["activation_hist"].shape[:2] == (3, len(stats["activation_layers"]))


def test_the_plain_stack_loses_its_gradient_and_the_residual_twin_keeps_it(digits):
    ratios = {}
    for name in ("deep-plain", "deep-residual"):
        record = TrainingRun(templates.from_template(name), digits, _config(epochs=1)).run()
        stats = record.layer_stats
        first, last = stats["layers"].index("dense1"), stats["layers"].index("dense16")
        ratios[name] = np.median(stats["grad_norm"][:, first] / stats["grad_norm"][:, last])
    assert ratios["deep-plain"] < 1e-4
    assert ratios["deep-residual"] > 1e-2


def test_series_survive_the_file_and_reach_info_and_the_csv(digits, tmp_path):
    config = _config(epochs=2)
    record = TrainingRun(templates.mlp(), digits, config).run()
    project = Project(templates.mlp(), training=config)
    project.runs.append(record)
    path = tmp_path / "p.netlab"
    save_project(path, project)
    loaded = load_project(path).runs[0].layer_stats
    assert set(loaded) == set(record.layer_stats)
    for key, value in record.layer_stats.items():
        assert np.array_equal(loaded[key], value) if isinstance(value, np.ndarray) \
            else loaded[key] == value  # fmt: skip
    out = io.StringIO()
    with redirect_stdout(out):
        main(["info", "--json", str(path)])
    gradients = json.loads(out.getvalue())["runs"][0]["gradients"]
    assert gradients["layers"] == ["hidden1", "hidden2", "classifier"]
    assert np.allclose(gradients["grad_norm"], record.layer_stats["grad_norm"])
    header, first = history_csv([record]).splitlines()[:2]
    column = header.split(",").index("grad_norm[hidden1]")
    epoch0 = record.layer_stats["epoch"] == 0
    expected = record.layer_stats["grad_norm"][epoch0, 0].mean()
    assert float(first.split(",")[column]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(("gradients", "histograms"), [(False, False), (True, False),
                                                      (False, True)])  # fmt: skip
def test_each_switch_records_its_own_part_and_the_file_keeps_it(digits, tmp_path, gradients,
                                                                histograms):  # fmt: skip
    config = _config(epochs=1, layer_stats=gradients, histograms=histograms)
    record = TrainingRun(templates.mlp(), digits, config).run()
    assert record.status == "finished"
    assert ("grad_norm" in record.layer_stats) == gradients
    assert ("weight_hist" in record.layer_stats) == ("activation_hist" in record.layer_stats) \
        == histograms  # fmt: skip
    project = Project(templates.mlp(), training=config)
    project.runs.append(record)
    save_project(tmp_path / "p.netlab", project)
    assert set(load_project(tmp_path / "p.netlab").runs[0].layer_stats) == set(record.layer_stats)
    assert (gradient_series(record) is not None) == gradients
