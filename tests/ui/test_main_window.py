from PySide6.QtCore import Qt

from netlab import catalog
from ui.main_window import MainWindow


def _items(window):
    tree = window.library
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            yield group.text(0), group.child(j)


def test_window_lists_the_catalog_by_category(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "NetLab"
    items = list(_items(window))
    assert len(items) == len(catalog.CATALOG)
    keys = {item.data(0, Qt.ItemDataRole.UserRole): group for group, item in items}
    assert keys["Conv2D"] == "Convolution"
    assert keys["MultiHeadAttention"] == "Attention"
    conv = next(item for _, item in items if item.data(0, Qt.ItemDataRole.UserRole) == "Conv2D")
    window.library.setCurrentItem(conv)
    assert window.help.text().startswith("Convolution 2D\n\nSlides filters over the image")
    assert "padding = 0: zeros on each side" in window.help.text()
    qtbot.waitUntil(lambda: "Keras 3" in window.statusBar().currentMessage(), timeout=60_000)
    assert f"{len(catalog.CATALOG)} layer types" in window.statusBar().currentMessage()
