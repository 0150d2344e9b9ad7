"""A .keras file with every NetLab layer loads in a fresh, plain-Keras process."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from netlab import layers
from tests.netlab.layers.helper import random_inputs

pytestmark = pytest.mark.heavy  # fresh Keras processes; the main Python only

LOADER = """
import sys
import numpy as np
{imports}
model = keras.saving.load_model(sys.argv[1])
np.save(sys.argv[3], model.predict(np.load(sys.argv[2]), verbose=0))
"""


def build_model_with_every_layer() -> keras.Model:
    images = keras.Input((8, 8, 3), name="images")
    x = layers.Conv2D(4, 3, strides=1, padding=1)(images)
    x = layers.ResidualBlock(4, zero_init=False)(x)
    tokens = layers.PatchEmbedding(2, 8)(x)
    tokens = layers.ClassToken(initializer="random_normal")(tokens)
    tokens = layers.LearnedPositionEmbedding(32)(tokens)
    tokens = layers.SinusoidalPositionEmbedding()(tokens)
    tokens = layers.TransformerBlock(2, None, 16, norm_first=True)(tokens)
    tokens = layers.MultiHeadAttention(2, 4, causal=True)(tokens)
    tokens = layers.ScaledDotProductAttention()([tokens, tokens, tokens])
    tokens = layers.FeedForward(12)(tokens)
    tokens = layers.LayerNorm()(tokens)
    return keras.Model(images, tokens)


@pytest.mark.parametrize(
    "imports",
    ["import keras\nimport netlab", "import netlab\nimport keras"],
    ids=["keras-first", "netlab-first"],
)
def test_saved_model_loads_in_plain_keras(tmp_path, imports):
    model = build_model_with_every_layer()
    model.save(tmp_path / "model.keras")
    data = random_inputs((3, 8, 8, 3))
    np.save(tmp_path / "x.npy", data)
    script = tmp_path / "load.py"
    script.write_text(LOADER.format(imports=imports))
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(tmp_path / "model.keras"),
            str(tmp_path / "x.npy"),
            str(tmp_path / "y.npy"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=os.environ.copy(),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), model.predict(data, verbose=0))


def test_every_public_layer_is_registered():
    for name in layers.__all__:
        obj = getattr(layers, name)
        if isinstance(obj, type):
            assert keras.saving.get_registered_name(obj) == f"netlab>{name}"
            assert keras.saving.get_registered_object(f"netlab>{name}") is obj
