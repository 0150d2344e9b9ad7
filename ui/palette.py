"""The layer palette: the catalog by category, a search box, drag or double-click to add."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netlab import catalog
from ui.canvas.view import LAYER_MIME

KEY_ROLE = Qt.ItemDataRole.UserRole


def describe(spec: catalog.LayerSpec) -> str:
    """The help of a layer type: what it does, its inputs and parameters (plain text)."""
    lines = [spec.display_name, "", spec.help, ""]
    if spec.inputs:
        many = " (two or more)" if spec.variadic else ""
        lines.append(f"Inputs: {', '.join(spec.inputs)}{many}")
    for param in spec.params:
        lines.append(f"  {param.name} = {param.default!r}: {param.help}")
    return "\n".join(lines)


class _LayerTree(QTreeWidget):
    """The tree; dragging an item carries its catalog key as ``LAYER_MIME``."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)

    def mime_for(self, key: str) -> QMimeData:
        """The drag data of one layer type."""
        mime = QMimeData()
        mime.setData(LAYER_MIME, key.encode())
        mime.setText(key)
        return mime

    def startDrag(self, actions: object) -> None:
        item = self.currentItem()
        key = item.data(0, KEY_ROLE) if item is not None else None
        if key:
            drag = QDrag(self)
            drag.setMimeData(self.mime_for(key))
            drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    """Every layer type of the catalog, filtered by the search box.

    Signals:
        add_requested(str): a catalog key to add at the centre of the canvas.
        current_changed(str): the highlighted layer type (for the help text).
    """

    add_requested = Signal(str)
    current_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree()
        self.tree.setObjectName("layerPalette")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        for category, specs in catalog.categories().items():
            group = QTreeWidgetItem([category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in specs:
                item = QTreeWidgetItem([spec.display_name])
                item.setToolTip(0, describe(spec))
                item.setData(0, KEY_ROLE, spec.key)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)  # fmt: skip
                group.addChild(item)
            self.tree.addTopLevelItem(group)
        self.tree.expandAll()
        self.search.textChanged.connect(self._on_search_text_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)

    def items(self) -> list[QTreeWidgetItem]:
        """Every layer item (not the category headings)."""
        root = self.tree.invisibleRootItem()
        return [root.child(g).child(i) for g in range(root.childCount())
                for i in range(root.child(g).childCount())]  # fmt: skip

    def item_for(self, key: str) -> QTreeWidgetItem:
        """The item of catalog key ``key``."""
        return next(i for i in self.items() if i.data(0, KEY_ROLE) == key)

    def visible_keys(self) -> list[str]:
        """Keys of the layer types the search leaves shown."""
        return [i.data(0, KEY_ROLE) for i in self.items() if not i.isHidden()]

    def _on_search_text_changed(self, text: str) -> None:
        words = text.lower().split()
        root = self.tree.invisibleRootItem()
        for g in range(root.childCount()):
            group, shown = root.child(g), 0
            for i in range(group.childCount()):
                item = group.child(i)
                spec = catalog.get(item.data(0, KEY_ROLE))
                haystack = f"{spec.display_name} {spec.key} {spec.category} {spec.help}".lower()
                match = all(w in haystack for w in words)
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, KEY_ROLE)
        if key:
            self.add_requested.emit(key)

    def _on_tree_current_changed(self, current: QTreeWidgetItem | None) -> None:
        key = current.data(0, KEY_ROLE) if current is not None else None
        if key:
            self.current_changed.emit(key)
