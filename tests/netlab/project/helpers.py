"""Projects to save and load in the tests."""

import numpy as np

from netlab import templates
from netlab.graph.builder import build_model
from netlab.project import Project, RunRecord, default_training_config, weights_of


def sample_project(template: str = "cnn", with_weights: bool = True, runs: int = 1) -> Project:
    graph = templates.from_template(template)
    project = Project(graph, view={"zoom": 0.75, "center": [120.0, -40.0]})
    project.training = {**default_training_config(), "epochs": 3, "batch_size": 64}
    if with_weights:
        project.weights = weights_of(build_model(graph))
    rng = np.random.default_rng(0)
    for i in range(runs):
        steps = 30 + i
        project.runs.append(RunRecord(
            f"run{i + 1}", f"Run {i + 1}", graph.to_dict(), dict(project.training),
            status="stopped" if i else "finished", reason="stopped by the user" if i else "",
            started="2026-11-26T05:00:00", finished="2026-11-26T05:01:00",
            epochs=[{"epoch": e, "loss": 1.0 / (e + 1), "val_accuracy": 0.5 + e / 10,
                     "seconds": 1.5} for e in range(3)],
            batches={"step": np.arange(steps), "loss": rng.random(steps).astype("float32"),
                     "learning_rate": np.full(steps, 1e-3)},
        ))  # fmt: skip
    return project


def inputs_for(model, batch: int = 2):
    shape = (batch, *model.inputs[0].shape[1:])
    rng = np.random.default_rng(1)
    if "int" in str(model.inputs[0].dtype):
        return rng.integers(0, 8, shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


def assert_same_project(a: Project, b: Project) -> None:
    assert a.graph.to_dict() == b.graph.to_dict()
    assert a.view == b.view
    assert a.training == b.training
    assert len(a.runs) == len(b.runs)
    for ra, rb in zip(a.runs, b.runs, strict=True):
        fields = ("id", "name", "graph", "config", "status", "reason", "started", "finished",
                  "epochs")  # fmt: skip
        assert [getattr(ra, f) for f in fields] == [getattr(rb, f) for f in fields]
        assert ra.batches.keys() == rb.batches.keys()
        for key in ra.batches:
            np.testing.assert_array_equal(ra.batches[key], rb.batches[key])
            assert ra.batches[key].dtype == rb.batches[key].dtype
    assert (a.weights is None) == (b.weights is None)
    for name in a.weights or {}:
        for wa, wb in zip(a.weights[name], b.weights[name], strict=True):
            np.testing.assert_array_equal(wa, wb)
