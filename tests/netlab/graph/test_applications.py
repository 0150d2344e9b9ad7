"""Every architecture family of ``keras.applications``, imported and checked layer by layer.

Built with ``weights=None`` (nothing is downloaded) at the family's smallest input.
bench/import_applications.py runs every member of every family (26 models).
"""

import keras
import numpy as np
import pytest

from netlab.graph.importer import graph_from_keras
from netlab.project.project import Project, build_with_weights
from tests.netlab.graph.test_import_models import check_shapes, expanded

A = keras.applications
# One model per family, at its smallest input size.
FAMILIES = {
    "VGG16": (A.VGG16, 32),
    "ResNet50": (A.ResNet50, 32),
    "ResNet50V2": (A.ResNet50V2, 32),
    "InceptionV3": (A.InceptionV3, 75),
    "InceptionResNetV2": (A.InceptionResNetV2, 75),
    "Xception": (A.Xception, 71),
    "MobileNet": (A.MobileNet, 32),
    "MobileNetV2": (A.MobileNetV2, 32),
    "MobileNetV3Small": (A.MobileNetV3Small, 32),
    "DenseNet121": (A.DenseNet121, 32),
    "NASNetMobile": (A.NASNetMobile, 32),
    "EfficientNetB0": (A.EfficientNetB0, 32),
    "EfficientNetV2B0": (A.EfficientNetV2B0, 32),
    "ConvNeXtTiny": (A.ConvNeXtTiny, 32),
}


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_application_imports_exactly(name, tmp_path):
    make, size = FAMILIES[name]
    keras.utils.set_random_seed(0)
    model = make(weights=None, input_shape=(size, size, 3))
    graph, weights = graph_from_keras(model)
    check_shapes(model, graph)  # nested models (ConvNeXt's) as groups, and expanded:
    check_shapes(model, expanded(graph))
    rebuilt = build_with_weights(Project(graph, weights={k: v for k, v in weights.items() if v}))
    rebuilt.save(tmp_path / "exported.keras")
    again = keras.saving.load_model(tmp_path / "exported.keras")
    x = np.random.default_rng(0).random((2, size, size, 3), dtype=np.float32)
    # Called eagerly: tracing a graph of hundreds of layers for one batch costs more.
    np.testing.assert_allclose(np.asarray(again(x, training=False)),
                               np.asarray(model(x, training=False)), atol=1e-5)  # fmt: skip


# Multiply-adds at 224x224 as each paper gives them: MobileNet (Howard et al. 2017, Table 8:
# 569 million Mult-Adds), MobileNetV2 (Sandler et al. 2018, Table 3: 300 million), ResNet-50
# (He et al. 2015, Table 1: 3.8 x 10^9 FLOPs), EfficientNet-B0 (Tan and Le 2019: 0.39 B).
PAPER_FLOPS = {"MobileNet": 569e6, "MobileNetV2": 300e6, "ResNet50": 3.8e9,
               "EfficientNetB0": 0.39e9}  # fmt: skip


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(PAPER_FLOPS))
def test_imported_applications_count_the_papers_flops(name):
    from netlab.graph.analysis import analyse

    model = FAMILIES[name][0](weights=None, input_shape=(224, 224, 3))
    graph, _ = graph_from_keras(model)
    assert analyse(graph).total_flops() == pytest.approx(PAPER_FLOPS[name], rel=0.03)
