"""The bottom docks: the problems list and the model summary, both from the analysis."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem

from netlab import catalog
from netlab.catalog.flops import format_flops
from netlab.graph.analysis import Problem
from ui.document import Document

NODE_ROLE = Qt.ItemDataRole.UserRole


class ProblemsList(QTreeWidget):
    """Every problem of the graph; clicking one selects and centres its node.

    Signals:
        node_activated(str): the node id of the clicked problem.
    """

    node_activated = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("problemsList")
        self.setHeaderLabels(["", "Layer", "Problem"])
        self.setRootIsDecorated(False)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemActivated.connect(self._on_item_clicked)

    def show_document(self, document: Document, extra: list[Problem] | None = None) -> None:
        """Lists the document's problems and ``extra`` ones (the data's), or that all is well."""
        self.clear()
        graph = document.graph
        problems = [*document.analysis.problems, *(extra or [])]
        icons = {"error": QStyle.StandardPixmap.SP_MessageBoxCritical,
                 "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
                 "info": QStyle.StandardPixmap.SP_MessageBoxInformation}  # fmt: skip
        for problem in problems:
            name = graph.nodes[problem.node_id].name \
                if problem.node_id in graph.nodes else "(network)"  # fmt: skip
            where = f"{problem.field}: " if problem.field else ""
            item = QTreeWidgetItem([problem.severity, name, where + problem.message])
            item.setIcon(0, self.style().standardIcon(icons[problem.severity]))
            item.setData(0, NODE_ROLE, problem.node_id)
            item.setToolTip(2, problem.message)
            self.addTopLevelItem(item)
        if not [p for p in problems if p.severity != "info"]:
            item = QTreeWidgetItem(["ok", "", "No problems: the network builds."])
            item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            self.addTopLevelItem(item)
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int = 0) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id:
            self.node_activated.emit(node_id)


class ModelSummary(QTreeWidget):
    """One row per layer in build order: name, type, output shape, parameters."""

    node_activated = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("modelSummary")
        self.setHeaderLabels(["Layer", "Type", "Output shape", "Parameters", "FLOPs"])
        self.headerItem().setToolTip(4, "multiply-adds of one example, as the papers count "
                                        "FLOPs: convolutions, dense layers, attention products")
        self.setRootIsDecorated(False)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.itemClicked.connect(lambda item, _c: self.node_activated.emit(item.data(0, NODE_ROLE)))

    def show_document(self, document: Document) -> None:
        """Lists the layers with their shapes and counts, and the totals."""
        self.clear()
        analysis, graph = document.analysis, document.graph
        order = [n for n in analysis.order if n in graph.nodes] or list(graph.nodes)
        for node_id in order:
            node = graph.nodes[node_id]
            shape = analysis.shapes.get(node_id)
            count = sum(analysis.counts.get(node_id, (0, 0)))
            flops = analysis.flops.get(node_id)
            item = QTreeWidgetItem([node.name, catalog.get(node.key).display_name,
                                    catalog.format_shape(shape) if shape else "?",
                                    f"{count:,}", format_flops(flops) if shape else "?"])
            for column in (3, 4):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
            if flops:
                item.setToolTip(4, f"{flops:,} multiply-adds per example")
            item.setData(0, NODE_ROLE, node_id)
            self.addTopLevelItem(item)
        trainable, frozen = analysis.totals()
        total = QTreeWidgetItem(["Total", "", f"trainable {trainable:,}, non-trainable {frozen:,}",
                                 f"{trainable + frozen:,}",
                                 format_flops(analysis.total_flops())])  # fmt: skip
        for column in (3, 4):
            total.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        font = total.font(0)
        font.setBold(True)
        for column in range(5):
            total.setFont(column, font)
        self.addTopLevelItem(total)
