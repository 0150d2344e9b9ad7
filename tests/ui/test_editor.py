"""Editing the network the way a user does: drag, drop, connect, inspect, undo."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QSpinBox

from netlab.graph.model import Edge
from ui import theme

LEFT, NO_MOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def _node(window, name):
    return window.document.graph.node_by_name(name)


def _drop(view, mime, point):
    """A drag from the palette entering, moving over and dropping on the canvas."""
    action = Qt.DropAction.CopyAction
    for kind in (QDragEnterEvent, QDragMoveEvent):
        QApplication.sendEvent(view.viewport(), kind(point, action, mime, LEFT, NO_MOD))
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(point), action, mime, LEFT, NO_MOD))


def _on_view(window, scene_point):
    return window.canvas.mapFromScene(scene_point)


def _drag(window, start, end):
    """Mouse press at ``start``, moves, release at ``end`` (scene points) on the canvas."""
    viewport = window.canvas.viewport()
    a, b = _on_view(window, start), _on_view(window, end)
    QTest.mousePress(viewport, LEFT, NO_MOD, a)
    for i in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * i / 5)
    QTest.mouseRelease(viewport, LEFT, NO_MOD, b)


def _empty_spot(window):
    """A scene point in the visible canvas with no item under it."""
    rect = window.canvas.viewport().rect()
    for y in range(rect.bottom() - 40, rect.top(), -20):
        point = window.canvas.mapToScene(QPoint(rect.center().x(), y))
        if not window.scene.items(point):
            return point
    raise AssertionError("no empty spot on the canvas")


def test_drag_from_the_palette_drops_a_layer_where_released_and_undo_removes_it(window):
    before = set(window.document.graph.nodes)
    spot = _empty_spot(window)
    mime = window.palette_widget.tree.mime_for("Dropout")
    _drop(window.canvas, mime, _on_view(window, spot))
    (new_id,) = set(window.document.graph.nodes) - before
    added = window.document.graph.nodes[new_id]
    assert added.key == "Dropout"
    assert added.name == "dropout_2"
    centre = window.scene.nodes[added.id].sceneBoundingRect().center()
    assert abs(centre.x() - spot.x()) < 3
    assert abs(centre.y() - spot.y()) < 3
    assert window.scene.nodes[added.id].isSelected()
    assert window.document.undo_stack.undoText() == "Add Dropout"
    window.menu_actions["undo"].trigger()
    assert set(window.document.graph.nodes) == before
    assert added.id not in window.scene.nodes


def test_dropping_on_a_connection_inserts_the_layer_into_it(window):
    graph = window.document.graph
    conv, pool = _node(window, "conv1").id, _node(window, "pool1").id
    middle = window.scene.edges[Edge(conv, pool)].path().pointAtPercent(0.5)
    _drop(window.canvas, window.palette_widget.tree.mime_for("BatchNorm"), _on_view(window, middle))
    norm = _node(window, "batchnorm")
    assert [e.src for e in graph.inputs_of(norm.id)] == [conv]
    assert [e.dst for e in graph.outputs_of(norm.id)] == [pool]
    assert window.document.analysis.valid
    placed = window.scene.nodes[norm.id].sceneBoundingRect()
    others = [i for n, i in window.scene.nodes.items() if n != norm.id]
    assert not any(placed.intersects(i.sceneBoundingRect()) for i in others)  # room was made
    assert window.document.undo_stack.undoText() == "Insert Batch normalisation"
    window.menu_actions["undo"].trigger()
    assert Edge(conv, pool) in graph.edges


def test_double_click_in_the_palette_adds_the_layer_at_the_centre(window):
    item = window.palette_widget.item_for("Dense")
    window.palette_widget.tree.scrollToItem(item)
    rect = window.palette_widget.tree.visualItemRect(item)
    viewport = window.palette_widget.tree.viewport()
    QTest.mouseClick(viewport, LEFT, NO_MOD, rect.center())  # a double click starts with one
    QTest.mouseDClick(viewport, LEFT, NO_MOD, rect.center())
    dense = _node(window, "dense")
    centre = window.canvas.mapToScene(window.canvas.viewport().rect().center())
    assert window.scene.nodes[dense.id].sceneBoundingRect().contains(centre)


def test_dragging_from_an_output_port_to_an_input_port_connects_them(window):
    graph = window.document.graph
    window.edits.add_layer("Dense", _empty_spot(window) - QPointF(90, 32))
    dense = _node(window, "dense")
    flatten = window.scene.nodes[_node(window, "flatten").id]
    target = window.scene.nodes[dense.id].inputs[0]
    _drag(window, flatten.output.scenePos(), target.scenePos())
    assert Edge(flatten.node_id, dense.id, 0) in graph.edges
    assert Edge(flatten.node_id, dense.id, 0) in window.scene.edges
    assert window.document.undo_stack.undoText() == "Connect"
    assert window.document.analysis.shapes[dense.id] == (64,)
    window.menu_actions["undo"].trigger()
    assert Edge(flatten.node_id, dense.id, 0) not in graph.edges


def test_an_invalid_connection_is_refused_with_the_reason(window):
    graph = window.document.graph
    edges, entries = list(graph.edges), window.document.undo_stack.count()
    conv2 = window.scene.nodes[_node(window, "conv2").id]
    conv1 = window.scene.nodes[_node(window, "conv1").id]
    _drag(window, conv2.output.scenePos(), conv1.inputs[0].scenePos())
    assert graph.edges == edges
    assert window.document.undo_stack.count() == entries
    message = window.statusBar().currentMessage()
    assert message == "Not done: connecting 'conv2' to 'conv1' would make a cycle"
    _drag(window, conv2.output.scenePos(), conv1.output.scenePos())
    assert window.statusBar().currentMessage() == (
        "Not done: cannot connect two outputs: drag from an output to an input"
    )


def test_editing_a_parameter_updates_the_shape_at_once_and_undoes(window):
    conv = _node(window, "conv1")
    window.scene.select_nodes([conv.id])
    filters = window.inspector.findChild(QSpinBox, "param_filters")
    assert filters.value() == 16
    filters.setValue(8)
    item = window.scene.nodes[conv.id]
    assert item.state.shape == "(None, 8, 8, 8)   80 params"
    assert window.document.undo_stack.undoText() == "Set filters"
    window.menu_actions["undo"].trigger()
    assert item.state.shape == "(None, 8, 8, 16)   160 params"
    assert filters.value() == 16
    window.menu_actions["redo"].trigger()
    assert item.state.shape == "(None, 8, 8, 8)   80 params"


def test_an_invalid_value_is_shown_in_red_with_the_reason_and_not_applied(window):
    conv = _node(window, "conv1")
    window.scene.select_nodes([conv.id])
    padding = window.inspector.findChild(QLineEdit, "param_padding")
    entries = window.document.undo_stack.count()
    padding.setText("-3")
    padding.editingFinished.emit()
    error = window.inspector.errors["padding"]
    assert error.text().startswith("padding must be")
    assert theme.current().problem in padding.styleSheet()
    assert conv.params["padding"] == 1
    assert window.document.undo_stack.count() == entries
    padding.setText("0")
    padding.editingFinished.emit()
    assert error.text() == ""
    assert window.document.analysis.shapes[conv.id] == (6, 6, 16)
    name = window.inspector.findChild(QLineEdit, "param_name")
    name.setText("conv2")
    name.editingFinished.emit()
    assert window.inspector.errors["name"].text() == "the name 'conv2' is taken by another node"
    assert conv.name == "conv1"


def test_dragging_several_selected_layers_is_one_undo_entry(window):
    ids = [_node(window, "conv1").id, _node(window, "pool1").id]
    window.scene.select_nodes(ids)
    before = {i: window.document.graph.nodes[i].pos for i in ids}
    item = window.scene.nodes[ids[0]]
    start = item.sceneBoundingRect().center()
    _drag(window, start, start + QPointF(0, 120))
    after = {i: window.document.graph.nodes[i].pos for i in ids}
    for i in ids:  # the mouse moves in pixels: at a zoom below 100% one pixel is more
        assert abs(after[i][1] - (before[i][1] + 120)) < 3 / window.canvas.zoom()
    assert window.document.undo_stack.undoText() == "Move 2 layer(s)"
    window.menu_actions["undo"].trigger()
    assert {i: window.document.graph.nodes[i].pos for i in ids} == before
    assert window.scene.nodes[ids[0]].pos().y() == before[ids[0]][1]


def test_delete_copy_paste_and_duplicate(window):
    graph = window.document.graph
    conv = _node(window, "conv1").id
    window.scene.select_nodes([conv])
    window.menu_actions["copy"].trigger()
    text = QGuiApplication.clipboard().text()
    assert '"netlab-layers"' in text
    assert '"conv1"' in text
    window.menu_actions["delete"].trigger()
    assert conv not in graph.nodes
    problems = [window.problems.topLevelItem(i).text(2)
                for i in range(window.problems.topLevelItemCount())]  # fmt: skip
    assert "input: input not connected: input (input 1)" in problems
    window.menu_actions["paste"].trigger()
    assert "conv1" in {n.name for n in graph.nodes.values()}  # the name is free again
    window.menu_actions["duplicate"].trigger()
    assert "conv1_2" in {n.name for n in graph.nodes.values()}
    for _ in range(3):
        window.menu_actions["undo"].trigger()
    assert conv in graph.nodes
    assert len(graph.nodes) == 10
    QGuiApplication.clipboard().setText("not layers")
    window.menu_actions["paste"].trigger()
    assert window.statusBar().currentMessage() == "Not done: the clipboard holds no NetLab layers"


def test_clicking_a_problem_selects_and_centres_its_layer(window):
    pool = _node(window, "pool1").id
    window.execute(window_disconnect(window, "conv1", "pool1"))
    item = next(window.problems.topLevelItem(i) for i in range(window.problems.topLevelItemCount())
                if window.problems.topLevelItem(i).text(1) == "pool1")  # fmt: skip
    rect = window.problems.visualItemRect(item)
    QTest.mouseClick(window.problems.viewport(), LEFT, NO_MOD, rect.center())
    assert window.scene.selected_node_ids() == [pool]
    centre = window.canvas.mapToScene(window.canvas.viewport().rect().center())
    assert window.scene.nodes[pool].sceneBoundingRect().adjusted(-5, -5, 5, 5).contains(centre)
    assert window.scene.nodes[pool].state.problem == "input not connected: input (input 1)"


def window_disconnect(window, src, dst):
    from netlab.graph.commands import Disconnect

    return Disconnect(Edge(_node(window, src).id, _node(window, dst).id))


def test_expand_a_residual_block_and_auto_layout_undo_as_one_step(window, answers):
    answers.template = "resnet34-small"
    window.menu_actions["new"].trigger()
    graph = window.document.graph
    count = len(graph.nodes)
    block = next(n for n in graph.nodes.values() if n.key == "ResidualBlock")
    before_ids = set(graph.nodes)
    window.scene.select_nodes([block.id])
    window.inspector.expand.click()
    assert block.id not in graph.nodes
    assert len(graph.nodes) > count
    assert window.document.analysis.valid
    positions = {i: n.pos for i, n in graph.nodes.items()}
    window.menu_actions["auto_layout"].trigger()
    assert window.document.undo_stack.undoText() == "Auto layout"
    window.menu_actions["undo"].trigger()
    assert {i: n.pos for i, n in graph.nodes.items()} == positions
    window.menu_actions["undo"].trigger()
    assert len(graph.nodes) == count
    window.menu_actions["redo"].trigger()
    expanded = [n for n in graph.nodes if n not in before_ids]
    window.scene.select_nodes(expanded)
    window.menu_actions["collapse"].trigger()
    assert window.document.undo_stack.undoText() == f"Collapse into {block.name}"
    assert len(graph.nodes) == count
    restored = graph.node_by_name(block.name)
    assert restored.key == "ResidualBlock"
    assert restored.params == block.params
    assert window.scene.selected_node_ids() == [restored.id]
    window.scene.select_nodes([graph.node_by_name("stem_conv").id])
    window.menu_actions["collapse"].trigger()
    assert window.statusBar().currentMessage().startswith("Not done: the selected layers do not")


def test_zoom_actions_and_rubber_band_selection(window):
    window.menu_actions["reset_zoom"].trigger()
    assert window.canvas.zoom() == 1.0
    window.menu_actions["zoom_in"].trigger()
    assert window.canvas.zoom() == 1.25
    window.menu_actions["zoom_out"].trigger()
    assert abs(window.canvas.zoom() - 1.0) < 1e-9
    window.menu_actions["select_all"].trigger()
    assert len(window.scene.selected_node_ids()) == len(window.document.graph.nodes)
    assert window.inspector.title.text() == "10 layers selected"
