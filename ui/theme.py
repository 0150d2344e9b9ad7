"""Light and dark colours for the canvas and a Qt palette for the widgets."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

LIGHT_CATEGORIES = {
    "Input / output": "#dfe9f7", "Core": "#e8f4e4", "Convolution": "#fbe9d7",
    "Attention": "#efe3f6", "Embedding": "#f7f1d9", "Pooling": "#e3f2f2",
    "Normalisation": "#f2e4e4",
}  # fmt: skip
DARK_CATEGORIES = {
    "Input / output": "#2b3d55", "Core": "#2f4a2c", "Convolution": "#56402a",
    "Attention": "#47345a", "Embedding": "#524a2a", "Pooling": "#2a4a4a",
    "Normalisation": "#543636",
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
    categories: dict[str, str] = field(default_factory=dict)

    def category(self, name: str) -> str:
        """Fill colour of a node of the given palette category."""
        return self.categories.get(name, self.other_category)


THEMES = {
    "light": Colours("light", "#ffffff", "#eef1f4", "#102027", "#37474f", "#546e7a", "#ffffff",
                     "#1565c0", "#c62828", "#ececec", LIGHT_CATEGORIES),
    "dark": Colours("dark", "#1e2226", "#262b30", "#eceff1", "#90a4ae", "#90a4ae", "#37474f",
                    "#64b5f6", "#ef5350", "#3a3f44", DARK_CATEGORIES),
}  # fmt: skip
_current = ["light"]


def current() -> Colours:
    """The colours in use."""
    return THEMES[_current[0]]


def apply(name: str) -> None:
    """Switches the canvas colours and the application's widget palette to ``name``."""
    if name not in THEMES:
        name = "light"
    _current[0] = name
    app = QApplication.instance()
    if app is None:
        return
    if name == "light":
        app.setPalette(app.style().standardPalette())
        return
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b3035", QPalette.ColorRole.WindowText: "#eceff1",
        QPalette.ColorRole.Base: "#1e2226", QPalette.ColorRole.AlternateBase: "#2b3035",
        QPalette.ColorRole.Text: "#eceff1", QPalette.ColorRole.Button: "#353b41",
        QPalette.ColorRole.ButtonText: "#eceff1", QPalette.ColorRole.Highlight: "#1e88e5",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353b41",
        QPalette.ColorRole.ToolTipText: "#eceff1", QPalette.ColorRole.PlaceholderText: "#90a4ae",
    }  # fmt: skip
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
