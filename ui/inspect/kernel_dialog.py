"""The dialog in which a convolution's kernel is typed in (Inspect > Feature maps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from netlab.errors import InspectError
from ui import theme

if TYPE_CHECKING:
    from ui.inspect.features_view import FeaturesView


class KernelDialog(QDialog):
    """Types one output channel's kernel (rows of numbers) and bias; refusals stay in it."""

    def __init__(self, view: FeaturesView, layer: str, channel: int, input_channel: int,
                 kernel: str, bias: str) -> None:  # fmt: skip
        super().__init__(view)
        self.view = view
        self.setWindowTitle(f"Kernel of {layer}")
        self.kernel_edit = QPlainTextEdit(kernel)
        self.bias_edit = QLineEdit(bias)
        self.bias_edit.setEnabled(bool(bias))
        self.bias_edit.setPlaceholderText("no bias (use_bias is off)")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(theme.error_style())
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Output channel {channel}, input channel {input_channel}: "
                                "one row per line, numbers apart (1 2 1)."))  # fmt: skip
        layout.addWidget(self.kernel_edit)
        layout.addWidget(QLabel("Bias"))
        layout.addWidget(self.bias_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def apply(self) -> None:
        """Sets the kernel, or shows why not and stays open."""
        try:
            self.view.set_kernel(self.kernel_edit.toPlainText(), self.bias_edit.text())
        except InspectError as err:
            self.error_label.setText(str(err))
            return
        self.accept()
