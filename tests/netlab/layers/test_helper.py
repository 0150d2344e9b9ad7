"""The shared layer-test helper catches the faults it is there to catch."""

import keras
import pytest

from tests.netlab.layers.helper import run_layer_test


@keras.saving.register_keras_serializable(package="netlab_tests")
class DeadWeight(keras.layers.Layer):
    """Has a weight that never reaches the output."""

    def build(self, input_shape):
        self.used = self.add_weight(name="used", shape=(input_shape[-1],))
        self.unused = self.add_weight(name="unused", shape=(input_shape[-1],))

    def call(self, inputs):
        return inputs * self.used

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="netlab_tests")
class WrongShape(keras.layers.Layer):
    """Declares an output shape it does not produce."""

    def call(self, inputs):
        return inputs[:, :1]

    def compute_output_shape(self, input_shape):
        return input_shape


def test_helper_finds_a_weight_without_gradient(tmp_path):
    with pytest.raises(AssertionError, match="no gradient reached.*unused"):
        run_layer_test(DeadWeight, {}, (2, 3), tmp_path)


def test_helper_finds_a_wrong_output_shape(tmp_path):
    with pytest.raises(AssertionError, match="ran \\(2, 1\\), declared \\(2, 3\\)"):
        run_layer_test(WrongShape, {}, (2, 3), tmp_path)
