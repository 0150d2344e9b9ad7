"""The table of validation predictions: sortable by any column, filtered by outcome or cell."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QPixmap

from netlab.inspect import ClassifierEvaluation
from ui import theme
from ui.inspect.images import sample_image

COLUMNS = ("example", "true class", "predicted", "confidence", "correct")
CONFIDENCE = 3
THUMBNAIL = 28
Index = QModelIndex | QPersistentModelIndex


class PredictionTable(QAbstractTableModel):
    """One row per example of a :class:`ClassifierEvaluation`, in the chosen order.

    Sorting (``sort``, called by the view's header) and filtering keep a NumPy
    array of example indices, so tens of thousands of rows stay quick.
    """

    def __init__(self) -> None:
        super().__init__()
        self.evaluation: ClassifierEvaluation | None = None
        self.examples: np.ndarray | None = None
        self.order = np.zeros(0, dtype=np.int64)
        self.subset = "all"
        self.cell: tuple[int, int] | None = None
        self._sort = (CONFIDENCE, Qt.AscendingOrder)
        self._thumbnails: dict[int, QPixmap] = {}

    def set_evaluation(self, evaluation: ClassifierEvaluation | None,
                       examples: np.ndarray | None = None) -> None:  # fmt: skip
        """Shows the evaluation; ``examples`` (raw images) give each row a thumbnail."""
        self.beginResetModel()
        self.evaluation, self.examples = evaluation, examples
        self.subset, self.cell = "all", None
        self._thumbnails.clear()
        self._arrange()
        self.endResetModel()

    def set_filter(self, subset: str, cell: tuple[int, int] | None = None) -> None:
        """Shows ``"all"``, ``"correct"`` or ``"wrong"`` rows, or one (true, predicted) cell."""
        self.beginResetModel()
        self.subset, self.cell = subset, cell
        self._arrange()
        self.endResetModel()

    def example_at(self, row: int) -> int:
        """The example index shown in ``row``."""
        return int(self.order[row])

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        """Orders the rows by ``column`` (ties keep the example order)."""
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> None:
        result = self.evaluation
        if result is None:
            self.order = np.zeros(0, dtype=np.int64)
            return
        keep = np.ones(len(result.true), dtype=bool)
        if self.cell is not None:
            keep = (result.true == self.cell[0]) & (result.predicted == self.cell[1])
        elif self.subset != "all":
            keep = result.correct if self.subset == "correct" else ~result.correct
        rows = np.flatnonzero(keep)
        keys = self._keys(self._sort[0])[rows].astype("float64")
        if self._sort[1] == Qt.DescendingOrder:
            keys = -keys
        self.order = rows[np.argsort(keys, kind="stable")]

    def _keys(self, column: int) -> np.ndarray:
        result = self.evaluation
        return {
            1: result.true, 2: result.predicted, CONFIDENCE: result.confidence,
            4: result.correct.astype(np.int64),
        }.get(column, np.arange(len(result.true)))  # fmt: skip

    # Qt's model interface ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or self.evaluation is None:
            return None
        example, column = self.example_at(index.row()), index.column()
        if role == Qt.DisplayRole:
            return self._text(example, column)
        if role == Qt.DecorationRole and column == 0:
            return self._thumbnail(example)
        if role == Qt.ForegroundRole and column in (2, 4):
            return None if self.evaluation.correct[example] else QColor(theme.current().problem)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) if column in (0, 3) \
                else int(Qt.AlignLeft | Qt.AlignVCenter)  # fmt: skip
        return None

    def _text(self, example: int, column: int) -> str:
        result = self.evaluation
        if column == 0:
            return str(example)
        if column in (1, 2):
            values = result.true if column == 1 else result.predicted
            return result.class_names[int(values[example])]
        if column == CONFIDENCE:
            return f"{float(result.confidence[example]):.3f}"
        return "yes" if result.correct[example] else "no"

    def _thumbnail(self, example: int) -> QPixmap | None:
        if self.examples is None:
            return None
        if example not in self._thumbnails:
            image = sample_image(self.examples[example])
            if image is None:
                return None
            scaled = image.scaled(QSize(THUMBNAIL, THUMBNAIL), Qt.KeepAspectRatio,
                                  Qt.FastTransformation)  # fmt: skip
            self._thumbnails[example] = QPixmap.fromImage(scaled)
        return self._thumbnails[example]
