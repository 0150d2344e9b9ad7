"""Light and dark colours for the canvas and a Qt palette for the widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

LIGHT_CATEGORIES = {
    "Input / output": "#dfe9f7", "Core": "#e8f4e4", "Convolution": "#fbe9d7",
    "Attention": "#efe3f6", "Embedding": "#f7f1d9", "Pooling": "#e3f2f2",
    "Normalisation": "#f2e4e4", "Merging": "#e6eaf0", "Reshaping": "#eeeeea",
    "Regularisation": "#f3efe6", "Activations": "#eef6dc", "Recurrent": "#dcebf5",
    "Augmentation": "#f6e6ef", "Keras": "#e4e4e4",
}  # fmt: skip
DARK_CATEGORIES = {
    "Input / output": "#2b3d55", "Core": "#2f4a2c", "Convolution": "#56402a",
    "Attention": "#47345a", "Embedding": "#524a2a", "Pooling": "#2a4a4a",
    "Normalisation": "#543636", "Merging": "#363d48", "Reshaping": "#3f3f3a",
    "Regularisation": "#4a4536", "Activations": "#3c4a26", "Recurrent": "#27445a",
    "Augmentation": "#55344a", "Keras": "#404040",
}  # fmt: skip


@dataclass(frozen=True)
class Colours:
    """The canvas colours of one theme."""

    name: str
    background: str
    grid: str
    node_text: str
    node_border: str
    edge: str
    port: str
    accent: str
    problem: str
    other_category: str
    good: str
    categories: dict[str, str] = field(default_factory=dict)

    def category(self, name: str) -> str:
        """Fill colour of a node of the given palette category."""
        return self.categories.get(name, self.other_category)


THEMES = {
    "light": Colours("light", "#ffffff", "#eef1f4", "#102027", "#37474f", "#546e7a", "#ffffff",
                     "#1565c0", "#c62828", "#ececec", "#2e7d32", LIGHT_CATEGORIES),
    "dark": Colours("dark", "#1e2226", "#262b30", "#eceff1", "#90a4ae", "#90a4ae", "#37474f",
                    "#64b5f6", "#ef5350", "#3a3f44", "#81c784", DARK_CATEGORIES),
}  # fmt: skip
_current = ["light"]


def current() -> Colours:
    """The colours in use."""
    return THEMES[_current[0]]


def error_style() -> str:
    """Style sheet of a line that says what is wrong."""
    return f"color: {current().problem};"


def good_style() -> str:
    """Style sheet of a line that says all is well."""
    return f"color: {current().good};"


_DARK_ROLES = {
    QPalette.ColorRole.Window: "#2b3035", QPalette.ColorRole.WindowText: "#eceff1",
    QPalette.ColorRole.Base: "#1e2226", QPalette.ColorRole.AlternateBase: "#2b3035",
    QPalette.ColorRole.Text: "#eceff1", QPalette.ColorRole.Button: "#353b41",
    QPalette.ColorRole.ButtonText: "#eceff1", QPalette.ColorRole.Highlight: "#1e88e5",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353b41",
    QPalette.ColorRole.ToolTipText: "#eceff1", QPalette.ColorRole.PlaceholderText: "#90a4ae",
    QPalette.ColorRole.Link: "#64b5f6", QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Light: "#4a5157", QPalette.ColorRole.Midlight: "#3e454b",
    QPalette.ColorRole.Mid: "#2a2f34", QPalette.ColorRole.Dark: "#1a1d20",
    QPalette.ColorRole.Shadow: "#101214",
}  # fmt: skip
_DARK_DISABLED = {  # greyed out, so a disabled button does not look like one to press
    QPalette.ColorRole.WindowText: "#6f7a82", QPalette.ColorRole.Text: "#6f7a82",
    QPalette.ColorRole.ButtonText: "#6f7a82", QPalette.ColorRole.Button: "#2b3035",
    QPalette.ColorRole.Base: "#24282c", QPalette.ColorRole.HighlightedText: "#9aa5ad",
}  # fmt: skip


def apply(name: str) -> None:
    """Switches the canvas colours and the application's widget palette to ``name``.

    The widgets use Qt's Fusion style, which follows the palette everywhere (the
    menu bar too), so both themes look the same on every desktop.
    """
    if name not in THEMES:
        name = "light"
    _current[0] = name
    app = QApplication.instance()
    if app is None:
        return
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    if name == "light":
        app.setPalette(app.style().standardPalette())
        return
    palette = QPalette()
    for role, colour in _DARK_ROLES.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    app.setPalette(palette)


def colour_plot(plot: Any, background: str, foreground: str) -> None:
    """A pyqtgraph ``PlotWidget`` in the theme's colours: background, axes and title."""
    plot.setBackground(background)
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        item.getAxis(name).setPen(foreground)
        item.getAxis(name).setTextPen(foreground)
    item.titleLabel.setText(item.titleLabel.text, color=foreground)
