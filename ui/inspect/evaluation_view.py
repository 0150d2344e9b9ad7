"""The Evaluation tab: confusion matrix, accuracy per class, and the table of predictions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QItemSelection, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netlab.inspect import ClassifierEvaluation, evaluate_classifier
from ui import theme
from ui.inspect.context import InspectContext
from ui.inspect.heatmap import HeatMap, Mark
from ui.inspect.images import confusion_image, describe_example, sample_image
from ui.inspect.predictions import COLUMNS, CONFIDENCE, THUMBNAIL, PredictionTable
from ui.inspect.view import InspectView

SUBSETS = (("all examples", "all"), ("wrong only", "wrong"), ("correct only", "correct"))
CELL_FILTER = 3  # index of the "one cell" entry of the filter combo, when there is one
PREVIEW_WIDTH = 220
CLASS_COLUMNS = ("class", "examples", "errors", "error rate", "most often taken for")


class EvaluationView(InspectView):
    """How well a classifier does on the validation examples, and which ones it gets wrong."""

    name = "evaluation"

    def __init__(self, lock: Any, parent: QWidget | None = None) -> None:
        super().__init__(lock, parent)
        self.evaluation: ClassifierEvaluation | None = None
        self.confusion = HeatMap("Confusion matrix: right in blue, mistakes in orange")
        self.confusion.cell_clicked.connect(self._on_confusion_cell_clicked)
        self.accuracy_label = QLabel()
        self.accuracy_label.setWordWrap(True)
        self.class_table = QTableWidget(0, len(CLASS_COLUMNS))
        self.class_table.setObjectName("classErrors")
        self.class_table.setHorizontalHeaderLabels(CLASS_COLUMNS)
        self.class_table.verticalHeader().setVisible(False)
        self.class_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.class_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.class_table.horizontalHeader().setStretchLastSection(True)
        self.class_table.setSortingEnabled(True)
        self.table = PredictionTable()
        self.table_view = self._make_table_view()
        self.filter_combo = QComboBox()
        for text, subset in SUBSETS:
            self.filter_combo.addItem(text, subset)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_combo_changed)
        self.count_label = QLabel()
        self.preview = HeatMap()
        self.preview.setFixedHeight(PREVIEW_WIDTH)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self._build_content()

    def _make_table_view(self) -> QTableView:
        view = QTableView()
        view.setModel(self.table)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setSelectionMode(QAbstractItemView.SingleSelection)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(THUMBNAIL + 4)
        view.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        header.setSortIndicator(CONFIDENCE, Qt.AscendingOrder)
        view.setSortingEnabled(True)
        view.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        return view

    def _build_content(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.accuracy_label)
        left_layout.addWidget(self.confusion, 3)
        hint = QLabel("Click a cell to list its examples; click a column title to sort the table.")
        hint.setWordWrap(True)
        left_layout.addWidget(hint)
        left_layout.addWidget(QLabel("Errors per class (click a title to sort):"))
        left_layout.addWidget(self.class_table, 2)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show"))
        filters.addWidget(self.filter_combo)
        filters.addWidget(self.count_label, 1)
        preview_box = QWidget()
        preview_box.setFixedWidth(PREVIEW_WIDTH)
        preview = QVBoxLayout(preview_box)
        preview.setContentsMargins(0, 0, 0, 0)
        preview.addWidget(self.preview)
        preview.addWidget(self.preview_label)
        preview.addStretch(1)
        rows = QHBoxLayout()
        rows.addWidget(self.table_view, 1)
        rows.addWidget(preview_box)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(filters)
        right_layout.addLayout(rows, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([460, 740])
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # InspectView ---------------------------------------------------------------------
    def populate(self, context: InspectContext) -> str:
        if not context.is_classification:
            return (f"Evaluation needs a classification data set; “{context.dataset.name}” "
                    f"is a {context.dataset.task} data set.")  # fmt: skip
        return ""

    def work(self) -> Callable[[], Any] | None:
        context = self.context
        model, x, y = context.model, context.x, context.y
        names = list(context.dataset.class_names)
        return lambda: evaluate_classifier(model, x, y, names)

    def show_result(self, result: ClassifierEvaluation) -> None:
        self.evaluation = result
        self._show_confusion(result)
        right = int(np.sum(result.correct))
        self.accuracy_label.setText(
            f"Accuracy on the {len(result.true)} {self.context.split} examples: "
            f"<b>{100 * result.accuracy:.1f} %</b> ({right} right, {len(result.true) - right} "
            "wrong). Right of each row: the share of that class predicted right."
        )
        self._show_class_errors(result)
        examples = self.context.x_raw if self.context.dataset.kind == "image" else None
        self._reset_filter_combo()
        self.table.set_evaluation(result, examples)
        self._after_rows_changed()

    def clear_result(self) -> None:
        self.evaluation = None
        self.confusion.clear()
        self.confusion.set_labels()
        self.accuracy_label.clear()
        self.class_table.setRowCount(0)
        self.table.set_evaluation(None)
        self.preview.clear()
        self.preview_label.clear()
        self.count_label.clear()

    # Pieces --------------------------------------------------------------------------
    def _show_confusion(self, result: ClassifierEvaluation) -> None:
        counts = result.confusion
        self.confusion.set_image(confusion_image(counts), counts)
        self.confusion.set_cell_texts([[str(int(v)) for v in row] for row in counts])
        accuracy = result.class_accuracy()
        notes = ["–" if np.isnan(a) else f"{100 * a:.0f} %" for a in accuracy]
        names = result.class_names
        self.confusion.set_labels(names, names, "true class", "predicted class", notes)
        self.confusion.set_describe(
            lambda r, c: f"true {names[r]}, predicted {names[c]}: {int(counts[r, c])} examples"
        )

    def _show_class_errors(self, result: ClassifierEvaluation) -> None:
        """One row per true class: examples, errors, error rate, the class it is taken for."""
        table = self.class_table
        table.setSortingEnabled(False)
        rows = result.class_errors()
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            rate = "–" if np.isnan(row.error_rate) else f"{100 * row.error_rate:.1f} %"
            taken = f"{row.most_confused_with} ({row.confused_count})" \
                if row.most_confused_with else "–"  # fmt: skip
            values = (row.class_name, row.examples, row.errors, rate, taken)
            sort_keys = (row.class_name, row.examples, row.errors,
                         -1.0 if np.isnan(row.error_rate) else row.error_rate, row.confused_count)
            for c, (value, key) in enumerate(zip(values, sort_keys, strict=True)):
                item = _SortedItem(str(value))
                item.setData(Qt.UserRole, key)
                table.setItem(r, c, item)
        table.setSortingEnabled(True)

    def _reset_filter_combo(self) -> None:
        self.filter_combo.blockSignals(True)
        while self.filter_combo.count() > CELL_FILTER:
            self.filter_combo.removeItem(CELL_FILTER)
        self.filter_combo.setCurrentIndex(0)
        self.filter_combo.blockSignals(False)
        self.confusion.set_marks([])

    def _after_rows_changed(self) -> None:
        total = 0 if self.evaluation is None else len(self.evaluation.true)
        self.count_label.setText(f"{self.table.rowCount()} of {total} examples")
        if self.table.rowCount():
            self.table_view.selectRow(0)
            self.table_view.scrollToTop()
        else:
            self.preview.clear()
            self.preview_label.clear()

    def _show_preview(self, example: int) -> None:
        result, context = self.evaluation, self.context
        image = sample_image(context.x_raw[example]) if context.dataset.kind == "image" else None
        self.preview.set_image(image if image is not None else QImage())
        shown = "" if image is not None else f"<br>{describe_example(context.x_raw[example])}"
        chances = result.probabilities[example]
        top = np.argsort(-chances, kind="stable")[:3]
        listed = "".join(
            f"<br>&nbsp;&nbsp;{result.class_names[k]}: {100 * chances[k]:.1f} %" for k in top
        )
        wrong = f"<span style='color:{theme.current().problem}'>wrong</span>"
        verdict = "right" if result.correct[example] else wrong
        self.preview_label.setText(
            f"<b>Example {example}</b> ({verdict}){shown}<br>true class: "
            f"{result.class_names[result.true[example]]}<br>most probable:{listed}"
        )

    # Slots ---------------------------------------------------------------------------
    def _on_confusion_cell_clicked(self, row: int, col: int) -> None:
        if self.evaluation is None:
            return
        names = self.evaluation.class_names
        text = f"true {names[row]}, predicted {names[col]}"
        self.filter_combo.blockSignals(True)
        if self.filter_combo.count() > CELL_FILTER:
            self.filter_combo.removeItem(CELL_FILTER)
        self.filter_combo.addItem(text, (row, col))
        self.filter_combo.setCurrentIndex(CELL_FILTER)
        self.filter_combo.blockSignals(False)
        self.confusion.set_marks([Mark(row, col, row + 1, col + 1, "#ff8f00")])
        self.table.set_filter("all", (row, col))
        self._after_rows_changed()

    def _on_filter_combo_changed(self, index: int) -> None:
        choice = self.filter_combo.itemData(index)
        if isinstance(choice, (tuple, list)):
            self.table.set_filter("all", (int(choice[0]), int(choice[1])))
        else:
            self.confusion.set_marks([])
            self.table.set_filter(choice or "all")
        self._after_rows_changed()

    def _on_table_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = selected.indexes()
        if rows and self.evaluation is not None:
            self._show_preview(self.table.example_at(rows[0].row()))


class _SortedItem(QTableWidgetItem):
    """A table cell that sorts by its number (``Qt.UserRole``), not by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.UserRole), other.data(Qt.UserRole)
        if mine is None or theirs is None or type(mine) is not type(theirs):
            return super().__lt__(other)
        return bool(mine < theirs)
