"""The window opens on the default example with its docks, menus and status."""

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from netlab import catalog
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_window_opens_on_the_default_example_with_docks_and_status(window):
    assert window.windowTitle().startswith("Digits CNN (example)")
    names = {n.name for n in window.document.graph.nodes.values()}
    assert {"digits", "conv1", "conv2", "classifier"} <= names
    assert set(window.scene.nodes) == set(window.document.graph.nodes)
    assert window.dockWidgetArea(window.docks["palette"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.dockWidgetArea(window.docks["inspector"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.dockWidgetArea(window.docks["problems"]) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.status_label.text().startswith("13,706 parameters · 91.8 kFLOPs · valid")
    assert window.problems.topLevelItem(0).text(2) == "No problems: the network builds."
    assert window.summary.topLevelItemCount() == len(names) + 1  # and the totals row
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Labs", "&Help"]


def test_backend_is_named_in_the_status_bar_once_keras_loaded(qtbot, tmp_path):
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "Keras 3" in window.status_label.text(), timeout=240_000)
    assert "on tensorflow" in window.status_label.text() or "on jax" in window.status_label.text()


def test_palette_lists_the_catalog_by_category_and_searches(window):
    palette = window.palette_widget
    assert len(palette.items()) == len(catalog.CATALOG)
    conv = palette.item_for("Conv2D")
    assert conv.parent().text(0) == "Convolution"
    assert conv.toolTip(0).startswith("Convolution 2D\n\nSlides filters over the image")
    palette.search.setText("attention")
    assert set(palette.visible_keys()) >= {"MultiHeadAttention", "ScaledDotProductAttention"}
    assert "Dense" not in palette.visible_keys()
    palette.search.setText("")
    assert len(palette.visible_keys()) == len(catalog.CATALOG)


def test_layer_reference_is_built_from_the_catalog(window):
    window.menu_actions["reference"].trigger()
    text = window.reference.text.toPlainText()
    for spec in catalog.CATALOG.values():
        assert spec.display_name in text


def test_settings_keep_geometry_theme_and_recent_files(make_window, answers, tmp_path):
    window = make_window()
    window.resize(760, 560)
    window.menu_actions["theme_dark"].trigger()
    answers.save_path = str(tmp_path / "a.netlab")
    window.menu_actions["save_as"].trigger()
    window.close()
    again = make_window()
    assert again.theme == "dark"
    assert again.menu_actions["theme_dark"].isChecked()
    assert again.size().width() == 760
    assert [a.text() for a in again.menu_actions["recent_menu"].actions()] == [answers.save_path]
    again.set_theme("light")


def test_main_py_opens_shows_the_example_and_quits_cleanly(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "NETLAB_QUIT_AFTER_MS": "1500",
           "NETLAB_RECOVERY_DIR": str(tmp_path), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}  # fmt: skip
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "NetLab window: Digits CNN (example), 10 layers, valid" in result.stdout


COPY_THEN_QUIT = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow

app = QApplication(sys.argv)
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat), None, load_backend=False)
window.show()

def copy_and_quit():
    window.scene.select_nodes(list(window.document.graph.nodes)[:3])
    window.menu_actions["copy"].trigger()
    QTimer.singleShot(50, window.close)

QTimer.singleShot(100, copy_and_quit)
sys.exit(app.exec())
"""


def test_quitting_after_copy_exits_cleanly(tmp_path):
    # Exit code 139 (a segfault in Shiboken::Object::destroy) after Edit > Copy, every time.
    script = tmp_path / "copy_then_quit.py"
    script.write_text(COPY_THEN_QUIT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        result = subprocess.run([sys.executable, str(script), str(tmp_path / "s.ini")], env=env,
                                capture_output=True, text=True, timeout=600)  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]


def test_ctrl_shift_z_and_ctrl_y_redo(window, qtbot):
    from PySide6.QtCore import Qt

    from netlab.graph.commands import SetParam

    shortcuts = [s.toString() for s in window.menu_actions["redo"].shortcuts()]
    assert len(shortcuts) == len(set(shortcuts))  # a sequence twice fires neither
    conv2 = window.document.graph.node_by_name("conv2").id
    for key, modifiers in ((Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.ShiftModifier),
                           (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)):  # fmt: skip
        window.execute(SetParam(conv2, "filters", 8, "Change filters"))
        window.document.undo_stack.undo()
        assert window.document.graph.nodes[conv2].params["filters"] == 32
        window.canvas.setFocus()
        qtbot.keyClick(window.canvas, key, modifiers)
        assert window.document.graph.nodes[conv2].params["filters"] == 8
        window.document.undo_stack.undo()
