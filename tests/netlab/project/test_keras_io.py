"""Projects out to .keras / weights / ONNX and .keras / .h5 models in as projects."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from netlab.errors import ExportError, ModelImportError
from netlab.graph.builder import build_model
from netlab.project import build_with_weights
from netlab.project.keras_io import (
    export_keras,
    export_onnx,
    export_weights,
    import_model_as_project,
)
from tests.netlab.project.helpers import inputs_for, sample_project

PLAIN_KERAS = """
import sys
import numpy as np
import keras
import netlab
model = keras.saving.load_model(sys.argv[1])
np.save(sys.argv[3], model.predict(np.load(sys.argv[2]), verbose=0))
"""


@pytest.mark.heavy
@pytest.mark.parametrize("template", ["cnn", "transformer", "vit-tiny"])
def test_keras_export_predicts_exactly_in_plain_keras(tmp_path, template):
    project = sample_project(template)
    export_keras(project, tmp_path / "model.keras")
    model = build_with_weights(project)
    x = inputs_for(model, 3)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "load.py").write_text(PLAIN_KERAS)
    run = subprocess.run(
        [sys.executable, str(tmp_path / "load.py"), str(tmp_path / "model.keras"),
         str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
        capture_output=True, text=True, check=False, timeout=300, env=os.environ.copy(),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), model.predict(x, verbose=0))


def test_weights_only_export(tmp_path):
    project = sample_project("cnn")
    export_weights(project, tmp_path / "cnn.weights.h5")
    fresh = build_model(project.graph)
    fresh.load_weights(tmp_path / "cnn.weights.h5")
    x = inputs_for(fresh, 3)
    np.testing.assert_array_equal(
        fresh.predict(x, verbose=0), build_with_weights(project).predict(x, verbose=0)
    )
    with pytest.raises(ExportError, match="must end in .weights.h5"):
        export_weights(project, tmp_path / "cnn.h5")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_model_file_imports_as_project_with_weights(tmp_path, suffix):
    model = build_with_weights(sample_project("cnn"))
    model.save(tmp_path / f"m{suffix}")
    project = import_model_as_project(tmp_path / f"m{suffix}")
    x = inputs_for(model, 3)
    np.testing.assert_array_equal(
        build_with_weights(project).predict(x, verbose=0), model.predict(x, verbose=0)
    )


def test_keras_file_with_lambda_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"

    def touch_marker(t):
        marker.write_text("code from the file ran")
        return t * 2

    inputs = keras.Input((4,))
    outputs = keras.layers.Lambda(touch_marker)(inputs)
    keras.Model(inputs, outputs).save(tmp_path / "lambda.keras")
    marker.unlink()  # building the model above called it once
    with pytest.raises(ModelImportError,
                       match=r"lambda.keras: the model calls the Python function 'touch_marker'"):
        import_model_as_project(tmp_path / "lambda.keras")
    assert not marker.exists()


@pytest.mark.heavy
def test_onnx_export_matches_keras(tmp_path):
    import onnxruntime

    project = sample_project("cnn")
    export_onnx(project, tmp_path / "cnn.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "cnn.onnx"))
    model = build_with_weights(project)
    x = inputs_for(model, 3)
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-5)
