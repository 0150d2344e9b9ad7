"""The Runs tab: every run of the open project, the recent ones and the labs, side by side.

Rows come from :func:`netlab.project.compare.run_rows`; sorting by any column; the
selected runs' curves overlaid even when their networks differ; the diff of the
networks of two selected runs (:func:`netlab.graph.diff.diff_graphs`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netlab.catalog.flops import format_flops
from netlab.errors import NetLabError
from netlab.graph.diff import diff_graphs
from netlab.project import Project, load_project
from netlab.project.compare import RunRow, run_rows
from ui.tasks import run_task
from ui.theme import colour_plot

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
HEADINGS = ("project", "run", "network", "parameters", "FLOPs", "best", "metric", "s / epoch",
            "settings")  # fmt: skip


class _Number(QTableWidgetItem):
    """A cell that shows text and sorts by a number (unknown ones last)."""

    def __init__(self, text: str, value: float | None) -> None:
        super().__init__(text)
        self.value = value
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine = self.value if self.value is not None else float("inf")
        theirs = getattr(other, "value", None)
        return mine < (theirs if theirs is not None else float("inf"))


class RunsView(QWidget):
    """A sortable table of runs, their curves overlaid, and the diff of two networks.

    Args:
        sources: Returns the projects to list now, as ``(name, project)`` (the open
            document and the labs' projects).
        recent: Returns the paths of the recently opened files.
    """

    def __init__(self, sources: Callable[[], list[tuple[str, Project]]],
                 recent: Callable[[], list[str]]) -> None:  # fmt: skip
        super().__init__()
        self.sources, self.recent = sources, recent
        self.rows: list[RunRow] = []
        self._recent_rows: list[RunRow] = []
        self.table = QTableWidget()
        self.table.setObjectName("runsTable")
        self.table.setColumnCount(len(HEADINGS))
        self.table.setHorizontalHeaderLabels(list(HEADINGS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.recent_button = QPushButton("Add the recent projects")
        self.recent_button.clicked.connect(self.load_recent)
        self.diff_button = QPushButton("Diff the two selected networks")
        self.diff_button.clicked.connect(self.show_diff)
        self.note = QLabel("Select runs to overlay their curves; two to compare networks.")
        self.plots = {name: pg.PlotWidget(title=name) for name in ("loss", "val_accuracy")}
        for plot in self.plots.values():
            plot.setLabel("bottom", "epoch")
            plot.addLegend()
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setPlaceholderText("The diff of two selected runs' networks appears here.")
        buttons = QHBoxLayout()
        for widget in (self.refresh_button, self.recent_button, self.diff_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.note, 1)
        lower = QSplitter()
        for widget in (*self.plots.values(), self.diff):
            lower.addWidget(widget)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        column = QVBoxLayout(self)
        column.addLayout(buttons)
        column.addWidget(splitter, 1)

    def set_colours(self, background: str, foreground: str) -> None:
        """The plots' background and axes (the light or dark theme)."""
        for plot in self.plots.values():
            colour_plot(plot, background, foreground)

    # Rows ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Lists the runs of the open project, the labs and the recent projects added."""
        rows = [row for name, project in self.sources() for row in run_rows(project, name)]
        self._show(rows + self._recent_rows)

    def load_recent(self) -> None:
        """Reads the recent projects on a worker thread and adds their runs."""
        paths = list(self.recent())
        self.recent_button.setEnabled(False)
        self.note.setText(f"reading {len(paths)} recent projects…")

        def work() -> tuple[list[RunRow], list[str]]:
            rows, failed = [], []
            for path in paths:
                try:
                    rows += run_rows(load_project(path), Path(path).name)
                except NetLabError as err:
                    failed.append(str(err))
            return rows, failed

        def done(result: tuple[list[RunRow], list[str]]) -> None:
            self._recent_rows, failed = result
            self.recent_button.setEnabled(True)
            skipped = f"; {len(failed)} could not be read: {failed[0]}" if failed else ""
            self.note.setText(f"{len(self._recent_rows)} runs from recent projects{skipped}")
            self.refresh()

        run_task(self, "recent-runs", work, done, self._on_recent_failed)

    def _on_recent_failed(self, reason: str) -> None:
        self.recent_button.setEnabled(True)
        self.note.setText(f"The recent projects could not be read: {reason}")

    def _show(self, rows: list[RunRow]) -> None:
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            cells: list[QTableWidgetItem] = [
                QTableWidgetItem(row.source), QTableWidgetItem(f"{row.run.id} ({row.run.name})"),
                QTableWidgetItem(row.architecture),
                _Number(f"{row.parameters:,}", row.parameters),
                _Number(format_flops(row.flops), row.flops),
                _Number("-" if row.best is None else f"{row.best:.4g}", row.best),
                QTableWidgetItem(row.metric),
                _Number("-" if row.seconds_per_epoch is None else f"{row.seconds_per_epoch:.2f}",
                        row.seconds_per_epoch),
                QTableWidgetItem(row.settings),
            ]  # fmt: skip
            cells[0].setData(Qt.ItemDataRole.UserRole, i)
            for column, cell in enumerate(cells):
                self.table.setItem(i, column, cell)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._on_table_selection_changed()

    def selected(self) -> list[RunRow]:
        """The selected runs, in table order."""
        picked = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.rows[self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)] for r in picked]

    # Curves and diff ---------------------------------------------------------------
    def _on_table_selection_changed(self) -> None:
        chosen = self.selected()
        for plot in self.plots.values():
            plot.clear()
        for n, row in enumerate(chosen):
            pen = pg.mkPen(COLOURS[n % len(COLOURS)], width=2)
            for metric, plot in self.plots.items():
                values = [e.get(metric) for e in row.run.epochs]
                points = [(i + 1, v) for i, v in enumerate(values) if isinstance(v, float | int)]
                if points:
                    xs, ys = zip(*points, strict=True)
                    plot.plot(list(xs), list(ys), pen=pen, name=f"{row.source}: {row.run.id}")
        self.diff_button.setEnabled(len(chosen) == 2)

    def show_diff(self) -> None:
        """Shows what changed from the first selected run's network to the second's."""
        chosen = self.selected()
        if len(chosen) != 2:
            return
        first, second = chosen
        difference = diff_graphs(first.graph, second.graph)
        title = f"{first.source} {first.run.id} -> {second.source} {second.run.id}"
        self.diff.setPlainText("\n".join([title, difference.summary(), "", *difference.lines()]))


def lab_sources(result: Any, open_project: Project | None = None) -> list[tuple[str, Project]]:
    """A finished lab's projects, named ``lab: arm``, but the one open in the window (listed
    as the open project)."""
    if result is None:
        return []
    return [(f"{result.lab.name}: {a.arm.label}", a.project) for a in result.arms
            if a.project is not open_project]  # fmt: skip
