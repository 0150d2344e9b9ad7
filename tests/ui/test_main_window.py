from PySide6.QtCore import Qt

from ui.main_window import MainWindow


def test_window_lists_the_layer_library(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "NetLab"
    qtbot.waitUntil(lambda: window.library.count() > 0, timeout=60_000)
    names = [window.library.item(i).text() for i in range(window.library.count())]
    assert "MultiHeadAttention" in names
    assert "Conv2D" in names
    window.library.setCurrentRow(names.index("Conv2D"))
    assert "sliding-window" in window.help.text()
    assert window.library.currentItem().data(Qt.ItemDataRole.UserRole) == window.help.text()
    assert "layers" in window.statusBar().currentMessage()
