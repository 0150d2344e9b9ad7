"""Data that does not fit the network: a problem on the node to change, with the change."""

from netlab import templates
from netlab.data import load_dataset
from netlab.graph.analysis import analyse
from netlab.training.fit import data_problems


def _problems(graph, data, loss="categorical_crossentropy"):
    return [(graph.nodes[p.node_id].name if p.node_id else None, p.field, p.message)
            for p in data_problems(graph, analyse(graph), data, loss)]  # fmt: skip


def test_data_that_fits_has_no_problems():
    assert _problems(templates.cnn(), load_dataset("digits")) == []


def test_the_output_width_names_the_last_dense_and_its_units():
    assert _problems(templates.mlp(), load_dataset("spirals", n=100)) == [
        ("digits", "shape", "the data's examples have shape (2,) but this Input takes (8, 8, 1): "
                            "set its shape to (2,)"),
        ("classifier", "units", "the data has 2 classes but the network outputs 10 values: set "
                                "units of 'classifier' to 2"),
    ]  # fmt: skip


def test_tokens_need_int32_and_targets_need_a_regression_loss():
    graph = templates.transformer()
    graph.node_by_name("tokens").params["dtype"] = "float32"
    found = _problems(graph, load_dataset("tokens-sorted", n=20))
    assert ("tokens", "dtype", "the data is token ids: set dtype to int32") in found
    assert all(name != "classifier" for name, _, _ in found)  # 2 classes: the width fits
