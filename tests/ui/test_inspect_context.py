"""What the Inspect tab's views get: uint8 pixels are shown as the network's 0..1 input."""

import numpy as np

from netlab import templates
from netlab.data import Dataset, load_dataset
from netlab.graph.builder import build_model
from netlab.project import default_training_config
from ui.inspect.context import load_context


def test_pixels_kept_as_uint8_are_shown_scaled_as_training_sees_them():
    digits = load_dataset("digits")
    pixels = Dataset("pixels", digits.x.astype("uint8"), digits.y, kind="image", scale=16.0)
    graph = templates.cnn()
    context = load_context(build_model(graph), graph, pixels, default_training_config())
    assert context.x_raw.dtype == np.float32
    assert context.x_raw.max() == 1.0
    np.testing.assert_array_equal(context.x_raw * 16, np.round(context.x_raw * 16))
    assert abs(float(context.x.mean())) < 0.1  # standardised, as training feeds the model
