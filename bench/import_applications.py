"""Every model of ``keras.applications`` imported into NetLab, checked, and the import timed.

For each of the 26 models (``weights=None``, its smallest input): imports it, compares
every layer's shape with Keras's and the parameter count with ``count_params()``,
exports it to ``.keras`` and compares the predictions (max |difference|). Then, for
the largest models, times File > Import as the window runs it (load the ``.keras``
file, import, lay out, analyse: on a worker) and opening the result on the canvas
(scene built and painted), against Keras's own ``load_model`` of the same file as
the baseline: medians of interleaved repetitions.

    QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/import_applications.py
    ... bench/import_applications.py ResNet50 VGG16   # only these; --no-timing to skip timing
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from netlab.graph.analysis import analyse  # noqa: E402
from netlab.graph.composites import expand_node  # noqa: E402
from netlab.graph.importer import graph_from_keras  # noqa: E402
from netlab.project.project import Project, build_with_weights  # noqa: E402

A = keras.applications
MODELS = {
    "VGG16": (A.VGG16, 32), "VGG19": (A.VGG19, 32),
    "ResNet50": (A.ResNet50, 32), "ResNet101": (A.ResNet101, 32), "ResNet152": (A.ResNet152, 32),
    "ResNet50V2": (A.ResNet50V2, 32), "ResNet101V2": (A.ResNet101V2, 32),
    "ResNet152V2": (A.ResNet152V2, 32),
    "InceptionV3": (A.InceptionV3, 75), "InceptionResNetV2": (A.InceptionResNetV2, 75),
    "Xception": (A.Xception, 71),
    "MobileNet": (A.MobileNet, 32), "MobileNetV2": (A.MobileNetV2, 32),
    "MobileNetV3Small": (A.MobileNetV3Small, 32), "MobileNetV3Large": (A.MobileNetV3Large, 32),
    "DenseNet121": (A.DenseNet121, 32), "DenseNet169": (A.DenseNet169, 32),
    "DenseNet201": (A.DenseNet201, 32),
    "NASNetMobile": (A.NASNetMobile, 32), "NASNetLarge": (A.NASNetLarge, 32),
    "EfficientNetB0": (A.EfficientNetB0, 32), "EfficientNetB7": (A.EfficientNetB7, 32),
    "EfficientNetV2B0": (A.EfficientNetV2B0, 32), "EfficientNetV2L": (A.EfficientNetV2L, 32),
    "ConvNeXtTiny": (A.ConvNeXtTiny, 32), "ConvNeXtXLarge": (A.ConvNeXtXLarge, 32),
}  # fmt: skip
TIMED = ("ResNet50", "NASNetLarge", "EfficientNetV2L")
REPEATS = 3


def _layers(model: keras.Model, nodes: dict[str, str], prefix: str = ""):
    """(node name, layer) of every layer, into nested models (``group_layer`` once expanded)."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            expanded = f"{prefix}{layer.name}_{layer.layers[-1].name}" in nodes
            yield from _layers(layer, nodes, f"{prefix}{layer.name}_" if expanded else prefix)
        elif not isinstance(layer, keras.layers.InputLayer):
            yield f"{prefix}{layer.name}", layer


def check(name: str, folder: Path) -> str:
    """One line: layers, nodes, shape mismatches, counts, export difference."""
    make, size = MODELS[name]
    model = make(weights=None, input_shape=(size, size, 3))
    graph, weights = graph_from_keras(model)
    analysis = analyse(graph)
    # Every layer's shape, nested models' too: on a copy with the groups expanded (or,
    # where a name passed 64 characters, under the layer's own name).
    flat = graph.copy()
    while groups := [n.id for n in flat.nodes.values() if n.key == "Subnetwork"]:
        expand_node(flat, groups[0]).do(flat)
    shapes = analyse(flat).shapes
    by_name = {n.name: n.id for n in flat.nodes.values()}
    wrong = [name for name, layer in _layers(model, by_name)
             if shapes.get(by_name.get(name, "")) != tuple(layer.output.shape[1:])]
    generic = sum(n.key == "KerasLayer" for n in flat.nodes.values())
    grouped = sum(n.key == "Subnetwork" for n in graph.nodes.values())
    rebuilt = build_with_weights(Project(graph, weights={k: v for k, v in weights.items() if v}))
    rebuilt.save(folder / "exported.keras")
    again = keras.saving.load_model(folder / "exported.keras")
    x = np.random.default_rng(0).random((2, size, size, 3), dtype=np.float32)
    diff = float(np.max(np.abs(again.predict(x, verbose=0) - model.predict(x, verbose=0))))
    ok = analysis.valid and not wrong and sum(analysis.totals()) == model.count_params() \
        and diff <= 1e-5  # fmt: skip
    return (f"{name:18} {'ok' if ok else 'FAIL':4} {len(model.layers):5} layers "
            f"{len(graph.nodes):5} nodes {grouped} groups {generic:3} generic  shapes wrong "
            f"{len(wrong)}  params "
            f"{sum(analysis.totals()):>11,} / {model.count_params():>11,}  export diff {diff:.1e}")


def timing(names: list[str], folder: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.document import Document
    from ui.file_controller import _imported_project
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), None,
                        load_backend=False)  # fmt: skip
    window.show()
    paths = {}
    for name in names:
        make, size = MODELS[name]
        paths[name] = folder / f"{name}.keras"
        make(weights=None, input_shape=(size, size, 3)).save(paths[name])
    found: dict[tuple[str, str], list[float]] = {}
    for _ in range(REPEATS):
        for name in names:  # interleaved: Keras's load, NetLab's import, opening on the canvas
            start = time.perf_counter()
            keras.saving.load_model(paths[name], compile=False)
            found.setdefault((name, "load"), []).append(time.perf_counter() - start)
            start = time.perf_counter()
            project = _imported_project(str(paths[name]))
            found.setdefault((name, "import"), []).append(time.perf_counter() - start)
            start = time.perf_counter()
            window.set_document(Document(project, name=name))
            app.processEvents()
            window.canvas.viewport().repaint()
            found.setdefault((name, "open"), []).append(time.perf_counter() - start)
    print(f"\nmedians of {REPEATS} interleaved repetitions")
    print(f"{'model':18} {'nodes':>6} {'Keras load':>11} {'import':>8} {'ratio':>6} "
          f"{'open':>7} {'import+open':>12}")
    for name in names:
        load, imp, show = (statistics.median(found[(name, k)]) for k in ("load", "import", "open"))
        nodes = len(_imported_project(str(paths[name])).graph.nodes)
        print(f"{name:18} {nodes:6} {load:10.2f}s {imp:7.2f}s {imp / load:5.2f}x {show:6.2f}s "
              f"{imp + show:11.2f}s")
    window.close()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    names = args or list(MODELS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in names:
            print(check(name, folder), flush=True)
        if "--no-timing" not in sys.argv:
            timing([n for n in names if n in TIMED] or names[:1], folder)


if __name__ == "__main__":
    main()
