"""A widget that shows a small image (a map, a matrix) large, with labelled rows and columns.

Each pixel of the image is one cell; it is drawn with nearest-neighbour scaling
and square cells, so an 8x8 feature map stays readable. Cells can carry text
(counts, weights), rectangles can be drawn over them, and a click names the cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

GAP = 4
LABEL_ROOM = 5  # pixels a column label needs beyond its width to stay apart


@dataclass(frozen=True)
class Mark:
    """A rectangle over cells: rows ``top..bottom`` and columns ``left..right`` (exclusive)."""

    top: float
    left: float
    bottom: float
    right: float
    colour: str = "#e53935"
    dashed: bool = False


@dataclass
class _Layout:
    image: QRectF
    cell: float
    rotated: bool
    labels: float  # height of the column labels below the image


class HeatMap(QWidget):
    """Shows one image, one cell per pixel, with optional labels, cell text and marks.

    Signals:
        cell_clicked(int, int): the row and column the user clicked.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._image = QImage()
        self._values: np.ndarray | None = None
        self._texts: list[list[str]] | None = None
        self._marks: list[Mark] = []
        self._rows: list[str] = []
        self._columns: list[str] = []
        self._right: list[str] = []
        self._row_title = ""
        self._column_title = ""
        self._describe: Callable[[int, int], str] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    # Content -------------------------------------------------------------------
    def set_image(self, image: QImage, values: np.ndarray | None = None) -> None:
        """Shows ``image``; ``values`` (same rows and columns) feed the hover text."""
        self._image = image
        self._values = None if values is None else np.asarray(values)
        self.update()

    def image(self) -> QImage:
        """The image shown, one pixel per cell."""
        return self._image

    def set_title(self, title: str) -> None:
        """Sets the line above the image."""
        self.title = title
        self.update()

    def set_labels(
        self,
        rows: Sequence[str] = (),
        columns: Sequence[str] = (),
        row_title: str = "",
        column_title: str = "",
        right: Sequence[str] = (),
    ) -> None:
        """Labels of the rows (left), columns (below) and notes right of each row."""
        self._rows, self._columns, self._right = list(rows), list(columns), list(right)
        self._row_title, self._column_title = row_title, column_title
        self.update()

    def set_cell_texts(self, texts: list[list[str]] | None) -> None:
        """Text drawn in each cell (skipped where it does not fit)."""
        self._texts = texts
        self.update()

    def set_marks(self, marks: Sequence[Mark]) -> None:
        """Rectangles drawn over the cells."""
        self._marks = list(marks)
        self.update()

    def marks(self) -> list[Mark]:
        """The rectangles drawn over the cells."""
        return list(self._marks)

    def set_describe(self, describe: Callable[[int, int], str] | None) -> None:
        """The hover text of a cell; by default its row, column and value."""
        self._describe = describe

    def clear(self) -> None:
        """Shows nothing."""
        self._image, self._values, self._texts, self._marks = QImage(), None, None, []
        self.update()

    # Geometry ------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(260, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(90, 90)

    def _layout(self) -> _Layout | None:
        if self._image.isNull():
            return None
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        top = line + GAP if self.title else GAP
        left = GAP + (line + GAP if self._row_title else 0)
        left += max((metrics.horizontalAdvance(t) for t in self._rows), default=-GAP) + GAP
        right = max((metrics.horizontalAdvance(t) for t in self._right), default=-GAP) + 2 * GAP
        title_below = line + GAP if self._column_title else 0
        widest = self._widest_column(metrics)
        layout = None
        for rotated in (False, True):
            below = (widest if rotated else line) + GAP if self._columns else 0
            layout = self._fit(left, top, right, below + title_below + GAP, rotated, below)
            if widest + LABEL_ROOM <= layout.cell:
                break
        return layout

    def _widest_column(self, metrics: QFontMetrics) -> int:
        return max((metrics.horizontalAdvance(t) for t in self._columns), default=0)

    def _fit(self, left: float, top: float, right: float, bottom: float, rotated: bool,
             labels: float) -> _Layout:  # fmt: skip
        width, height = self._image.width(), self._image.height()
        room_w = max(1.0, self.width() - left - right)
        room_h = max(1.0, self.height() - top - bottom)
        cell = min(room_w / width, room_h / height)
        if cell >= 2:
            cell = math.floor(cell)  # whole pixels keep every cell the same size
        x = left + (room_w - cell * width) / 2
        y = top + (room_h - cell * height) / 2
        return _Layout(QRectF(x, y, cell * width, cell * height), cell, rotated, labels)

    def cell_rect(self, row: int, col: int) -> QRectF:
        """Where the cell is drawn, in widget coordinates (empty with no image)."""
        layout = self._layout()
        return QRectF() if layout is None else self._cell_rect(layout, row, col)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """The (row, column) under a widget position, or ``None`` outside the image."""
        layout = self._layout()
        if layout is None or not layout.image.contains(point):
            return None
        col = int((point.x() - layout.image.left()) / layout.cell)
        row = int((point.y() - layout.image.top()) / layout.cell)
        return min(row, self._image.height() - 1), min(col, self._image.width() - 1)

    # Painting ------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        text_colour = self.palette().windowText().color()
        layout = self._layout()
        if self.title:
            metrics = QFontMetrics(self.font())
            line = metrics.height()
            top = 0.0 if layout is None else layout.image.top() - line - 2
            painter.setPen(text_colour)
            # One line is kept for it: too long for the widget, it ends in "…", not cut off.
            shown = metrics.elidedText(self.title, Qt.ElideRight, self.width())
            painter.drawText(QRectF(0, top, self.width(), line), Qt.AlignCenter, shown)
        if layout is not None:
            painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
            painter.drawImage(layout.image, self._image)
            self._paint_texts(painter, layout)
            self._paint_marks(painter, layout)
            painter.setPen(text_colour)
            self._paint_labels(painter, layout)
        painter.end()

    def _cell_rect(self, layout: _Layout, row: float, col: float, rows=1.0, cols=1.0) -> QRectF:
        box, cell = layout.image, layout.cell
        return QRectF(box.left() + col * cell, box.top() + row * cell, cols * cell, rows * cell)

    def _paint_texts(self, painter: QPainter, layout: _Layout) -> None:
        if not self._texts:
            return
        metrics = QFontMetrics(self.font())
        if layout.cell < metrics.height():
            return
        for row, texts in enumerate(self._texts):
            for col, text in enumerate(texts):
                if not text or metrics.horizontalAdvance(text) > layout.cell - 2:
                    continue
                dark = self._image.pixelColor(col, row).lightness() < 140
                painter.setPen(QColor("#ffffff" if dark else "#000000"))
                painter.drawText(self._cell_rect(layout, row, col), Qt.AlignCenter, text)

    def _paint_marks(self, painter: QPainter, layout: _Layout) -> None:
        for mark in self._marks:
            pen = QPen(QColor(mark.colour), 2)
            if mark.dashed:
                pen.setStyle(Qt.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(self._cell_rect(layout, mark.top, mark.left,
                                             mark.bottom - mark.top, mark.right - mark.left))

    def _paint_labels(self, painter: QPainter, layout: _Layout) -> None:
        metrics = QFontMetrics(self.font())
        line, box = metrics.height(), layout.image
        step = max(1, math.ceil(line / layout.cell))
        for row, text in enumerate(self._rows):
            if row % step == 0:
                rect = QRectF(0, box.top() + row * layout.cell, box.left() - GAP, layout.cell)
                painter.drawText(rect, Qt.AlignRight | Qt.AlignVCenter, text)
        for row, text in enumerate(self._right):
            if row % step == 0:
                rect = QRectF(box.right() + GAP, box.top() + row * layout.cell, 400, layout.cell)
                painter.drawText(rect, Qt.AlignLeft | Qt.AlignVCenter, text)
        self._paint_column_labels(painter, layout, metrics)
        if self._row_title:
            labels = max((metrics.horizontalAdvance(t) for t in self._rows), default=-GAP)
            painter.save()
            painter.translate(box.left() - labels - 2 * GAP - line, box.center().y())
            painter.rotate(-90)
            painter.drawText(QRectF(-box.height() / 2, 0, box.height(), line), Qt.AlignCenter,
                             self._row_title)  # fmt: skip
            painter.restore()
        if self._column_title:
            rect = QRectF(box.left() - GAP, box.bottom() + layout.labels + GAP,
                          box.width() + 2 * GAP, line)  # fmt: skip
            painter.drawText(rect, Qt.AlignCenter, self._column_title)

    def _paint_column_labels(self, painter: QPainter, layout: _Layout, metrics) -> None:
        box, line = layout.image, metrics.height()
        widest = self._widest_column(metrics)
        size = line if layout.rotated else widest + LABEL_ROOM
        step = max(1, math.ceil(size / layout.cell))
        for col, text in enumerate(self._columns):
            if col % step:
                continue
            x = box.left() + col * layout.cell
            if layout.rotated:
                painter.save()
                painter.translate(x + layout.cell / 2 + line / 2, box.bottom() + GAP)
                painter.rotate(90)
                painter.drawText(QRectF(0, 0, widest, line), Qt.AlignLeft | Qt.AlignVCenter, text)
                painter.restore()
            else:
                rect = QRectF(x - GAP, box.bottom() + 2, layout.cell + 2 * GAP, line)
                painter.drawText(rect, Qt.AlignHCenter | Qt.AlignTop, text)

    # Mouse ---------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.LeftButton:
            self.cell_clicked.emit(*cell)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        text = "" if cell is None else self._hover_text(*cell)
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def _hover_text(self, row: int, col: int) -> str:
        if self._describe is not None:
            return self._describe(row, col)
        if self._values is None or row >= self._values.shape[0] or col >= self._values.shape[1]:
            return ""
        return f"row {row}, column {col}: {float(self._values[row, col]):.4g}"
