"""Exports of the Training tab: the plots as PNG, the runs' history as CSV."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from netlab.errors import NetLabError
from netlab.training.history import write_history_csv
from ui import dialogs


def export_plots(parent: QWidget, plots: Any, path: str = "") -> str:
    """Writes ``plots`` as a PNG image; the line to show, or "" if nothing was written."""
    path = path or dialogs.save_path(parent, "Export plots", "PNG images (*.png)", "curves.png")
    if not path:
        return ""
    if not plots.view.grab().save(path, "PNG"):
        dialogs.error(parent, "Cannot export", f"{path}: cannot write the image")
        return ""
    return f"Saved the plots to {path}"


def export_history(parent: QWidget, runs: list[Any], path: str = "") -> str:
    """Writes the runs' per-epoch history as CSV; the line to show, or "" if nothing was."""
    path = path or dialogs.save_path(parent, "Export history", "CSV files (*.csv)",
                                     "history.csv")  # fmt: skip
    if not path:
        return ""
    try:
        write_history_csv(path, runs)
    except NetLabError as err:
        dialogs.error(parent, "Cannot export", str(err))
        return ""
    return f"Saved the history to {path}"
