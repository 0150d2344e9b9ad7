"""The property inspector: a form generated from the catalog's parameter specs.

Each parameter kind gets its editor (spin box, combo box, check box, text for
shapes and pairs). A value is checked by the catalog before it is applied; a
refused value stays in the editor, in red, with netlab's reason under it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from netlab import catalog
from netlab.catalog.spec import Param
from netlab.errors import NetLabError
from netlab.graph.commands import Rename, SetParam
from ui import theme
from ui.document import Document
from ui.param_editors import make_editor, set_editor_value, with_error_line


class Inspector(QWidget):
    """Edits the name and parameters of the one selected node of a document.

    Signals:
        expand_requested(str): the node id of a composite the user wants expanded.
    """

    expand_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.document: Document | None = None
        self.node_id: str | None = None
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.title = QLabel("Select a layer to see and edit its parameters.")
        self.title.setWordWrap(True)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.form = QFormLayout()
        self.expand = QPushButton("Expand into its layers")
        self.expand.clicked.connect(self._on_expand_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        layout.addLayout(self.form)
        layout.addWidget(self.expand)
        layout.addStretch(1)
        self.show_node(None, None)

    def show_node(self, document: Document | None, node_id: str | None) -> None:
        """Shows the form of ``node_id`` (None: a hint)."""
        self.document, self.node_id = document, node_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors, self.errors = {}, {}
        node = document.graph.nodes.get(node_id) if document and node_id else None
        self.expand.setVisible(False)
        if node is None:
            self.title.setText("Select a layer to see and edit its parameters.")
            self.help.setText("")
            return
        spec = catalog.get(node.key)
        self.title.setText(f"<b>{node.name}</b> · {spec.display_name}")
        self.help.setText(spec.help)
        self.expand.setVisible(spec.composite)
        self._add_row("name", self._name_editor(node.name), "unique; also the Keras layer's name")
        for param in spec.params:
            editor = make_editor(param, node.params.get(param.name), self._apply)
            self._add_row(param.name, editor, param.help)
        self.reload()

    def reload(self) -> None:
        """Puts the node's current values into the editors (after undo, redo, edits)."""
        if self.document is None or self.node_id not in self.document.graph.nodes:
            if self.node_id is not None:
                self.show_node(None, None)
            return
        node = self.document.graph.nodes[self.node_id]
        values = {"name": node.name, **node.params}
        for name, editor in self.editors.items():
            if not self.errors[name].text():
                set_editor_value(editor, values.get(name))

    # Editors ------------------------------------------------------------------
    def _add_row(self, name: str, editor: QWidget, tip: str) -> None:
        editor.setToolTip(tip)
        editor.setObjectName(f"param_{name}")
        box, error = with_error_line(editor)
        self.form.addRow(name, box)
        self.editors[name], self.errors[name] = editor, error

    def _name_editor(self, name: str) -> QLineEdit:
        editor = QLineEdit(name)
        editor.editingFinished.connect(lambda: self._apply_name(editor.text()))
        return editor

    # Applying -----------------------------------------------------------------
    def _show_error(self, name: str, message: str) -> None:
        self.errors[name].setText(message)
        self.errors[name].setVisible(bool(message))
        self.editors[name].setStyleSheet(theme.error_style() if message else "")

    def _apply(self, param: Param, value: Any) -> None:
        if self.document is None or self.node_id is None:
            return
        try:
            value = param.check(value)
        except NetLabError as err:
            self._show_error(param.name, str(err))
            return
        refused = None
        if self.document.graph.nodes[self.node_id].params.get(param.name) != value:
            refused = self.document.execute(SetParam(self.node_id, param.name, value,
                                                     text=f"Set {param.name}"))  # fmt: skip
        self._show_error(param.name, refused or "")

    def _apply_name(self, name: str) -> None:
        if self.document is None or self.node_id is None:
            return
        node = self.document.graph.nodes[self.node_id]
        if name == node.name:
            self._show_error("name", "")
            return
        refused = self.document.execute(Rename(self.node_id, name))
        self._show_error("name", refused or "")
        if refused is None:
            self.title.setText(f"<b>{name}</b> · {catalog.get(node.key).display_name}")

    def _on_expand_clicked(self) -> None:
        if self.node_id is not None:
            self.expand_requested.emit(self.node_id)
