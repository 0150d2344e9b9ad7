"""The Sweeps tab: search training settings and layer parameters, compare the trials.

What varies is written one line each, as ``netlab sweep --param`` takes it
(``learning_rate=1e-4:1e-1:log``, ``units@dense=16,32,64``); "Add" offers the
project's settings and layer parameters with a starting range. The search runs
in :class:`netlab.sweep.SweepRunner` on a worker thread; its trials train in
worker processes. Each trial that ends comes back to the GUI thread, where the
document records it (its run appears on the Training tab). The table sorts by
any column; the parallel-coordinates plot draws each trial as a line across the
dimensions and the objective; "Apply trial" writes the selected trial's values
into the project as one undo step.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netlab import catalog
from netlab import sweep as sweeps
from netlab.errors import NetLabError
from netlab.project import Project
from ui.document import Document
from ui.tasks import run_task
from ui.theme import colour_plot
from ui.training.runner import pool

STRATEGY_LABELS = {"tpe": "Bayesian (TPE)", "random": "Random", "grid": "Grid"}
_NUMERIC = ("int", "float")


def suggestions(project: Project) -> list[str]:
    """Lines "Add" offers: the usual settings, then each layer's numeric parameters."""
    lines = ["learning_rate=1e-4:1e-1:log", "batch_size=16,32,64,128", "optimizer=adam,sgd",
             "weight_decay=1e-5:1e-2:log", "epochs=5:20"]  # fmt: skip
    for node in project.graph.nodes.values():
        for param in catalog.get(node.key).params:
            if param.kind not in _NUMERIC:
                continue
            value = node.params.get(param.name, param.default)
            if param.kind == "int" and isinstance(value, int) and value > 1:
                values = sorted({max(1, value // 2), value, value * 2})
                lines.append(f"{param.name}@{node.name}=" + ",".join(map(str, values)))
            elif param.kind == "float" and param.maximum is not None:
                lines.append(f"{param.name}@{node.name}={param.minimum or 0:g}:"
                             f"{min(param.maximum, 0.5):g}")  # fmt: skip
    return lines


class SweepPanel(QWidget):
    """Runs sweeps of the open document and shows their trials.

    Signals:
        message(str): one line for the status bar.
        show_runs(object): the run ids whose curves the Training tab should show.
        ended(): a sweep ended (whoever waits for it may go on).
    """

    message = Signal(str)
    show_runs = Signal(object)
    ended = Signal()
    _trial_ended = Signal(object, object, object)  # sweep, trial, record: from the runner thread

    def __init__(self) -> None:
        super().__init__()
        self.document: Document | None = None
        self.runner: sweeps.SweepRunner | None = None
        self.running_sweep: sweeps.Sweep | None = None  # the document's copy
        self.task: Any = None
        self.dimensions = QPlainTextEdit()
        self.dimensions.setObjectName("sweepDimensions")
        self.dimensions.setPlaceholderText("learning_rate=1e-4:1e-1:log\nunits@dense=16,32,64")
        self.dimensions.setMaximumHeight(110)
        self.add_choice = QComboBox()
        self.add_button = QPushButton("Add")
        self.strategy = QComboBox()
        for key, label in STRATEGY_LABELS.items():
            self.strategy.addItem(label, key)
        self.trials = QSpinBox()
        self.trials.setRange(1, 1000)
        self.trials.setValue(10)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 10_000)
        self.minutes.setSpecialValueText("no limit")
        self.minutes.setSuffix(" min")
        self.jobs = QSpinBox()
        self.jobs.setRange(1, 16)
        self.jobs.setToolTip("trials trained side by side (each in a process of its own)")
        self.objective = QComboBox()
        self.objective.setEditable(True)
        self.objective.addItems(["val_loss", "val_accuracy", "loss", "accuracy"])
        self.prune = QCheckBox("Stop trials behind the earlier ones (pruning)")
        self.prune.setChecked(True)
        self.baseline = QCheckBox("First trial: the project's own values")
        self.baseline.setChecked(True)
        self.start_button = QPushButton("Start sweep")
        self.stop_button = QPushButton("Stop")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("sweepError")
        self.status = QLabel("No sweep yet.")
        self.status.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("sweepTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.sweep_choice = QComboBox()
        self.apply_button = QPushButton("Apply trial to the project")
        self.curves_button = QPushButton("Show their curves on the Training tab")
        self.coordinates = pg.PlotWidget()
        self.coordinates.setMinimumHeight(160)
        self.coordinates.setMenuEnabled(False)
        self.coordinates.setTitle("Each trial a line across its values and its score: "
                                  "yellow the best, purple the worst")  # fmt: skip
        self._layout()
        self._connect()
        self._set_running(False)

    def _layout(self) -> None:
        form = QFormLayout()
        add = QHBoxLayout()
        add.addWidget(self.add_choice, 1)
        add.addWidget(self.add_button)
        intro = QLabel("What varies, one per line: NAME=LOW:HIGH, NAME=LOW:HIGH:log or "
                       "NAME=A,B,C; a layer's parameter is PARAM@LAYER.")  # fmt: skip
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow(self.dimensions)
        form.addRow(add)
        form.addRow(self.error)
        form.addRow("strategy", self.strategy)
        form.addRow("trials at most", self.trials)
        form.addRow("time at most", self.minutes)
        form.addRow("side by side", self.jobs)
        form.addRow("optimise", self.objective)
        form.addRow(self.prune)
        form.addRow(self.baseline)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        form.addRow(self.status)
        setup = QGroupBox("New sweep")
        outer = QVBoxLayout(setup)
        outer.addLayout(form)
        outer.addStretch(1)
        setup.setMinimumWidth(340)
        results = QWidget()
        column = QVBoxLayout(results)
        top = QHBoxLayout()
        top.addWidget(QLabel("Sweep"))
        top.addWidget(self.sweep_choice, 1)
        column.addLayout(top)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.coordinates)
        split.setSizes([400, 220])
        column.addWidget(split, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.apply_button)
        actions.addWidget(self.curves_button)
        column.addLayout(actions)
        splitter = QSplitter()
        splitter.addWidget(setup)
        splitter.addWidget(results)
        splitter.setSizes([380, 1000])
        splitter.setCollapsible(0, False)
        QVBoxLayout(self).addWidget(splitter)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self._add_line)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.apply_button.clicked.connect(self.apply_selected)
        self.curves_button.clicked.connect(self._show_selected_curves)
        self.sweep_choice.activated.connect(lambda _i: self.show_sweep(self.shown()))
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._trial_ended.connect(self._on_trial_ended)

    def set_colours(self, background: str, foreground: str) -> None:
        """The plot's background and axes (the light or dark theme)."""
        colour_plot(self.coordinates, background, foreground)

    # The document -------------------------------------------------------------
    def show_document(self, document: Document) -> None:
        """Shows ``document``'s sweeps; a sweep still running keeps running for its own."""
        self.document = document
        self.add_choice.clear()
        self.add_choice.addItems(suggestions(document.project))
        objective, _ = sweeps.default_objective(document.project.training)
        self.objective.setCurrentText(objective)
        document.sweeps_changed.connect(self._refresh_sweeps)
        self._refresh_sweeps()
        self._set_running(self.runner is not None)

    def _refresh_sweeps(self) -> None:
        current = self.sweep_choice.currentData()
        self.sweep_choice.clear()
        for sweep in self.document.project.sweeps if self.document else []:
            self.sweep_choice.addItem(f"{sweep.id}: {len(sweep.trials)} trials, "
                                      f"{sweep.strategy}", sweep.id)  # fmt: skip
        if self.sweep_choice.count():
            index = self.sweep_choice.findData(current)
            last = self.sweep_choice.count() - 1
            self.sweep_choice.setCurrentIndex(index if index >= 0 else last)
        self.show_sweep(self.shown())

    def shown(self) -> sweeps.Sweep | None:
        """The sweep the table shows."""
        if self.document is None:
            return None
        wanted = self.sweep_choice.currentData()
        return next((s for s in self.document.project.sweeps if s.id == wanted), None)

    def _add_line(self) -> None:
        line = self.add_choice.currentText()
        text = self.dimensions.toPlainText().rstrip()
        self.dimensions.setPlainText(f"{text}\n{line}" if text else line)

    # Running ------------------------------------------------------------------
    def parse(self) -> sweeps.Sweep:
        """The sweep the form describes (not started).

        Raises:
            NetLabError: The first line or choice that is wrong, named.
        """
        assert self.document is not None
        graph = self.document.graph
        lines = [line.strip() for line in self.dimensions.toPlainText().splitlines()
                 if line.strip()]  # fmt: skip
        if not lines:
            raise NetLabError("write at least one line of what varies (or pick one and Add)")
        dimensions = []
        for number, line in enumerate(lines, 1):
            try:
                dimensions.append(sweeps.parse_dimension(line, graph))
            except NetLabError as err:
                raise NetLabError(f"line {number}: {err}") from None
        keys = [d.key for d in dimensions]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise NetLabError(f"{twice[0]} is given twice")
        objective = self.objective.currentText().strip() or "val_loss"
        minutes = self.minutes.value()
        return sweeps.Sweep(sweeps.next_sweep_id(self.document.project), dimensions,
                            self.strategy.currentData(), self.trials.value(),
                            minutes * 60.0 if minutes else None, objective,
                            sweeps.direction_of(objective), 0, self.prune.isChecked(),
                            self.jobs.value(), self.baseline.isChecked())  # fmt: skip

    def start(self) -> bool:
        """Starts the sweep the form describes; False (and the reason shown) if it cannot."""
        if self.document is None or self.runner is not None:
            return False
        try:
            if not self.document.analysis.valid:
                first = self.document.analysis.errors[0].describe(self.document.graph)
                raise NetLabError(f"the network has problems: {first}")
            sweep = self.parse()
            # The runner works on its own copies: the user may edit meanwhile.
            project = Project(self.document.graph.copy(), training=dict(
                self.document.project.training), runs=list(self.document.project.runs))
            working = copy.deepcopy(sweep)
            document = self.document
            runner = sweeps.SweepRunner(
                project, working, pool(), keep=False,
                on_trial=lambda trial, record: self._trial_ended.emit(
                    (document, sweep), copy.deepcopy(trial), record))
        except NetLabError as err:
            self.error.setText(str(err))
            self.error.setVisible(True)
            return False
        self.error.setVisible(False)
        self.runner, self.running_sweep = runner, sweep
        sweep.started = sweeps.timestamp()
        document.add_sweep(sweep)
        self.status.setText(f"{sweep.id}: running (up to {sweep.trials_budget} trials, "
                            f"{sweep.jobs} at a time)…")  # fmt: skip
        self._set_running(True)
        self.task = run_task(self, "sweep", runner.run, self._on_sweep_done,
                             self._on_sweep_failed)  # fmt: skip
        return True

    def stop(self) -> None:
        """Asks for no more trials and stops the running ones (their epochs are kept)."""
        if self.runner is not None:
            self.runner.stop()
            self.status.setText("Stopping the running trials…")
            self.stop_button.setEnabled(False)

    @property
    def running(self) -> bool:
        """Whether a sweep is on."""
        return self.runner is not None

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _on_trial_ended(self, owner: Any, trial: sweeps.Trial, record: Any) -> None:
        document, sweep = owner
        document.add_trial(sweep, trial, record)
        if sweep is self.running_sweep:
            done = len(sweep.trials)
            best = sweep.best()
            best_text = ""
            if best is not None and best.score is not None:
                best_text = f"; best so far trial {best.number}, {sweep.objective} {best.score:.4g}"
            self.status.setText(f"{sweep.id}: {done} trial(s) ended{best_text}.")
            self.message.emit(f"{sweep.id} trial {trial.number}: {trial.state}")

    def _on_sweep_done(self, sweep: Any) -> None:
        finished = self.running_sweep
        self.runner, self.running_sweep = None, None
        self._set_running(False)
        if finished is None:
            return
        finished.finished = sweeps.timestamp()
        best = finished.best()
        text = f"{finished.id} ended: {len(finished.trials)} trials"
        if best is not None and best.score is not None:
            text += f"; best trial {best.number}, {finished.objective} {best.score:.4g}"
        self.status.setText(text + ".")
        self.message.emit(text)
        self._refresh_sweeps()
        self.ended.emit()

    def _on_sweep_failed(self, message: str) -> None:
        self.runner, self.running_sweep = None, None
        self._set_running(False)
        self.status.setText(f"The sweep stopped: {message}")
        self.message.emit(f"The sweep stopped: {message}")
        self.ended.emit()

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the running sweep's thread ends (tests, closing)."""
        if self.task is not None:
            self.task.wait(timeout)

    # Results ------------------------------------------------------------------
    def show_sweep(self, sweep: sweeps.Sweep | None) -> None:
        """Fills the table and the parallel-coordinates plot with ``sweep``'s trials."""
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.coordinates.clear()
        if sweep is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self._on_selection_changed()
            return
        keys = [d.key for d in sweep.dimensions]
        columns = ["trial", *keys, sweep.objective, "state", "epochs", "parameters", "seconds",
                   "reason"]  # fmt: skip
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        rows = sweeps.table(sweep)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, column in enumerate(columns):
                value = row.get(column) if column in row else row.get(column, "")
                item = QTableWidgetItem()
                if isinstance(value, int | float) and not isinstance(value, bool):
                    item.setData(Qt.ItemDataRole.DisplayRole,
                                 float(f"{value:.4g}") if isinstance(value, float) else value)
                else:
                    item.setText("-" if value is None else str(value))
                item.setData(Qt.ItemDataRole.UserRole, row["trial"])
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._draw_coordinates(sweep)
        self._on_selection_changed()

    def _draw_coordinates(self, sweep: sweeps.Sweep) -> None:
        """Each trial a line across its values and its score, each axis scaled to 0..1."""
        scored = [t for t in sweep.trials if t.score is not None and math.isfinite(t.score)]
        axes = [d.key for d in sweep.dimensions] + [sweep.objective]
        plot = self.coordinates.getPlotItem()
        plot.getAxis("bottom").setTicks([list(enumerate(axes))])
        plot.getAxis("left").setTicks([[(0, "low"), (1, "high")]])
        if not scored:
            return
        columns = []
        for dimension in sweep.dimensions:
            values = [t.values.get(dimension.key) for t in scored]
            columns.append(_scaled(values, dimension))
        columns.append(_scaled([t.score for t in scored], None))
        scores = np.array([t.score for t in scored], dtype=float)
        if sweep.direction == "maximize":
            scores = -scores
        order = np.argsort(np.argsort(scores))  # 0: the best
        cmap = pg.colormap.get("viridis")
        for i, trial in enumerate(scored):
            ys = [column[i] for column in columns]
            colour = cmap.map(1 - order[i] / max(1, len(scored) - 1), mode="qcolor")
            width = 3 if order[i] == 0 else 1.5
            plot.plot(list(range(len(axes))), ys, pen=pg.mkPen(colour, width=width),
                      name=f"trial {trial.number}")  # fmt: skip
        plot.setXRange(-0.2, len(axes) - 0.8)
        plot.setYRange(-0.05, 1.05)

    def selected_trials(self) -> list[sweeps.Trial]:
        """The trials whose rows are selected, in table order."""
        sweep = self.shown()
        if sweep is None:
            return []
        numbers = []
        for index in self.table.selectionModel().selectedRows():
            number = self.table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
            numbers.append(number)
        by_number = {t.number: t for t in sweep.trials}
        return [by_number[n] for n in numbers if n in by_number]

    def _on_selection_changed(self) -> None:
        chosen = self.selected_trials()
        self.apply_button.setEnabled(len(chosen) == 1)
        self.curves_button.setEnabled(any(t.run_id for t in chosen))

    def select_trial(self, number: int) -> None:
        """Selects the row of trial ``number`` (tests, scripts)."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == number:
                self.table.selectRow(row)
                return

    def apply_selected(self) -> str | None:
        """Writes the selected trial's values into the project (one undo step)."""
        chosen = self.selected_trials()
        sweep = self.shown()
        if len(chosen) != 1 or sweep is None or self.document is None:
            return "select one trial"
        trial = chosen[0]
        try:
            command = sweeps.trial_command(self.document.graph, sweep, trial.values)
        except KeyError as err:  # a layer of the sweep was renamed or deleted since
            reason = f"the network has no layer {err.args[0]!r} any more"
            self.message.emit(f"Not applied: {reason}")
            return reason
        command.text = f"Apply {sweep.id} trial {trial.number}"
        refused = self.document.apply_values(command, sweeps.trial_settings(sweep, trial.values))
        if refused is None:
            self.message.emit(f"Applied {sweep.id} trial {trial.number}: " + ", ".join(
                f"{k} {v}" for k, v in trial.values.items()))
        return refused

    def _show_selected_curves(self) -> None:
        self.show_runs.emit([t.run_id for t in self.selected_trials() if t.run_id])


def _scaled(values: list[Any], dimension: sweeps.Dimension | None) -> list[float]:
    """Values on 0..1 for the plot: choices by their place, numbers by their range (log too)."""
    if dimension is not None and dimension.choices:
        places = {repr(c): i for i, c in enumerate(dimension.choices)}
        span = max(1, len(dimension.choices) - 1)
        return [places.get(repr(v), 0) / span for v in values]
    numbers = np.array([float(v) for v in values], dtype=float)
    if dimension is not None and dimension.log:
        numbers = np.log10(numbers)
    low, high = float(numbers.min()), float(numbers.max())
    if dimension is not None and not dimension.choices and dimension.low is not None:
        low, high = dimension.low, dimension.high
        if dimension.log:
            low, high = math.log10(low), math.log10(high)
    span = (high - low) or 1.0
    return [float((n - low) / span) for n in numbers]
