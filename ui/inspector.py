"""The property inspector: a form generated from the catalog's parameter specs.

Each parameter kind gets its editor (spin box, combo box, check box, text for
shapes and pairs). A value is checked by the catalog before it is applied; a
refused value stays in the editor, in red, with netlab's reason under it.

A generic Keras layer shows each plain value of its Keras configuration as a
typed field and the whole configuration as JSON; Keras checks an edit when the
analysis rebuilds the layer, and its refusal shows under the JSON.
"""


from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netlab import catalog
from netlab.catalog import keras_layer, subnetwork
from netlab.catalog.spec import Param
from netlab.errors import NetLabError
from netlab.graph.commands import Rename, SetParam, SetTrainable
from netlab.inspect.arithmetic import shape_arithmetic
from ui import theme
from ui.document import Document
from ui.param_editors import make_editor, set_editor_value, with_error_line

CONFIG = "config."  # editor names of a generic layer's configuration values
LAYER_JSON = "layer"  # the editor of its whole configuration
KERNEL_KEYS = ("Conv2D",)  # the layers whose kernel can be typed in by hand


class Inspector(QWidget):
    """Edits the name and parameters of the one selected node of a document.

    Signals:
        expand_requested(str): the node id of a composite the user wants expanded.
        kernel_requested(str): the name of a convolution whose kernel the user wants to
            type (in Inspect > Feature maps).
    """

    expand_requested = Signal(str)
    #: The user wants to type a convolution's kernel: the node's name.
    kernel_requested = Signal(str)

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
        self.arithmetic = QLabel()
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setObjectName("shapeArithmetic")
        self.arithmetic.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.kernel = QPushButton("Set its kernel by hand…")
        self.kernel.setToolTip("type the kernel in Inspect > Feature maps, as the lecture does")
        self.kernel.clicked.connect(self._on_kernel_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        layout.addLayout(self.form)
        layout.addWidget(self.arithmetic)
        layout.addWidget(self.kernel)
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
        self.kernel.setVisible(node is not None and node.key in KERNEL_KEYS)
        self.arithmetic.clear()
        if node is None:
            self.title.setText("Select a layer to see and edit its parameters.")
            self.help.setText("")
            return
        spec = catalog.get(node.key)
        self.title.setText(f"<b>{node.name}</b> · {spec.display_name}")
        self.help.setText(spec.help)
        self.expand.setVisible(spec.composite)
        self._add_row("name", self._name_editor(node.name), "unique; also the Keras layer's name")
        if node.key not in ("Input", "Output"):
            switch = QCheckBox("train its weights")
            switch.toggled.connect(self._apply_trainable)
            self._add_row("trainable", switch, "off: frozen, training leaves its weights as they "
                          "are (fine-tuning); Edit > Freeze does it for a selection")  # fmt: skip
        if node.key == keras_layer.KEY:
            self._add_keras_rows(node.params["layer"])
        elif node.key == subnetwork.KEY:
            count = len(node.params["network"]["layers"])
            self.form.addRow("layers", QLabel(f"{count} (Expand shows and edits them)"))
        else:
            for param in spec.params:
                editor = make_editor(param, node.params.get(param.name), self._apply)
                self._add_row(param.name, editor, param.help)
        self.reload()

    def _add_keras_rows(self, layer: dict[str, Any]) -> None:
        self.title.setText(f"{self.title.text()} · Keras class {layer.get('class_name', '?')} "
                           f"({layer.get('module') or 'unknown module'})")
        for key, value in layer.get("config", {}).items():
            param = _config_param(key, value)
            if param is not None:
                editor = make_editor(param, value, self._apply_config)
                self._add_row(CONFIG + key, editor, f"{key} of the Keras layer's configuration")
        text = QPlainTextEdit()
        text.setMinimumHeight(140)
        self._add_row(LAYER_JSON, text, "the layer's class and whole Keras configuration, as "
                      "JSON; Keras checks it by rebuilding the layer")  # fmt: skip
        apply = QPushButton("Apply configuration")
        apply.setObjectName("apply_layer_json")
        apply.clicked.connect(lambda: self._apply_json(text.toPlainText()))
        self.form.addRow("", apply)

    def reload(self) -> None:
        """Puts the node's current values into the editors (after undo, redo, edits)."""
        if self.document is None or self.node_id not in self.document.graph.nodes:
            if self.node_id is not None:
                self.show_node(None, None)
            return
        node = self.document.graph.nodes[self.node_id]
        self._show_arithmetic()
        values = {"name": node.name, "trainable": node.trainable, **node.params}
        if node.key == keras_layer.KEY:
            layer = node.params["layer"]
            values.update({CONFIG + k: v for k, v in layer.get("config", {}).items()})
            problems = [p.message for p in self.document.analysis.problems
                        if p.node_id == self.node_id and p.severity == "error"]  # fmt: skip
            if LAYER_JSON in self.editors:
                self._show_error(LAYER_JSON, problems[0] if problems else "")
        for name, editor in self.editors.items():
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(json.dumps(values.get(name), indent=1))
            elif not self.errors[name].text():
                set_editor_value(editor, values.get(name))

    def _show_arithmetic(self) -> None:
        """The output-size formula of a convolution or pooling, with its own numbers."""
        found = shape_arithmetic(self.document.graph, self.document.analysis, self.node_id)
        if found is None:
            self.arithmetic.clear()
            return
        formulas = "<br>".join(a.formula() for a in found.axes)
        ideas = "".join(f"<br>· {s}" for s in found.suggestions)
        style = "" if found.fits else f" style='{theme.error_style()}'"
        self.arithmetic.setText(f"<b>Output size</b><br><span{style}>{formulas}</span>{ideas}")

    def _on_kernel_clicked(self) -> None:
        node = self.document.graph.nodes.get(self.node_id) if self.document else None
        if node is not None:
            self.kernel_requested.emit(node.name)

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
        if not isinstance(self.editors[name], QPlainTextEdit):  # JSON stays readable
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

    def _apply_trainable(self, trainable: bool) -> None:
        if self.document is None or self.node_id is None:
            return
        if self.document.graph.nodes[self.node_id].trainable != trainable:
            verb = "Unfreeze" if trainable else "Freeze"
            name = self.document.graph.nodes[self.node_id].name
            self.document.execute(SetTrainable([self.node_id], trainable, text=f"{verb} {name}"))

    def _apply_config(self, param: Param, value: Any) -> None:
        """One typed field of a generic layer: its configuration with that value changed."""
        if self.document is None or self.node_id is None:
            return
        name = CONFIG + param.name
        try:
            value = param.check(value)
        except NetLabError as err:
            self._show_error(name, str(err))
            return
        layer = json.loads(json.dumps(self.document.graph.nodes[self.node_id].params["layer"]))
        if isinstance(value, tuple):
            value = list(value)
        if layer["config"].get(param.name) == value:
            self._show_error(name, "")
            return
        layer["config"][param.name] = value
        refused = self.document.execute(SetParam(self.node_id, "layer", layer,
                                                 text=f"Set {param.name}"))  # fmt: skip
        self._show_error(name, refused or "")

    def _apply_json(self, text: str) -> None:
        if self.document is None or self.node_id is None:
            return
        try:
            layer = json.loads(text)
        except ValueError as err:
            self._show_error(LAYER_JSON, f"not JSON: {err}")
            return
        param = catalog.get(keras_layer.KEY).params[0]
        try:
            layer = param.check(layer)
        except NetLabError as err:
            self._show_error(LAYER_JSON, str(err))
            return
        if layer == self.document.graph.nodes[self.node_id].params["layer"]:
            return
        refused = self.document.execute(SetParam(self.node_id, "layer", layer,
                                                 text="Set the Keras configuration"))  # fmt: skip
        self._show_error(LAYER_JSON, refused or "")
        if refused is None:
            self.show_node(self.document, self.node_id)  # its typed fields may have changed

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


def _config_param(key: str, value: Any) -> Param | None:
    """A typed field for a plain value of a Keras configuration (None: JSON only)."""
    if key in ("name", "trainable"):
        return None  # the node's own name and switch
    if isinstance(value, bool):
        return Param(key, "bool", value, key)
    if isinstance(value, int):
        return Param(key, "int", value, key)
    if isinstance(value, float):
        return Param(key, "optional_float", value, key)
    if isinstance(value, str):
        return Param(key, "str", value, key)
    if isinstance(value, list) and value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):  # fmt: skip
        return Param(key, "int_list", tuple(value), key)
    return None
