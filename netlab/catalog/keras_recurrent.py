"""Catalog entries of Keras's recurrent layers (SimpleRNN, GRU, LSTM, Bidirectional)."""

from __future__ import annotations

from typing import Any

from netlab.catalog import flops
from netlab.catalog.spec import (
    ACTIVATIONS,
    LayerSpec,
    Param,
    Shape,
    WeightSpec,
    known,
    layer_maker,
    need_rank,
)

SEQUENCE = "a sequence (length, features)"
GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
"""Blocks of ``units`` columns in each kernel: one per gate (and the candidate)."""


def _params(cell: str) -> tuple[Param, ...]:
    found = [Param("units", "int", 32, "size of the hidden state (the output)", 1, 65536),
             Param("activation", "choice", "tanh", "function of the new state",
                   choices=ACTIVATIONS)]  # fmt: skip
    if cell != "SimpleRNN":
        found.append(Param("recurrent_activation", "choice", "sigmoid", "function of the gates",
                           choices=ACTIVATIONS))  # fmt: skip
    found += [Param("use_bias", "bool", True, "learn biases"),
              Param("return_sequences", "bool", False, "output every step (T, units) instead of "
                    "the last (units,)"),
              Param("go_backwards", "bool", False, "read the sequence from its end"),
              Param("dropout", "float", 0.0, "dropout of the inputs in training", 0.0, 1.0,
                    exclusive_max=True),
              Param("recurrent_dropout", "float", 0.0, "dropout of the state in training", 0.0,
                    1.0, exclusive_max=True)]  # fmt: skip
    if cell == "GRU":
        found.append(Param("reset_after", "bool", True, "apply the reset gate after the matrix "
                           "product (Keras's and cuDNN's default)"))  # fmt: skip
    return tuple(found)


def rnn_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """``(T, units)`` with ``return_sequences``, else ``(units,)``."""
    length, _ = need_rank(ins, 2, SEQUENCE)
    return (length, params["units"]) if params["return_sequences"] else (params["units"],)


def rnn_weights(cell: str, params: dict[str, Any], features: int,
                prefix: str = "") -> list[WeightSpec]:  # fmt: skip
    """Kernel ``(D, g*u)``, recurrent kernel ``(u, g*u)``, bias ``(g*u,)`` (GRU with
    ``reset_after``: ``(2, g*u)``), ``g`` the number of gates."""
    units = params["units"]
    width = GATES[cell] * units
    found = [WeightSpec(f"{prefix}kernel", (features, width)),
             WeightSpec(f"{prefix}recurrent_kernel", (units, width))]  # fmt: skip
    if params["use_bias"]:
        two = cell == "GRU" and params["reset_after"]
        found.append(WeightSpec(f"{prefix}bias", (2, width) if two else (width,)))
    return found


def _weights_of(cell: str) -> Any:
    def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
        return rnn_weights(cell, params, known(ins[0][-1], "number of features"))

    return weights


def _recurrent(cell: str, title: str, text: str) -> LayerSpec:
    return LayerSpec(cell, title, "Recurrent", text, _params(cell), ("input",), rnn_shape,
                     _weights_of(cell), layer_maker(cell), cell,
                     key_params=("units", "return_sequences"), macs=flops.recurrent_macs)


def _bidirectional_params() -> tuple[Param, ...]:
    lstm = _params("LSTM")
    return (Param("cell", "choice", "LSTM", "the recurrent layer run in both directions",
                  choices=tuple(GATES)),
            *(p for p in lstm if p.name != "go_backwards"),
            Param("reset_after", "bool", True, "GRU only: reset gate after the product"),
            Param("merge_mode", "choice", "concat", "how the two directions' outputs combine",
                  choices=("concat", "sum", "mul", "ave")))  # fmt: skip


def cell_params(params: dict[str, Any]) -> dict[str, Any]:
    """The inner layer's parameters of a Bidirectional node."""
    cell = params["cell"]
    names = {p.name for p in _params(cell)}
    return {k: v for k, v in params.items() if k in names}


def _bidirectional_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    shape = rnn_shape(params, ins)
    if params["merge_mode"] != "concat":
        return shape
    return (*shape[:-1], 2 * params["units"])


def _bidirectional_weights(params: dict[str, Any], ins: list[Shape],
                           out: Shape) -> list[WeightSpec]:  # fmt: skip
    features = known(ins[0][-1], "number of features")
    inner = cell_params(params)
    return [*rnn_weights(params["cell"], inner, features, "forward/"),
            *rnn_weights(params["cell"], inner, features, "backward/")]  # fmt: skip


def _make_bidirectional(params: dict[str, Any], name: str) -> Any:
    import keras

    inner = getattr(keras.layers, params["cell"])(**cell_params(params))
    return keras.layers.Bidirectional(inner, merge_mode=params["merge_mode"], name=name)


ENTRIES = (
    _recurrent("SimpleRNN", "Simple RNN", "Reads a sequence step by step, keeping a state: "
               "h_t = activation(W x_t + U h_(t-1) + b). Forgets quickly over long sequences."),
    _recurrent("GRU", "GRU", "A recurrent layer with update and reset gates that decide how much "
               "of the state to keep: remembers longer than a simple RNN, lighter than an LSTM."),
    _recurrent("LSTM", "LSTM", "A recurrent layer with a memory cell and input, forget and output "
               "gates: the classic choice for long sequences (text, time series)."),
    LayerSpec("Bidirectional", "Bidirectional RNN", "Recurrent",
              "Runs a recurrent layer forwards and another backwards over the sequence and joins "
              "their outputs (concatenated by default: 2 * units features), so every step sees "
              "both its past and its future.",
              _bidirectional_params(), ("input",), _bidirectional_shape, _bidirectional_weights,
              _make_bidirectional, "Bidirectional", key_params=("cell", "units"),
              macs=flops.recurrent_macs),
)  # fmt: skip
