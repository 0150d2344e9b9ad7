"""The augmentation preview against what the layer itself does."""

import keras
import numpy as np
import pytest

from netlab.errors import InspectError
from netlab.inspect import augmented_examples, preview_mosaic

L = keras.layers


def _model(augmentation):
    inputs = keras.Input((6, 5, 1))
    x = L.Rescaling(2.0, name="scale")(inputs)
    x = augmentation(x)
    return keras.Model(inputs, L.Flatten(name="flat")(x))


def test_flip_versions_are_the_input_or_its_mirror_and_the_model_is_untouched():
    model = _model(L.RandomFlip("horizontal", seed=1, name="flip"))
    x = np.random.default_rng(0).random((3, 6, 5, 1), dtype=np.float32)
    before = model(x, training=False)
    versions = augmented_examples(model, "flip", x, repeats=6, seed=2)
    assert versions.shape == (3, 7, 6, 5, 1)
    np.testing.assert_allclose(versions[:, 0], 2 * x)  # what the layer receives: after scale
    for row in range(3):
        for version in versions[row, 1:]:
            same = np.allclose(version, 2 * x[row])
            mirrored = np.allclose(version, 2 * x[row][:, ::-1])
            assert same or mirrored
    assert not all(np.allclose(v, versions[0, 0]) for v in versions[0, 1:])  # some flipped
    np.testing.assert_array_equal(model(x, training=False), before)  # inference: unchanged
    again = augmented_examples(model, "flip", x, repeats=6, seed=2)
    np.testing.assert_array_equal(again, versions)  # the seed makes it repeatable


def test_crop_is_shown_smaller_and_the_mosaic_has_a_row_per_example():
    model = _model(L.RandomCrop(4, 3, name="crop"))
    x = np.random.default_rng(0).random((2, 6, 5, 1), dtype=np.float32)
    versions = augmented_examples(model, "crop", x, repeats=2)
    assert versions.shape == (2, 3, 6, 5, 1)
    assert np.isnan(versions[:, 1:, 4:]).all()
    assert not np.isnan(versions[:, 1:, :4, :3]).any()
    mosaic = preview_mosaic(versions)
    assert mosaic.shape == (2 * 6 + 2, 3 * 5 + 2 * 2, 3)
    assert mosaic.dtype == np.uint8
    assert (mosaic[:6, 5 + 2 + 3: 5 + 2 + 5] == 255).all()  # cropped away: white


def test_a_layer_without_image_input_is_named():
    inputs = keras.Input((4,))
    noisy = L.GaussianNoise(0.1, name="noise")(inputs)
    model = keras.Model(inputs, L.Dense(2)(noisy))
    with pytest.raises(InspectError, match="noise.*shows images"):
        augmented_examples(model, "noise", np.zeros((2, 4), "float32"))


def test_examples_that_do_not_fit_the_model_are_named():
    model = _model(L.RandomFlip(name="flip"))
    with pytest.raises(InspectError, match=r"flip.*shape \(8, 8\) but the model's input takes"):
        augmented_examples(model, "flip", np.zeros((2, 8, 8), "float32"))
