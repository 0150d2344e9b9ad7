"""Keras model files in and out of projects: .keras, weights-only, .h5, ONNX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netlab.errors import ExportError
from netlab.fileutil import atomic_write
from netlab.graph.importer import compile_settings, import_keras_file
from netlab.project.config import default_training_config
from netlab.project.project import Project, build_with_weights


def _write_atomically(path: str | Path, write: Any) -> None:
    try:
        atomic_write(path, write)
    except OSError as err:
        raise ExportError(f"{path}: cannot write: {err.strerror or err}") from None


def export_keras(project: Project, path: str | Path) -> None:
    """Saves the project's model, with its weights, as a ``.keras`` file.

    Plain Keras loads it after ``import netlab`` and predicts exactly what
    NetLab predicts.

    Raises:
        ExportError: If the file cannot be written.
        netlab.errors.GraphError: If the graph is invalid.
    """
    model = build_with_weights(project)
    _write_atomically(path, model.save)


def export_weights(project: Project, path: str | Path) -> None:
    """Saves only the weights, as Keras's ``.weights.h5``."""
    if not str(path).endswith(".weights.h5"):
        raise ExportError(f"{path}: a weights file must end in .weights.h5 (Keras's rule)")
    model = build_with_weights(project)
    _write_atomically(path, model.save_weights)


def export_onnx(project: Project, path: str | Path) -> None:
    """Saves the model as ONNX through tf2onnx (TensorFlow backend only).

    Raises:
        ExportError: If the backend is not TensorFlow, or the converter produces
            a model that ONNX's checker rejects (the message says which operator).
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ExportError("ONNX export needs the TensorFlow backend")
    model = build_with_weights(project)
    sample = [keras.ops.zeros((1, *t.shape[1:]), dtype=t.dtype) for t in model.inputs]
    model(sample[0] if len(sample) == 1 else sample)  # Keras exports only called models

    def write(tmp: str) -> None:
        import onnx

        from netlab import onnx_ops

        onnx_ops.register()  # exact GELU's Erfc, which tf2onnx leaves unconverted
        model.export(tmp, format="onnx", verbose=False)
        try:
            onnx.checker.check_model(onnx.load(tmp), full_check=True)
        except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as err:
            first = str(err).strip().splitlines()[0]
            raise ExportError(f"{path}: the ONNX converter produced an invalid model: {first}") \
                from None  # fmt: skip

    _write_atomically(path, write)


def import_model_as_project(path: str | Path) -> Project:
    """A new project from a ``.keras`` or ``.h5`` model, weights included.

    The training settings start from the model's compile configuration where it
    maps to them (optimizer, learning rate, loss, metrics).

    Raises:
        netlab.errors.ModelImportError: One line naming the file and what is wrong.
    """
    graph, weights = import_keras_file(path)
    training = {**default_training_config(), **compile_settings(path)}
    return Project(graph, training=training,
                   weights={name: w for name, w in weights.items() if w})  # fmt: skip


__all__ = [
    "export_keras",
    "export_onnx",
    "export_weights",
    "import_model_as_project",
]
