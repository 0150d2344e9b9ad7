"""The Labs tab: choose a lab, run it quick, read the table, open a project."""

from ui.document import Document


def test_a_lab_runs_from_the_menu_and_opens_its_projects(window, qtbot):
    window.menu_actions["lab_padding-stride"].trigger()
    panel = window.labs
    assert window.tabs.currentWidget() is panel
    assert panel.lab.name == "padding-stride"
    assert "floor((H + 2p - K) / s) + 1" in panel.text.text()
    panel.quick.setChecked(True)
    panel.run_button.click()
    assert panel.running
    assert not panel.run_button.isEnabled()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=240_000)
    assert panel.table.rowCount() == 2
    assert [panel.table.item(r, 0).text() for r in range(2)] == ["stride 1", "stride 2"]
    headers = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    assert headers[:4] == ["project", "architecture", "parameters", "FLOPs"]
    assert panel.sizes.isVisibleTo(panel)
    assert panel.sizes.rowCount() == 27
    assert panel.verdicts.text().count("(held)") == 2
    assert {k[0] for k in panel._curves} == {"stride 1", "stride 2"}
    panel.table.selectRow(1)
    panel.open_button.click()
    qtbot.waitUntil(lambda: window.document.title.startswith("padding-stride-stride-2"))
    assert window.tabs.currentWidget() is window.canvas
    assert len(window.document.project.runs) == 1
    assert window.document.graph.node_by_name("conv1").params["strides"] == 2


def test_stopping_a_lab_keeps_the_finished_arms(window, qtbot):
    panel = window.labs
    window.show_lab("vit-patch")
    panel.start(quick=True)
    qtbot.waitUntil(lambda: len(panel.arms) == 1, timeout=240_000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=120_000)
    assert panel.result.stopped
    assert [a.arm.label for a in panel.result.arms][0] == "patch 2"
    assert panel.run_button.isEnabled()
    assert isinstance(window.document, Document)
