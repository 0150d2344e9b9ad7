"""Looking inside without training, and watching a network learn, as a user does it.

The lecture's example typed in by hand; the decision boundary following a run
epoch by epoch; gradient flow and histograms of a finished run.
"""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from netlab.project import Project, default_training_config
from netlab.templates import _Chain, new_project
from tests.ui.test_training_panel import RUN_TIMEOUT, _finished, _panel
from ui.document import Document

LECTURE = "1 2 1\n0 0 0\n-1 -2 -1"


def _correlate(image, kernel, padding, stride):
    """The lecture's arithmetic in NumPy: zero padding, then the kernel slid by ``stride``."""
    padded = np.pad(image, padding)
    k = kernel.shape[0]
    size = (padded.shape[0] - k) // stride + 1
    return np.array([[np.sum(padded[r * stride:r * stride + k, c * stride:c * stride + k] * kernel)
                      for c in range(size)] for r in range(size)])  # fmt: skip


def _lecture_window(window, padding, strides):
    c = _Chain()
    c.add("Input", "image", shape=(8, 8, 1))
    c.add("Conv2D", "conv", filters=1, kernel_size=3, padding=padding, strides=strides)
    c.add("Output", "out")
    window.set_document(Document(Project(c.done(), training=default_training_config())))
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("features")
    return window.inspect.features


def _shown(qtbot, view):
    qtbot.waitUntil(lambda: view.maps is not None and not view.busy, timeout=120_000)


def test_the_lecture_example_typed_in_without_training(window, qtbot):
    from netlab.inspect.kernels import LECTURE_KERNEL, lecture_image

    features = _lecture_window(window, padding=0, strides=1)
    _shown(qtbot, features)
    assert "Not trained yet" in window.inspect.message()
    features.set_source("lecture")
    _shown(qtbot, features)
    features.kernel_button.click()  # the dialog, as the user fills it in
    dialog = features.kernel_dialog
    dialog.kernel_edit.setPlainText("1 2\n0 0")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert "type 3 rows of 3 numbers" in dialog.error_label.text()  # refused, still open
    assert dialog.isVisible()
    dialog.kernel_edit.setPlainText(LECTURE)
    dialog.bias_edit.setText("0")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: features.maps is not None
                    and np.array_equal(features.maps.kernel[..., 0, 0], LECTURE_KERNEL),
                    timeout=120_000)  # fmt: skip
    _shown(qtbot, features)
    expected = _correlate(lecture_image(), LECTURE_KERNEL, 0, 1)
    assert features.maps.output.shape == (6, 6, 1)
    assert np.array_equal(features.maps.output[..., 0], expected)  # the lecture's 6x6, exactly
    assert features.source() == "lecture"  # the rebuilt model kept the user's choices
    assert window.document.undo_stack.undoText() == "Set the kernel of conv"
    features.row_spin.setValue(2)
    features.col_spin.setValue(3)
    mark = features.field_map.marks()[0]
    assert (mark.top, mark.left, mark.bottom, mark.right) == (2, 3, 5, 6)  # rows 2-4, cols 3-5
    assert "3×3 input pixels" in features.field_map.title
    window.document.undo_stack.undo()  # the kernel goes back to the initial one
    qtbot.waitUntil(lambda: features.maps is not None
                    and not np.array_equal(features.maps.kernel[..., 0, 0], LECTURE_KERNEL),
                    timeout=120_000)  # fmt: skip


def test_padding_one_stride_two_gives_four_by_four_and_a_drawn_input(window, qtbot):
    from netlab.inspect.kernels import LECTURE_KERNEL

    features = _lecture_window(window, padding=1, strides=2)
    _shown(qtbot, features)
    features.set_source("drawn")
    _shown(qtbot, features)
    assert not features.maps.input.any()  # a drawing starts empty
    features.set_kernel(LECTURE, "0")
    qtbot.waitUntil(lambda: features.maps is not None
                    and np.array_equal(features.maps.kernel[..., 0, 0], LECTURE_KERNEL),
                    timeout=120_000)  # fmt: skip
    _shown(qtbot, features)
    features.field_map.cell_clicked.emit(4, 4)  # paint a pixel on the network's input
    qtbot.waitUntil(lambda: not features.busy and features.maps.input[4, 4, 0] == 1.0,
                    timeout=120_000)  # fmt: skip
    image = np.zeros((8, 8))
    image[4, 4] = 1.0
    assert features.maps.output.shape == (4, 4, 1)
    assert np.array_equal(features.maps.output[..., 0], _correlate(image, LECTURE_KERNEL, 1, 2))


def test_the_lecture_image_refused_where_it_does_not_fit(window, qtbot):
    c = _Chain()
    c.add("Input", "image", shape=(32, 32, 3))
    c.add("Conv2D", "conv", filters=4, kernel_size=3)
    c.add("Output", "out")
    window.set_document(Document(Project(c.done(), training=default_training_config())))
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("features")
    features = window.inspect.features
    qtbot.waitUntil(lambda: features.layer_combo.count() > 0, timeout=240_000)
    features.set_source("lecture")
    assert features.message() == ("the lecture's image is 8x8 but this network's input is "
                                  "32x32x3")  # fmt: skip


def test_the_decision_boundary_follows_training_epoch_by_epoch(window, qtbot):
    window.set_document(Document(new_project("playground")))
    panel = _panel(window, epochs=6)
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=240_000)
    assert panel.boundary.isVisible()
    drawn = []
    panel.boundary_drawn.connect(lambda run_id, epoch: drawn.append(epoch))
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    qtbot.waitUntil(lambda: drawn and drawn[-1] == 5, timeout=120_000)
    assert len(drawn) >= 2  # during the run, not only at its end
    grid = panel.boundary.grid
    assert grid.probabilities.shape == (100, 100, 2)
    assert [name for name, _ in grid.hidden] == ["hidden1", "hidden2"]
    # The last drawing is the trained model's: equal to predicting the same points.
    from netlab.inspect.boundary import input_transform
    from netlab.project import build_with_weights

    model = build_with_weights(window.document.project)
    transform = input_transform(panel.data.dataset, window.document.project.training)
    xx, yy = np.meshgrid(grid.xs, grid.ys)
    points = transform(np.stack([xx.ravel(), yy.ravel()], axis=1))
    expected = model.predict(points, verbose=0).reshape(100, 100, 2)
    assert np.allclose(grid.probabilities, expected, atol=1e-5)
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("boundary")
    view = window.inspect.boundary
    qtbot.waitUntil(lambda: view.boundary.grid is not None and not view.busy, timeout=120_000)
    assert np.allclose(view.boundary.grid.probabilities, expected, atol=1e-5)


def test_gradients_and_histograms_of_a_finished_run(window, qtbot):
    window.set_document(Document(new_project("deep-plain")))
    panel = _panel(window, epochs=2)
    qtbot.waitUntil(lambda: panel.data.dataset is not None, timeout=240_000)
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("gradients")
    gradients = window.inspect.gradients
    record = window.document.project.runs[-1]
    layers = record.layer_stats["layers"]
    image = gradients.heat_map.image()
    assert (image.height(), image.width()) == (len(layers), len(record.layer_stats["step"]))
    # Vanishing: the first sigmoid layer's row is darker than the last one's everywhere.
    first, last = layers.index("dense1"), layers.index("dense16")
    assert all(image.pixelColor(c, first).lightness() < image.pixelColor(c, last).lightness()
               for c in range(image.width()))  # fmt: skip
    assert "median ratio" in gradients.message()
    gradients.series_combo.setCurrentIndex(1)  # update ratios
    assert "update ratio" in gradients.heat_map.title
    window.inspect.show_view("histograms")
    histograms = window.inspect.histograms
    assert histograms.layer_combo.count() == len(record.layer_stats["weight_layers"])
    assert histograms.heat_map.image().height() == 2  # one row per epoch
    histograms.kind_combo.setCurrentIndex(1)
    assert histograms.layer_combo.count() == len(record.layer_stats["activation_layers"])


def test_activations_on_the_canvas_follow_the_example_and_edits(window, qtbot):
    from netlab.graph.commands import SetParam

    scene = window.scene
    window.show_activations(True)
    conv1 = next(n.id for n in window.document.graph.nodes.values() if n.name == "conv1")
    qtbot.waitUntil(lambda: scene.nodes[conv1].preview is not None, timeout=120_000)
    shown = {i for i, item in scene.nodes.items() if item.preview is not None}
    outputs = {n.id for n in window.document.graph.nodes.values() if n.key != "Output"}
    assert shown == outputs  # every layer, the input too
    assert scene.nodes[conv1].preview.toolTip() == "conv1: output 8×8×16 (channels)"
    before = scene.nodes[conv1].preview.pixmap().toImage()
    window.inspect.features.sample_spin.setValue(5)  # another example: other pictures
    qtbot.waitUntil(lambda: scene.nodes[conv1].preview.pixmap().toImage() != before,
                    timeout=120_000)  # fmt: skip
    window.execute(SetParam(conv1, "filters", 4))  # an edit: rebuilt, drawn again
    qtbot.waitUntil(lambda: scene.nodes[conv1].preview is not None and
                    scene.nodes[conv1].preview.toolTip() == "conv1: output 8×8×4 (channels)",
                    timeout=120_000)  # fmt: skip
    window.show_activations(False)
    assert all(item.preview is None for item in scene.nodes.values())


def test_activations_refresh_after_each_epoch(window, qtbot):
    window.show_activations(True)
    hidden = next(n.id for n in window.document.graph.nodes.values() if n.name == "hidden")
    qtbot.waitUntil(lambda: window.scene.nodes[hidden].preview is not None, timeout=120_000)
    epochs = []
    window.training.epoch_trained.connect(lambda c: epochs.append(c.process.epochs_with_weights))
    passes = []
    window.previews.shown.connect(lambda found: passes.append(found is not None))
    panel = _panel(window, epochs=3)
    panel.train_button.click()
    qtbot.waitUntil(lambda: _finished(panel), timeout=RUN_TIMEOUT)
    qtbot.waitUntil(lambda: len(passes) >= 3, timeout=120_000)
    assert epochs
    assert epochs[-1] >= 1
    assert window.scene.nodes[hidden].preview is not None


def test_the_inspector_shows_the_formula_and_opens_the_kernel(window, qtbot):
    graph = window.document.graph
    conv1 = next(n for n in graph.nodes.values() if n.name == "conv1")
    window.scene.nodes[conv1.id].setSelected(True)
    text = window.inspector.arithmetic.text()
    assert "H_out = ⌊(8 + 2·1 − 3)/1⌋ + 1 = 8" in text
    assert "stride 2 gives 4x4" in text
    assert "H_out = ⌊(8 + 2·1 − 3)/1⌋ + 1 = 8" in window.scene.nodes[conv1.id].toolTip()
    window.inspector.kernel.click()
    assert window.tabs.currentWidget() is window.inspect
    features = window.inspect.features
    qtbot.waitUntil(lambda: features.kernel_dialog is not None
                    and features.kernel_dialog.isVisible(), timeout=120_000)  # fmt: skip
    assert features.layer_combo.currentData() == "conv1"
    assert features.kernel_dialog.windowTitle() == "Kernel of conv1"
    features.kernel_dialog.reject()


def test_errors_per_class_beside_the_confusion_matrix(window, qtbot):
    window.tabs.setCurrentWidget(window.inspect)
    window.inspect.show_view("evaluation")
    view = window.inspect.evaluation
    qtbot.waitUntil(lambda: view.evaluation is not None and not view.busy, timeout=120_000)
    table = view.class_table
    rows = view.evaluation.class_errors()
    assert table.rowCount() == 10
    assert sum(int(table.item(r, 2).text()) for r in range(10)) == \
        int(np.sum(~view.evaluation.correct))  # fmt: skip
    table.sortItems(3, Qt.DescendingOrder)  # the worst class first, by rate, not by text
    shown = [table.item(r, 3).data(Qt.UserRole) for r in range(10)]
    assert shown == sorted((r.error_rate for r in rows), reverse=True)
