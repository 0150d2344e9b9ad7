"""The Labs tab: pick a lab, run it, watch its arms' curves overlaid, read the answer.

A lab (:mod:`netlab.labs`) trains its projects one after another on a worker thread
(:class:`netlab.labs.LabRun`); the training events come back to the GUI thread through
a signal and draw one curve per project. At the end the result table and the claims'
verdicts appear, and each project can be opened in the editor.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netlab import labs
from netlab.catalog.flops import format_flops
from netlab.labs.runner import ArmResult, LabResult, cell_text, claim_text, slug
from netlab.project import Project
from netlab.training.events import BatchEnded, EpochEnded
from ui.tasks import Task, run_task
from ui.theme import colour_plot

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


class _Bridge(QObject):
    """Carries a lab's events from its training thread to the GUI thread."""

    event = Signal(str, object)
    arm = Signal(object)


class LabsPanel(QWidget):
    """The list of labs, the chosen one's text, its live curves, table and verdicts.

    Signals:
        open_project(object, str): the user asked to open an arm's trained project.
        message(str): a line for the status bar.
    """

    open_project = Signal(object, str)
    message = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.lab: labs.Lab | None = None
        self.result: LabResult | None = None
        self.arms: list[ArmResult] = []
        self._run: labs.LabRun | None = None
        self._task: Task | None = None
        self._curves: dict[tuple[str, str], Any] = {}
        self._points: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
        self._bridge = _Bridge(self)
        self._bridge.event.connect(self._on_lab_event)
        self._bridge.arm.connect(self._on_lab_arm)
        self._build()
        self.list.setCurrentRow(0)

    # Layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setObjectName("labList")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        for lab in labs.LABS.values():
            item = QListWidgetItem(lab.title)
            item.setData(Qt.ItemDataRole.UserRole, lab.name)
            item.setToolTip(lab.question)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._on_list_changed)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.run_button = QPushButton("Run lab")
        self.run_button.clicked.connect(lambda: self.start())
        self.quick = QCheckBox("quick (fewer epochs: seconds, not minutes)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QLabel()
        buttons = QHBoxLayout()
        for widget in (self.run_button, self.quick, self.stop_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.progress, 1)
        self.plots = {name: pg.PlotWidget(title=name) for name in ("loss", "val_accuracy")}
        plots = QHBoxLayout()
        for name, plot in self.plots.items():
            plot.setLabel("bottom", "epoch")
            plot.addLegend(offset=(-10, 10) if name == "loss" else (-10, -10))
            plots.addWidget(plot)
        self.table = QTableWidget()
        self.table.setObjectName("labTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_arm(row))
        self.sizes = QTableWidget()  # a table computed without training, if the lab has one
        self.sizes.setObjectName("labSizes")
        self.sizes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sizes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sizes.hide()
        self.verdicts = QLabel()
        self.verdicts.setWordWrap(True)
        self.verdicts.setTextFormat(Qt.TextFormat.RichText)
        self.open_button = QPushButton("Open the selected project in the editor")
        self.open_button.clicked.connect(lambda: self.open_arm(self.table.currentRow()))
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.text)
        column.addLayout(buttons)
        column.addLayout(plots, 3)
        tables = QHBoxLayout()
        tables.addWidget(self.table, 3)
        tables.addWidget(self.sizes, 2)
        column.addLayout(tables, 2)
        column.addWidget(self.verdicts)
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 1000])
        QVBoxLayout(self).addWidget(splitter)

    def set_colours(self, background: str, foreground: str) -> None:
        """The plots' background and axes (the light or dark theme)."""
        for plot in self.plots.values():
            colour_plot(plot, background, foreground)

    # Choosing and running ------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether a lab is training."""
        return self._task is not None and self._task.running

    def choose(self, name: str) -> None:
        """Shows the lab called ``name`` (not while one runs)."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def _on_list_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None or self.running:
            return
        self.lab = labs.get(item.data(Qt.ItemDataRole.UserRole))
        lab = self.lab
        arms = ", ".join(a.label for a in lab.arms)
        self.text.setText(f"<h3>{lab.title}</h3><p>{lab.question}</p>"
                          f"<p><b>It trains:</b> {arms}.</p><p><b>Look at:</b> {lab.look_at}</p>")
        self._clear()

    def _clear(self) -> None:
        self.result, self.arms = None, []
        for plot in self.plots.values():
            plot.clear()
        self._curves.clear()
        self._points.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.sizes.clear()
        self.sizes.hide()
        self.verdicts.setText("")
        self.progress.setText("")
        self.open_button.setEnabled(False)

    def start(self, quick: bool | None = None) -> None:
        """Runs the chosen lab (quick mode as the checkbox says, or ``quick``)."""
        if self.lab is None or self.running:
            return
        self._clear()
        quick = self.quick.isChecked() if quick is None else quick
        run = labs.LabRun(self.lab, quick, on_event=self._bridge.event.emit,
                          on_arm=self._bridge.arm.emit)  # fmt: skip
        self._run = run
        self.run_button.setEnabled(False)
        self.list.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setText(f"training {self.lab.arms_to_run(quick)[0].label}…")
        self._task = run_task(self, "lab", run.run, self._on_lab_done, self._on_lab_failed)

    def stop(self) -> None:
        """Stops the arm training now and skips the rest; the finished arms stay."""
        if self._run is not None:
            self._run.stop()
            self.progress.setText("stopping…")

    def wait(self) -> None:
        """Blocks until a stopped lab has ended (the window closing)."""
        if self._task is not None:
            self._task.wait()

    # Events from the training thread ---------------------------------------------------
    def _on_lab_event(self, label: str, event: Any) -> None:
        if isinstance(event, BatchEnded) and event.batch % 20 == 0:
            self.progress.setText(f"{label}: epoch {event.epoch + 1}, loss {event.loss:.4g}")
        if not isinstance(event, EpochEnded):
            return
        for metric, plot in self.plots.items():
            value = event.metrics.get(metric)
            if value is None or not math.isfinite(value):
                continue
            key = (label, metric)
            if key not in self._curves:
                labels = list(dict.fromkeys([*(k[0] for k in self._curves), label]))
                colour = COLOURS[labels.index(label) % len(COLOURS)]
                self._curves[key] = plot.plot(pen=pg.mkPen(colour, width=2), name=label)
                self._points[key] = ([], [])
            xs, ys = self._points[key]
            xs.append(event.epoch + 1)
            ys.append(value)
            self._curves[key].setData(xs, ys)

    def _on_lab_arm(self, done: ArmResult) -> None:
        self.arms.append(done)
        self.progress.setText(f"{done.arm.label}: {done.row['status']}")

    def _on_lab_done(self, result: LabResult) -> None:
        self.result = result
        self._ended()
        self._show_result(result)
        verdicts = [held for _, held in result.verdicts()]
        state = "stopped" if result.stopped else f"done in {result.seconds:.0f} s"
        self.progress.setText(state)
        self.message.emit(f"Lab {result.lab.name} {state}: {verdicts.count(True)} of "
                          f"{len(verdicts)} claims held")  # fmt: skip

    def _on_lab_failed(self, reason: str) -> None:
        self._ended()
        self.progress.setText(f"failed: {reason}")
        self.message.emit(f"The lab failed: {reason}")

    def _ended(self) -> None:
        self._run = None
        self.run_button.setEnabled(True)
        self.list.setEnabled(True)
        self.stop_button.setEnabled(False)

    # The result ---------------------------------------------------------------------
    def _show_result(self, result: LabResult) -> None:
        columns = result.columns()
        self.table.setColumnCount(len(columns) + 1)
        self.table.setHorizontalHeaderLabels(["project", *(h for _, h in columns)])
        self.table.setRowCount(len(result.arms))
        for row, arm in enumerate(result.arms):
            self.table.setItem(row, 0, QTableWidgetItem(arm.arm.label))
            for column, (key, _) in enumerate(columns, start=1):
                value = arm.row.get(key)
                text = format_flops(value) if key == "flops" else cell_text(value)
                item = QTableWidgetItem(text)
                if key != "architecture":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                self.table.setItem(row, column, item)
        self._show_table(result.table)
        marks = {True: ("✔", "held"), False: ("✘", "did not hold"), None: ("–", "not measured")}
        lines = [f"{marks[held][0]} {claim_text(claim)} <i>({marks[held][1]})</i>"
                 for claim, held in result.verdicts()]  # fmt: skip
        self.verdicts.setText("<br>".join(lines) + f"<p>{result.lab.reading}</p>")
        self.open_button.setEnabled(bool(result.arms))
        if result.arms:
            self.table.selectRow(0)

    def _show_table(self, rows: list[dict[str, Any]]) -> None:
        self.sizes.setVisible(bool(rows))
        if not rows:
            return
        keys = list(rows[0])
        self.sizes.setColumnCount(len(keys))
        self.sizes.setHorizontalHeaderLabels(keys)
        self.sizes.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, key in enumerate(keys):
                item = QTableWidgetItem(cell_text(row[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.sizes.setItem(r, c, item)

    def open_arm(self, row: int) -> None:
        """Asks to open the project of the table's row ``row`` in the editor."""
        if self.result is None or not 0 <= row < len(self.result.arms):
            return
        arm = self.result.arms[row]
        project: Project = arm.project
        self.open_project.emit(project, f"{self.result.lab.name}-{slug(arm.arm.label)} (lab)")
