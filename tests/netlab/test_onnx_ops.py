"""Exact GELU reaches ONNX as ``1 - Erf``: ViT exports and predicts as in Keras."""

import keras
import numpy as np
import onnx
import onnxruntime
import pytest

from netlab import onnx_ops
from netlab.errors import ExportError
from netlab.project import build_with_weights
from netlab.project.keras_io import export_onnx
from tests.netlab.project.helpers import inputs_for, sample_project


def _run(path, x):
    session = onnxruntime.InferenceSession(str(path))
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def test_vit_template_exports_and_matches_keras(tmp_path):
    # vit-tiny has the same blocks as vit-b16 (exported by hand: 110 s, max difference 2e-8).
    project = sample_project("vit-tiny")
    export_onnx(project, tmp_path / "vit.onnx")
    operators = {node.op_type for node in onnx.load(tmp_path / "vit.onnx").graph.node}
    assert "Erf" in operators
    assert "Erfc" not in operators
    model = build_with_weights(project)
    x = inputs_for(model, 4)
    np.testing.assert_allclose(_run(tmp_path / "vit.onnx", x), model.predict(x, verbose=0),
                               atol=1e-5)  # fmt: skip


def test_exported_exact_gelu_matches_keras_within_1e_6(tmp_path):
    inputs = keras.Input((2001,))
    model = keras.Model(inputs, keras.layers.Activation("gelu")(inputs))
    x = np.linspace(-12.0, 12.0, 2001, dtype="float32")[None, :]
    model(x)  # Keras exports only called models
    onnx_ops.register()
    model.export(tmp_path / "gelu.onnx", format="onnx", verbose=False)
    want = keras.ops.convert_to_numpy(keras.activations.gelu(x, approximate=False))
    got = _run(tmp_path / "gelu.onnx", x)
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
    # The approximation (tanh) differs by up to ~5e-4, so the check tells the two apart.
    approximate = keras.ops.convert_to_numpy(keras.activations.gelu(x, approximate=True))
    assert np.abs(got - approximate).max() > 1e-4


def test_without_the_erfc_conversion_the_export_fails_clearly(tmp_path, monkeypatch):
    # What tf2onnx 1.17 alone does; it keeps ExportError's "invalid model" path honest.
    from tf2onnx.handler import tf_op

    onnx_ops.register()
    opsets = tf_op.get_opsets()[onnx_ops.ONNX_DOMAIN]
    for handlers in opsets:
        if "Erfc" in handlers:
            monkeypatch.delitem(handlers, "Erfc")
    monkeypatch.setattr(onnx_ops, "register", lambda: None)
    assert not onnx_ops.has_handler("Erfc")
    with pytest.raises(ExportError, match="invalid model"):
        export_onnx(sample_project("vit-tiny"), tmp_path / "vit.onnx")
    assert list(tmp_path.iterdir()) == []


def test_register_is_idempotent():
    onnx_ops.register()
    onnx_ops.register()
    from tf2onnx.handler import tf_op

    handlers = [h for h in tf_op.get_opsets()[onnx_ops.ONNX_DOMAIN] if "Erfc" in h]
    assert len(handlers) == 1
