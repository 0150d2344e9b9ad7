"""A group of layers used as one layer: a nested Keras model, or layers collapsed in the editor.

The layers are described as data (``network``): each one's catalog type,
parameters, name within the group and the names of the layers it takes its
inputs from (``"<input>"`` is the group's input). So a ``.keras`` file holding a
group loads in plain Keras after ``import netlab``, and the editor can expand
the group into its layers and collapse them back.
"""

from __future__ import annotations

from typing import Any

import keras

from netlab.catalog.subnetwork import GROUP_INPUT, check_network


@keras.saving.register_keras_serializable(package="netlab")
class Subnetwork(keras.layers.Layer):
    """Runs a group of catalog layers on one input; the last one's output is the group's.

    Args:
        network: ``{"layers": [{"name", "type", "params", "inputs"}, ...]}`` in an
            order where every layer comes after its inputs; ``type`` is a NetLab
            catalog key, ``params`` its parameters.
        **kwargs: Layer keywords (``name``, ``trainable``, ``dtype``).

    Call arguments:
        inputs: The group's one input.
        training: Passed on to the layers (dropout, batch norm).

    Example:

    >>> group = Subnetwork({"layers": [
    ...     {"name": "dense", "type": "Dense", "params": {"units": 4}, "inputs": ["<input>"]},
    ...     {"name": "relu", "type": "Activation", "params": {}, "inputs": ["dense"]}]})
    >>> tuple(group(keras.ops.ones((2, 3))).shape)
    (2, 4)
    """

    def __init__(self, network: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from netlab import catalog

        self.network = network
        self._steps = check_network(network)
        self._specs = [catalog.get(item["type"]) for item in self._steps]
        parts = []
        for item, spec in zip(self._steps, self._specs, strict=True):
            params = spec.check_params({**spec.defaults(), **item.get("params", {})})
            assert spec.make_layer is not None
            parts.append(spec.make_layer(params, item["name"]))
        self.parts = parts  # tracked by Keras in this order: the group's weights follow it
        self._freeze_parts()

    def _freeze_parts(self) -> None:
        # Keras's trainable setter reaches only the sublayers it tracked by then: a group
        # made frozen (from a file) freezes its parts, and once built their weights, here.
        for part in self.parts:
            part.trainable = self.trainable

    def build(self, input_shape: tuple[Any, ...]) -> None:
        self.call(keras.KerasTensor(input_shape, dtype=self.compute_dtype))  # builds the parts
        self._freeze_parts()  # their weights exist now

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        values: dict[str, Any] = {GROUP_INPUT: inputs}
        for item, spec, layer in zip(self._steps, self._specs, self.parts, strict=True):
            ins = [values[source] for source in item["inputs"]]
            if spec.call_style == "list" or (spec.call_style == "auto" and len(ins) > 1):
                values[item["name"]] = layer(ins, training=training)
            elif spec.call_style == "args":
                values[item["name"]] = layer(*ins, training=training)
            else:
                values[item["name"]] = layer(ins[0], training=training)
        return values[self._steps[-1]["name"]]

    def compute_output_spec(self, inputs: Any, training: bool | None = None) -> Any:
        return self.call(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "network": self.network}
