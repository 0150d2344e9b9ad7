"""The Training tab: data, settings, Train / Pause / Stop, progress, live plots, runs."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from netlab.graph.analysis import Problem
from netlab.inspect.boundary import BoundaryTracker, is_planar
from netlab.training import BatchEnded, RunStarted, RunStateChanged
from netlab.training.fit import data_problems
from netlab.training.processes import epoch_weights
from ui.document import Document
from ui.inspect.boundary_view import BoundaryPlot, boundary_title
from ui.tasks import run_task
from ui.training.data_view import DataView
from ui.training.devices import DeviceChoice, backend_devices
from ui.training.export import export_history, export_plots
from ui.training.plots import RunSeries, TrainingPlots, colour_of, progress_line, summary_of_runs
from ui.training.run_list import RunList
from ui.training.runner import RunController, pool
from ui.training.settings_form import SettingsForm

DRAIN_MS = 100  # plots and progress update at most ten times a second
FORM_SKIP = ("dataset", "device")


class TrainingPanel(QWidget):
    """Trains the open document's network and shows how it goes.

    Signals:
        trained(object): the ``RunController`` of a run that ended with a model.
        message(str): one line for the status bar.
        fit_changed(): whether the data fits the network may have changed.
        run_ended(): a run ended (whoever waits for it may go on).
    """

    trained = Signal(object)
    message = Signal(str)
    fit_changed = Signal()
    run_ended = Signal()
    #: The decision boundary shows a run's epoch: (run id, epoch).
    boundary_drawn = Signal(str, int)
    #: The shown run handed over a finished epoch's weights: its RunController.
    epoch_trained = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.document: Document | None = None
        self.controller: RunController | None = None  # the run whose progress is shown
        self.active: list[RunController] = []  # training now (their workers are busy)
        self.queue: list[RunController] = []  # waiting for a free place, oldest first
        self.series: dict[str, RunSeries] = {}  # live curves of the active and queued runs
        self.started_at: dict[str, float] = {}
        self.parallel = QSpinBox()
        self.parallel.setObjectName("runsAtOnce")
        self.parallel.setRange(1, 16)
        self.parallel.setToolTip(
            "Runs trained at the same time, each in a process of its own; Train while they "
            "run queues the next. One on a CPU (they would share its cores); one per GPU."
        )
        self.settings = SettingsForm(FORM_SKIP)
        self.data = DataView()
        self.device = DeviceChoice()
        self.continue_box = QCheckBox("Continue from the trained weights")
        self.continue_box.setToolTip(
            "Off: each run starts from new random weights (to compare runs). "
            "On: it continues from the project's weights."
        )
        self.train_button = QPushButton("Train")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.progress = QProgressBar()
        self.progress_text = QLabel("Not trained yet.")
        self.progress_text.setWordWrap(True)
        self.plots = TrainingPlots()
        self.boundary = BoundaryPlot()
        self.boundary.setMinimumWidth(260)
        self.boundary_epochs: dict[str, int] = {}  # the epoch each run's boundary shows
        self._trackers: dict[str, BoundaryTracker] = {}
        self._boundary_task: Any = None
        self._epochs_announced: dict[str, int] = {}  # the last epoch_trained of each run
        self.runs = RunList()
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(90)
        self.export_png = QPushButton("Export plots (PNG)…")
        self.export_csv = QPushButton("Export history (CSV)…")
        self._layout()
        self.timer = QTimer(self)
        self.timer.setInterval(DRAIN_MS)
        self.timer.timeout.connect(self.drain)
        self._connect()
        self._set_running(False)

    def showEvent(self, event: Any) -> None:
        # A user looking at this tab is about to train: have a worker ready, Keras imported.
        pool().warm()
        super().showEvent(event)

    # Layout -------------------------------------------------------------------
    def _layout(self) -> None:
        settings = QWidget()
        column = QVBoxLayout(settings)
        data_box = QGroupBox("Data")
        QVBoxLayout(data_box).addWidget(self.data)
        form_box = QGroupBox("Settings")
        QVBoxLayout(form_box).addWidget(self.settings)
        self.settings.add_row("device", self.device)
        self.settings.add_row("runs at once", self.parallel)
        self.settings.add_row(self.continue_box)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        column.addLayout(buttons)  # first: always in sight while the settings scroll
        column.addWidget(self.progress)
        column.addWidget(self.progress_text)
        column.addWidget(data_box)
        column.addWidget(form_box)
        scroll = QScrollArea()
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)
        side = QWidget()
        side_column = QVBoxLayout(side)
        side_column.addWidget(QLabel("Runs (tick to show)"))
        side_column.addWidget(self.runs, 1)
        side_column.addWidget(QLabel("Batch-loss smoothing"))
        side_column.addWidget(self.smoothing)
        side_column.addWidget(self.export_png)
        side_column.addWidget(self.export_csv)
        self.plots.setMinimumWidth(200)
        side.setMinimumWidth(120)
        right = QSplitter()
        right.addWidget(self.plots)
        right.addWidget(self.boundary)
        right.addWidget(side)
        right.setSizes([700, 360, 220])
        self.boundary.hide()  # shown for data sets of 2-D points
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([400, 1000])
        splitter.setCollapsible(0, False)
        QVBoxLayout(self).addWidget(splitter)

    def _connect(self) -> None:
        self.train_button.clicked.connect(self.train)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.data.source_changed.connect(lambda source: self._set_config("dataset", source))
        self.data.loaded.connect(self.refresh_fit)
        self.data.loaded.connect(self._show_boundary_pane)
        self.device.activated.connect(lambda i: self._set_config("device", self.device.itemData(i)))
        self.runs.visibility_changed.connect(self._on_run_ticked)
        self.settings.changed.connect(self._set_config)
        self.smoothing.valueChanged.connect(lambda v: self.plots.set_smoothing(v / 100))
        self.export_png.clicked.connect(lambda: self.save_png())
        self.export_csv.clicked.connect(lambda: self.save_csv())

    def list_devices(self) -> None:
        """Asks the backend for its CPUs and GPUs (in the background)."""
        run_task(self, "devices", backend_devices, self._on_devices_listed,
                 lambda m: self.message.emit(f"Cannot list the devices: {m}"))  # fmt: skip

    def _on_devices_listed(self, devices: list) -> None:
        gpus = self.device.show_devices(devices)
        if gpus:  # one run per GPU at once
            self.parallel.setValue(max(self.parallel.value(), gpus))

    # The document -------------------------------------------------------------
    def show_document(self, document: Document) -> None:
        """Shows the training settings and runs of ``document``; nothing of the last one stays."""
        self.document = document
        config = document.project.training
        self.settings.show_settings(config)
        self.device.setCurrentIndex(max(0, self.device.findData(config.get("device", "cpu"))))
        self.data.set_source(config.get("dataset", "digits"))
        self.progress.setValue(0)
        self.progress.setRange(0, 1)
        self.progress_text.setText(summary_of_runs(document.project.runs))
        self.plots_from_project()
        self.refresh_fit()
        # Weights that no run of this project made (an imported model) are what the user
        # wants to train on (fine-tuning); a project's own runs start afresh, to compare.
        project = document.project
        self.continue_box.setChecked(bool(project.weights) and not project.runs)
        document.runs_changed.connect(self._on_runs_changed)
        document.settings_changed.connect(self._on_setting_changed)

    def _on_runs_changed(self) -> None:
        # Runs recorded by others (a sweep's trials) join the list and the plots.
        if self.document is None:
            return
        for i, record in enumerate(self.document.project.runs):
            if record.id not in self.plots.curves:
                self.runs.add(record.id, record.name, colour_of(i))
                self.plots.add_run(record.id, RunSeries.from_record(record, colour_of(i)))
        if not self.training:
            self.progress_text.setText(summary_of_runs(self.document.project.runs))

    def _on_setting_changed(self, name: str) -> None:
        # A setting changed elsewhere (a sweep's trial applied, its undo): the editor follows.
        if self.document is not None:
            self.settings.show_value(name, self.document.project.training[name])

    @property
    def editors(self) -> dict[str, QWidget]:
        """The settings' editors by name."""
        return self.settings.editors

    def show_only(self, run_ids: list[str]) -> None:
        """Ticks the runs ``run_ids`` in the run list (their curves shown) and no others."""
        self.runs.show_only(run_ids)

    def data_problems(self) -> list[Problem]:
        """What does not fit between the chosen data and the network (empty: unknown or fits)."""
        if self.document is None or self.data.dataset is None:
            return []
        return data_problems(self.document.graph, self.document.analysis, self.data.dataset,
                             self.document.project.training["loss"])  # fmt: skip

    def refresh_fit(self) -> None:
        """Re-checks the data against the network (after edits) and what Train may do."""
        if self.document is None:
            return
        problems = self.data_problems()
        self.data.show_fit(problems, self.document.graph)
        self._set_running(self.training)
        self.fit_changed.emit()

    def can_train(self) -> tuple[bool, str]:
        """Whether Train may start, and why not."""
        if self.document is None:
            return False, "no project"
        analysis = self.document.analysis
        if not analysis.valid:
            first = analysis.errors[0].describe(self.document.graph)
            return False, f"the network has problems: {first}"
        problems = self.data_problems()
        if problems:
            return False, f"the data does not fit: {problems[0].describe(self.document.graph)}"
        return True, ""

    def _set_config(self, name: str, value: Any) -> None:
        if self.document is not None and self.document.project.training.get(name) != value:
            self.document.set_setting(name, value)
            if name in ("loss", "dataset"):
                self.refresh_fit()

    def set_setting(self, name: str, value: Any) -> None:
        """Changes one setting as its editor would (tests, scripts)."""
        self._set_config(name, value)
        self.settings.show_value(name, value)
        if name == "dataset":
            self.data.set_source(value)

    # Runs ---------------------------------------------------------------------
    def plots_from_project(self) -> None:
        """Curves and list entries for every recorded run of the project (and nothing else)."""
        self.plots.reset()
        self.runs.clear()
        for i, record in enumerate(self.document.project.runs):
            self.runs.add(record.id, record.name, colour_of(i))
            self.plots.add_run(record.id, RunSeries.from_record(record, colour_of(i)))

    def _on_run_ticked(self, run_id: str, visible: bool) -> None:
        if run_id in self.plots.curves:
            self.plots.set_run_visible(run_id, visible)

    def train(self) -> None:
        """Starts a run of the current graph with the current settings, or queues it.

        The run takes the graph, the settings and (if continuing) the weights as they
        are now: edits made while it waits in the queue are not in it.
        """
        allowed, reason = self.can_train()
        if not allowed:
            self.message.emit(f"Not training: {reason}")
            return
        project = self.document.project
        taken = {r.id for r in project.runs} | set(self.series)
        number = next(i for i in range(1, len(taken) + 2) if f"run{i}" not in taken)
        run_id = f"run{number}"
        controller = RunController(self.document, run_id, f"Run {number}",
                                   self.continue_box.isChecked())  # fmt: skip
        controller.ended.connect(lambda ended, c=controller: self._on_controller_ended(c, ended))
        controller.failed.connect(lambda message, c=controller: self._on_controller_failed(
            c, message))  # fmt: skip
        colour = colour_of(len(project.runs) + len(self.series))
        self.series[run_id] = RunSeries(f"Run {number}", colour)
        self.plots.add_run(run_id, self.series[run_id])
        self.runs.add(run_id, f"Run {number}", colour)
        if len(self.active) < self.parallel.value():
            self._start(controller)
        else:
            self.queue.append(controller)
            self.runs.set_text(run_id, f"Run {number} (queued)")
            self.message.emit(f"Run {number} queued: it starts when a run ends "
                              f"({len(self.queue)} waiting)")  # fmt: skip
            self._set_running(True)

    def _start(self, controller: RunController) -> None:
        self.active.append(controller)
        self.controller = controller
        self.live = self.series[controller.run_id]
        self.started_at[controller.run_id] = time.perf_counter()
        self.runs.set_text(controller.run_id, f"{controller.name} (training)")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress_text.setText(f"{controller.name}: loading data and building the model…")
        self._set_running(True)
        controller.start()
        self.timer.start()

    def _start_next(self) -> None:
        while self.queue and len(self.active) < self.parallel.value():
            self._start(self.queue.pop(0))

    def toggle_pause(self) -> None:
        """Pause / Resume."""
        if self.controller is None or not self.controller.running:
            return
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()

    def stop(self) -> None:
        """Stops the run shown after the current batch, keeping its weights (in any phase).

        Queued runs go on: the next one starts.
        """
        if self.controller is not None and self.controller.running:
            self.controller.stop()
            self.stop_button.setEnabled(False)
            self.progress_text.setText("Stopping after the current batch…")

    def _drop_queue(self) -> None:
        for controller in self.queue:
            self._forget_live_run(controller.run_id)
            self.series.pop(controller.run_id, None)
            controller.process.cleanup()
        self.queue = []

    def stop_all(self) -> None:
        """Stops every run (each keeps its weights) and drops the queued ones."""
        self._end_all(keep=True)

    def discard(self) -> None:
        """Stops every run and keeps nothing of them; the queued ones are dropped."""
        self._end_all(keep=False)

    def _end_all(self, keep: bool) -> None:
        self._drop_queue()
        for controller in self.active:
            controller.stop() if keep else controller.discard()
        if self.active:
            self.stop_button.setEnabled(self.stop_button.isEnabled() and not keep)
            self.progress_text.setText("Stopping after the current batch…" if keep else
                                       "Stopping; the run will not be kept…")  # fmt: skip
        else:
            self._set_running(False)
            self.run_ended.emit()

    @property
    def training(self) -> bool:
        """Whether a run is on (starting, training, paused, being stored, or queued)."""
        return bool(self.active or self.queue)

    def _set_running(self, running: bool) -> None:
        allowed, reason = self.can_train()
        self.train_button.setEnabled(allowed)
        full = len(self.active) >= self.parallel.value()
        self.train_button.setText("Queue a run" if running and full else
                                  "Train another" if running else "Train")  # fmt: skip
        tip = "Queues a run of the network and settings as they are now; it starts when a " \
            "run ends" if running and full else ""  # fmt: skip
        self.train_button.setToolTip(tip if allowed else f"Cannot train: {reason}")
        shown = self.controller is not None and self.controller in self.active
        self.pause_button.setEnabled(shown)
        self.stop_button.setEnabled(shown)
        if not shown:
            self.pause_button.setText("Pause")

    # Events -------------------------------------------------------------------
    def drain(self) -> None:
        """Applies the events that arrived since the last tick (capped rate), for every run."""
        for controller in list(self.active):
            self._drain_one(controller)
        controller = self.controller
        if controller is not None and controller in self.active:
            self.follow_boundary(controller)
            epoch = controller.process.epochs_with_weights
            if epoch > self._epochs_announced.get(controller.run_id, -1):
                self._epochs_announced[controller.run_id] = epoch
                self.epoch_trained.emit(controller)

    # The decision boundary ------------------------------------------------------------
    def _show_boundary_pane(self) -> None:
        dataset = self.data.dataset
        self.boundary.setVisible(dataset is not None and is_planar(dataset))

    def follow_boundary(self, controller: RunController, final: bool = False) -> None:
        """Draws the run's boundary for its newest epoch's weights (one drawing at a time).

        The grid is computed here, on a worker thread of the window, from the
        weights the run hands over each epoch: the training process does no more.
        """
        dataset = self.data.dataset
        if not self.boundary.isVisible() or dataset is None or not is_planar(dataset):
            return
        if self._boundary_task is not None and self._boundary_task.running:
            return  # the next tick asks again
        epoch = controller.process.epochs_with_weights
        shown = self.boundary_epochs.get(controller.run_id, -1)
        if epoch < 0 or (epoch <= shown and not final):
            return
        tracker = self._trackers.get(controller.run_id)
        if tracker is None:
            tracker = BoundaryTracker(controller.graph, dataset, controller.config)
            self._trackers[controller.run_id] = tracker
        self.boundary_epochs[controller.run_id] = epoch
        folder = controller.process.folder / "epoch"
        names = {node.id: node.name for node in controller.graph.nodes.values()}
        final_weights = {names[i]: list(arrays) for i, arrays in
                         (controller.trained_weights or {}).items() if i in names}  # fmt: skip

        def draw() -> Any:
            weights = final_weights if final else epoch_weights(folder)
            return None if weights is None else tracker.update(weights)

        def done(grid: Any) -> None:
            if grid is None:  # met the run replacing its weights: the next tick asks again
                self.boundary_epochs[controller.run_id] = shown
                return
            if dataset is self.data.dataset:
                self.boundary.show_grid(grid, dataset.x, dataset.y,
                                        boundary_title(grid, len(dataset.x), epoch))
            self.boundary_drawn.emit(controller.run_id, epoch)

        self._boundary_task = run_task(self, "boundary", draw, done,
                                       lambda m: self.boundary.title.setText(m))  # fmt: skip

    def _drain_one(self, controller: RunController) -> None:
        events = controller.drain()
        series = self.series.get(controller.run_id)
        if series is None:
            return
        shown = controller is self.controller
        last = series.take(events)
        if last is not None:
            if shown:
                self._show_progress(last)
            elif controller in self.active:
                self.runs.set_text(controller.run_id, f"{controller.name} (epoch "
                                     f"{last.epoch + 1}, loss {last.loss:.3g})")  # fmt: skip
        for event in events:
            if isinstance(event, RunStarted):
                controller.total_steps = event.epochs * event.steps_per_epoch
                if shown:
                    self.progress.setRange(0, controller.total_steps)
            elif isinstance(event, RunStateChanged) and shown:
                paused = event.state == "paused"
                self.pause_button.setText("Resume" if paused else "Pause")
                self.progress_text.setText("Paused." if paused else "Running…")
        if events and controller.run_id in self.plots.curves:
            self.plots.redraw(controller.run_id)

    def _show_progress(self, batch: BatchEnded) -> None:
        done = batch.step + 1
        total = self.controller.total_steps if self.controller is not None else done
        self.progress.setRange(0, max(total, done))
        self.progress.setValue(done)
        elapsed = time.perf_counter() - self.started_at.get(batch.run_id, time.perf_counter())
        self.progress_text.setText(progress_line(batch, total, elapsed))

    def _forget_live_run(self, run_id: str) -> None:
        if run_id in self.plots.curves:
            self.plots.remove_run(run_id)
        self.runs.remove(run_id)

    def _finish(self, controller: RunController) -> None:
        """A run is over: its place goes to the next queued run; the panel shows another."""
        if controller in self.active:
            self.active.remove(controller)
        self.series.pop(controller.run_id, None)
        self._start_next()
        if controller is self.controller and self.active:
            self.controller = self.active[-1]
            self.live = self.series[self.controller.run_id]
        if not self.active:
            self.timer.stop()
        self._set_running(self.training)

    def _on_controller_failed(self, controller: RunController, message: str) -> None:
        self._drain_one(controller)
        self._forget_live_run(controller.run_id)  # nothing ran: nothing to keep
        self._finish(controller)
        self.progress_text.setText(f"Could not start: {message}")
        self.message.emit(f"Training not started: {message}")
        if not self.training:
            self.run_ended.emit()

    def _on_controller_ended(self, controller: RunController, ended: Any) -> None:
        self._drain_one(controller)
        record = ended.record
        series = self.series.get(controller.run_id)
        trained = record is not None and len(record.batches.get("loss", ())) > 0
        if controller.discarded or not trained:
            self._forget_live_run(controller.run_id)  # an empty run stays out of the file
            self._finish(controller)
            why = "discarded" if controller.discarded else (ended.reason or "nothing trained")
            self.progress_text.setText(f"{controller.name} not kept: {why}.")
            self.message.emit(f"Training ended: {why}")
            if not self.training:
                self.run_ended.emit()
            return
        controller.document.add_run(record, controller.trained_weights)
        if controller is self.controller and controller.trained_weights:
            self.follow_boundary(controller, final=True)
        if controller.document is self.document and series is not None:
            series.epochs = [dict(e) for e in record.epochs]
            self.plots.add_run(record.id, RunSeries.from_record(record, series.colour))
            self.runs.set_text(record.id, record.name)
        self._finish(controller)
        if controller.trained_weights is not None:
            self.trained.emit(controller)
        text = {"finished": "finished", "stopped": "stopped (its weights are kept)",
                "failed": "failed"}[ended.status]  # fmt: skip
        last = record.epochs[-1] if record.epochs else {}
        summary = ", ".join(
            f"{k} {v:.4g}" for k, v in last.items() if k not in ("epoch", "seconds")
        )
        reason = f": {ended.reason}" if ended.reason and ended.status != "finished" else ""
        if not self.active or controller is self.controller:
            self.progress_text.setText(f"{record.name} {text}{reason}. {summary}")
        self.message.emit(f"{record.name}: training {text}{reason}")
        if not self.training:
            self.run_ended.emit()

    # Export -------------------------------------------------------------------
    def save_png(self, path: str = "") -> bool:
        """Writes the plots as a PNG image (asks where, without ``path``)."""
        return self._export(export_plots(self, self.plots, path))

    def save_csv(self, path: str = "") -> bool:
        """Writes every recorded run's per-epoch history as CSV (asks where, without ``path``)."""
        return self._export(export_history(self, self.document.project.runs, path))

    def _export(self, message: str) -> bool:
        if message:
            self.message.emit(message)
        return bool(message)
