"""A frozen NetLab layer stays frozen through a .keras file: no weight of it trains."""

import keras
import numpy as np
import pytest

from netlab import catalog
from netlab.graph.builder import build_model
from tests.netlab.graph.test_catalog import single_layer_graph

pytestmark = pytest.mark.heavy  # a model saved, loaded and trained per layer type
OURS = sorted(k for k, s in catalog.CATALOG.items() if (s.keras_class or "").startswith("netlab>"))


@pytest.mark.parametrize("key", OURS)
def test_frozen_layer_loaded_from_a_file_does_not_train(key, tmp_path):
    graph = single_layer_graph(key)
    graph.set_trainable("layer", False)
    model = build_model(graph)
    model.save(tmp_path / "frozen.keras")
    loaded = keras.saving.load_model(tmp_path / "frozen.keras")
    layer = loaded.get_layer("layer")
    assert not layer.trainable
    assert [w.path for w in loaded.trainable_weights] == []
    before = [np.array(w) for w in layer.get_weights()]
    x = [np.random.default_rng(0).random((4, *t.shape[1:])).astype(t.dtype) if "float" in
         str(t.dtype) else np.zeros((4, *t.shape[1:]), t.dtype) for t in loaded.inputs]  # fmt: skip
    target = np.zeros((4, *loaded.outputs[0].shape[1:]), "float32")
    loaded.compile("sgd", "mse")
    loaded.fit(x if len(x) > 1 else x[0], target, epochs=1, verbose=0)
    for old, new in zip(before, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)  # BatchNorm's statistics included
