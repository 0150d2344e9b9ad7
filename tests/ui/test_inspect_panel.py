"""The Inspect panel shows what netlab.inspect computes, off the GUI thread, with one-line errors.

One CNN is trained (one epoch on the digits) and a Transformer and a tiny ViT
are built untrained, once per module; each test shows one of them in a panel.
"""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from netlab.data import Dataset, load_dataset
from netlab.graph.builder import build_model
from netlab.project import default_training_config
from netlab.templates import from_template
from netlab.training import TrainingRun
from ui.inspect import InspectPanel
from ui.inspect.panel import HINT
from ui.inspect.predictions import CONFIDENCE

TIMEOUT = 240_000  # a hang guard only


class Trained:
    """What show_model takes, kept together."""

    def __init__(self, model, graph, dataset, config):
        self.model, self.graph, self.dataset, self.config = model, graph, dataset, config

    def args(self, **changes):
        return self.model, self.graph, changes.get("dataset", self.dataset), \
            {**self.config, **changes.get("config", {})}  # fmt: skip


@pytest.fixture(scope="module")
def cnn():
    config = {**default_training_config(), "dataset": "digits", "epochs": 1}
    run = TrainingRun(from_template("cnn"), load_dataset("digits"), config)
    assert run.run().status == "finished"
    return Trained(run.model, run.graph, run.dataset, run.config)


@pytest.fixture(scope="module")
def transformer():
    graph = from_template("transformer")
    config = {**default_training_config(), "dataset": "tokens-sorted", "loss":
              "sparse_categorical_crossentropy"}  # fmt: skip
    return Trained(build_model(graph), graph, load_dataset("tokens-sorted", n=200), config)


@pytest.fixture(scope="module")
def vit():
    graph = from_template("vit-tiny")
    return Trained(build_model(graph), graph, load_dataset("digits"), default_training_config())


@pytest.fixture
def panel(qtbot):
    widget = InspectPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    qtbot.waitUntil(lambda: not widget.busy, timeout=TIMEOUT)


def settle(qtbot, panel, view=None):
    if view is not None:
        panel.show_view(view)
    qtbot.waitUntil(lambda: not panel.busy, timeout=TIMEOUT)


def shown(panel, trained, view=None, qtbot=None, **changes):
    panel.show_model(*trained.args(**changes))
    settle(qtbot, panel, view)


def one_line(text):
    return bool(text) and "\n" not in text and "Traceback" not in text


def table_column(panel, column):
    table = panel.evaluation.table
    return [table.data(table.index(row, column)) for row in range(table.rowCount())]


# Before a model ------------------------------------------------------------------------------
def test_hint_until_a_model_is_shown(panel):
    assert panel.message() == HINT
    assert not panel.busy
    assert panel.confusion_image().isNull()


# Evaluation ------------------------------------------------------------------------------------
def test_confusion_matrix_counts_every_validation_example(qtbot, panel, cnn):
    shown(panel, cnn, qtbot=qtbot)
    x_val = cnn.dataset.split(cnn.config["validation_split"], cnn.config["seed"])[2]
    result = panel.evaluation.evaluation
    assert result.confusion.sum() == len(x_val)
    assert panel.confusion_image().size().toTuple() == (10, 10)
    assert f"{100 * result.accuracy:.1f} %" in panel.evaluation.accuracy_label.text()
    assert panel.evaluation.table.rowCount() == len(x_val)
    assert panel.message("evaluation") == ""


def test_table_sorts_by_clicked_column(qtbot, panel, cnn):
    shown(panel, cnn, qtbot=qtbot)
    view = panel.evaluation.table_view
    view.sortByColumn(CONFIDENCE, Qt.AscendingOrder)
    rising = [float(v) for v in table_column(panel, CONFIDENCE)]
    assert rising == sorted(rising)
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(CONFIDENCE) + header.sectionSize(CONFIDENCE) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, 5))
    falling = [float(v) for v in table_column(panel, CONFIDENCE)]
    assert falling == sorted(falling, reverse=True)
    view.sortByColumn(0, Qt.AscendingOrder)
    indices = [int(v) for v in table_column(panel, 0)]
    assert indices == list(range(len(indices)))


def test_filters_show_wrong_examples_and_one_confusion_cell(qtbot, panel, cnn):
    shown(panel, cnn, qtbot=qtbot)
    result = panel.evaluation.evaluation
    panel.evaluation.filter_combo.setCurrentIndex(1)  # wrong only
    assert set(table_column(panel, 4)) <= {"no"}
    assert panel.evaluation.table.rowCount() == int((~result.correct).sum())
    row, col = np.argwhere(result.confusion > 0)[-1]
    confusion = panel.evaluation.confusion
    qtbot.mouseClick(confusion, Qt.LeftButton, pos=confusion.cell_rect(row, col).center().toPoint())
    names = result.class_names
    assert panel.evaluation.table.rowCount() == result.confusion[row, col]
    assert set(table_column(panel, 1)) == {names[row]}
    assert set(table_column(panel, 2)) == {names[col]}
    panel.evaluation.filter_combo.setCurrentIndex(0)
    assert panel.evaluation.table.rowCount() == len(result.true)


def test_selected_row_is_previewed_as_an_image(qtbot, panel, cnn):
    shown(panel, cnn, qtbot=qtbot)
    panel.evaluation.table_view.selectRow(2)
    example = panel.evaluation.table.example_at(2)
    assert panel.evaluation.preview.image().size().toTuple() == (8, 8)
    assert f"Example {example}" in panel.evaluation.preview_label.text()


def test_regression_data_explains_why_there_is_no_evaluation(qtbot, panel, cnn):
    targets = cnn.dataset.y.reshape(-1, 1).astype("float32")
    data = Dataset("digit values", cnn.dataset.x, targets, task="regression", kind="image")
    shown(panel, cnn, qtbot=qtbot, dataset=data, config={"loss": "mse"})
    assert "classification" in panel.message("evaluation")
    assert one_line(panel.message("evaluation"))
    settle(qtbot, panel, "features")
    assert not panel.feature_grid_image().isNull()


# Feature maps ----------------------------------------------------------------------------------
def test_feature_map_grid_tiles_every_channel(qtbot, panel, cnn):
    shown(panel, cnn, "features", qtbot)
    features = panel.features
    assert features.layer_combo.currentData() == "conv1"
    assert panel.feature_grid_image().size().toTuple() == (4 * 8 + 3, 4 * 8 + 3)  # 16 channels
    features.layer_combo.setCurrentIndex(features.layer_combo.findData("conv2"))
    settle(qtbot, panel)
    assert panel.feature_grid_image().size().toTuple() == (6 * 4 + 5, 6 * 4 + 5)  # 32 channels
    assert features.maps.output.shape == (4, 4, 32)


def test_sliding_window_follows_clicks(qtbot, panel, cnn):
    shown(panel, cnn, "features", qtbot)
    features = panel.features
    grid = features.grid_map
    qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.cell_rect(9 + 2, 9 * 2 + 3).center().toPoint())
    assert features.channel_spin.value() == 4 * 1 + 2
    output = features.output_map
    qtbot.mouseClick(output, Qt.LeftButton, pos=output.cell_rect(5, 6).center().toPoint())
    assert (features.row_spin.value(), features.col_spin.value()) == (5, 6)
    window = [m for m in features.input_map.marks() if not m.dashed][0]
    assert (window.top, window.left, window.bottom, window.right) == (5, 6, 8, 9)
    value = features.maps.window_value(5, 6, 6)
    assert f"{value:.4f}" in features.formula_label.text()
    assert features.input_map.image().size().toTuple() == (10, 10)  # 8x8 padded by 1


def test_a_layer_without_image_output_is_one_line_error(qtbot, panel, cnn):
    shown(panel, cnn, "features", qtbot)
    combo = panel.features.layer_combo
    combo.addItem("hidden (Dense)", "hidden")
    combo.setCurrentIndex(combo.count() - 1)
    settle(qtbot, panel)
    message = panel.message("features")
    assert one_line(message)
    assert message.startswith("hidden:")
    assert panel.feature_grid_image().isNull()


# Attention and positions ---------------------------------------------------------------------
def test_attention_shows_one_map_per_head(qtbot, panel, transformer):
    shown(panel, transformer, "attention", qtbot)
    images = panel.attention_images()
    assert len(images) == 4
    assert {image.size().toTuple() for image in images} == {(16, 16)}
    panel.attention.layer_combo.setCurrentIndex(1)
    settle(qtbot, panel)
    assert panel.message("attention") == ""
    assert len(panel.attention_images()) == 4


def test_vit_shows_class_token_attention_on_the_patch_grid(qtbot, panel, vit):
    shown(panel, vit, "attention", qtbot)
    assert {image.size().toTuple() for image in panel.attention_images()} == {(4, 4)}
    panel.attention.patch_check.setChecked(False)
    settle(qtbot, panel)
    assert {image.size().toTuple() for image in panel.attention_images()} == {(17, 17)}


def test_position_similarity_is_length_by_length(qtbot, panel, transformer):
    shown(panel, transformer, "positions", qtbot)
    assert panel.position_image().size().toTuple() == (16, 16)
    assert panel.message("positions") == ""


def test_views_explain_what_a_network_lacks(qtbot, panel, cnn, transformer):
    shown(panel, cnn, qtbot=qtbot)
    assert "no attention layer" in panel.message("attention")
    assert "no positional embedding" in panel.message("positions")
    assert one_line(panel.message("attention"))
    assert one_line(panel.message("positions"))
    shown(panel, transformer, "features", qtbot)
    assert "image-shaped" in panel.message("features")
    assert one_line(panel.message("features"))


# Augmentation ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def augmented():
    from netlab.graph.commands import SetParam, insert_on_edge

    graph = from_template("cnn")
    first = next(e for e in graph.edges if e.src == graph.node_by_name("digits").id)
    command = insert_on_edge(graph, first, "RandomRotation", (0.0, 0.0))
    command.do(graph)
    rotate = command.commands[0].node_id
    SetParam(rotate, "factor", 0.25).do(graph)
    return Trained(build_model(graph), graph, load_dataset("digits"), default_training_config())


def test_augmentation_shows_random_versions_of_examples_untrained(qtbot, panel, augmented):
    from ui.inspect.augment_view import EXAMPLES, REPEATS

    shown(panel, augmented, "augmentation", qtbot)
    assert panel.message("augmentation") == ""
    image = panel.augmentation.mosaic.image()
    assert image.width() == (1 + REPEATS) * (8 + 2) - 2  # 8x8 digits, 2 pixels between
    assert image.height() == EXAMPLES * (8 + 2) - 2
    first = image.copy()
    panel.augmentation.seed_spin.setValue(5)
    settle(qtbot, panel)
    assert panel.augmentation.mosaic.image() != first  # another seed, other versions


def test_augmentation_tab_explains_a_network_without_one(qtbot, panel, cnn):
    shown(panel, cnn, "augmentation", qtbot)
    assert "no augmentation layer" in panel.message("augmentation")
    assert one_line(panel.message("augmentation"))


# Errors and lifecycle ----------------------------------------------------------------------
def test_bad_configuration_is_one_line(qtbot, panel, cnn):
    with qtbot.waitSignal(panel.computed, timeout=TIMEOUT) as signal:
        panel.show_model(*cnn.args(config={"validation_split": 2.0}))
    assert signal.args == ["context"]
    assert one_line(panel.message())
    assert "validation_split" in panel.message()


def test_clear_goes_back_to_the_hint(qtbot, panel, cnn):
    shown(panel, cnn, qtbot=qtbot)
    panel.clear()
    assert panel.message() == HINT
    assert panel.confusion_image().isNull()
