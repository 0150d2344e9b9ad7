"""The Goals panel: a teacher adds goals and locks layers, a student sees them ticked."""

from netlab.graph.commands import SetParam


def test_goals_are_added_ticked_live_and_locks_refuse_edits(window, qtbot):
    panel = window.goals
    graph = window.document.graph
    panel.kind.setCurrentIndex(panel.kind.findData("output_shape"))
    panel.node.setCurrentText("conv2")
    panel.value.setText("(None, 4, 4, 32)")
    panel.add_button.click()
    panel.kind.setCurrentIndex(panel.kind.findData("max_flops"))
    panel.value.setText("lots")
    panel.add_button.click()
    assert "FLOPs at most: needs a number" in panel.error.text()
    panel.value.setText("100k")  # the example has 91.8 kFLOPs
    panel.add_button.click()
    assert panel.error.text() == ""
    assert panel.list.count() == 2
    assert panel.summary.text() == "<b>2 of 2 goals met</b>"
    assert window.document.modified
    conv2 = graph.node_by_name("conv2").id
    assert window.execute(SetParam(conv2, "filters", 64, "Change filters"))
    assert panel.summary.text() == "<b>0 of 2 goals met</b>"
    assert panel.list.item(0).text().startswith("✘  conv2 outputs (None, 4, 4, 32)")
    window.document.undo_stack.undo()
    assert panel.summary.text() == "<b>2 of 2 goals met</b>"

    window.scene.nodes[conv2].setSelected(True)
    panel.lock_button.click()
    assert window.document.project.exercise.locked == ["conv2"]
    assert window.scene.nodes[conv2].state.locked  # a padlock on the node
    assert "locked by the exercise" in window.scene.nodes[conv2].toolTip()
    assert not window.execute(SetParam(conv2, "filters", 8, "Change filters"))
    assert graph.nodes[conv2].params["filters"] == 32  # refused and undone
    assert "conv2 is part of the exercise" in window.statusBar().currentMessage()
    panel.teacher.setChecked(True)
    assert window.execute(SetParam(conv2, "filters", 8, "Change filters"))
    panel.list.setCurrentRow(1)
    panel.remove_button.click()
    assert [g.kind for g in window.document.project.exercise.goals] == ["output_shape"]
