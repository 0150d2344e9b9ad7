"""Help > Layer reference: every catalog entry with its help, inputs and parameters."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from netlab import catalog


def reference_html() -> str:
    """The layer reference as HTML, generated from the catalog."""
    parts = ["<h1>Layer reference</h1>"]
    for category, specs in catalog.categories().items():
        parts.append(f"<h2>{html.escape(category)}</h2>")
        for spec in specs:
            parts.append(f"<h3>{html.escape(spec.display_name)} <small>({spec.key})</small></h3>")
            parts.append(f"<p>{html.escape(spec.help)}</p>")
            if spec.inputs:
                many = " (two or more)" if spec.variadic else ""
                parts.append(f"<p><i>Inputs:</i> {html.escape(', '.join(spec.inputs))}{many}</p>")
            if spec.params:
                rows = "".join(
                    f"<tr><td><code>{p.name}</code></td><td>{html.escape(repr(p.default))}</td>"
                    f"<td>{html.escape(p.help)}</td></tr>"
                    for p in spec.params
                )
                parts.append(f"<table border='1' cellpadding='3'><tr><th>parameter</th>"
                             f"<th>default</th><th>meaning</th></tr>{rows}</table>")  # fmt: skip
    return "\n".join(parts)


class LayerReference(QDialog):
    """A browsable window with the reference."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("NetLab layer reference")
        self.resize(720, 760)
        self.text = QTextBrowser()
        self.text.setHtml(reference_html())
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
