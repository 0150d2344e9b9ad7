"""The Goals panel: an exercise's goals ticked off live, and the teacher's tools to set them.

The goals and locks live in ``project.exercise`` (:mod:`netlab.project.exercise`);
this panel shows :func:`check_goals` after every change and edits the exercise
through the document (:meth:`Document.set_exercise`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netlab.catalog import format_shape
from netlab.errors import ParameterError
from netlab.project.exercise import KIND_NAMES, KINDS, Exercise, check_goals, parse_goal
from ui.document import Document


class GoalsPanel(QWidget):
    """Each goal with ✔ or ✘ and what the network has now; below, adding goals and locks.

    Args:
        selected_names: The names of the layers selected on the canvas (to lock them).
    """

    def __init__(self, selected_names: Callable[[], list[str]]) -> None:
        super().__init__()
        self.selected_names = selected_names
        self.document: Document | None = None
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.setObjectName("goalList")
        self.list.setMinimumHeight(96)
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(KIND_NAMES[kind], kind)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.node = QComboBox()
        self.node.currentTextChanged.connect(lambda _name: self._on_kind_changed())
        self.value = QLineEdit()
        self.value.setPlaceholderText("4, 4, 32")
        self.value.returnPressed.connect(self.add_goal)
        self.count = QSpinBox()
        self.count.setRange(1, 1000)
        self.count.setPrefix("× ")
        self.add_button = QPushButton("Add goal")
        self.add_button.clicked.connect(self.add_goal)
        self.remove_button = QPushButton("Remove goal")
        self.remove_button.clicked.connect(self.remove_goal)
        self.lock_button = QPushButton("Lock selected layers")
        self.lock_button.clicked.connect(self.lock_selected)
        self.unlock_button = QPushButton("Unlock all")
        self.unlock_button.clicked.connect(lambda: self._set(locked=[]))
        self.locked = QLabel()
        self.locked.setWordWrap(True)
        self.teacher = QCheckBox("teacher: locked layers can be edited")
        self.teacher.toggled.connect(self._on_teacher_toggled)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.hide()
        form = QHBoxLayout()
        for widget in (self.kind, self.node, self.value, self.count, self.add_button):
            form.addWidget(widget)
        locks = QHBoxLayout()
        for widget in (self.lock_button, self.unlock_button, self.remove_button):
            locks.addWidget(widget)
        locks.addStretch(1)
        column = QVBoxLayout(self)
        for part in (self.summary, self.list, form, self.error, locks, self.locked, self.teacher):
            column.addLayout(part) if isinstance(part, QHBoxLayout) else column.addWidget(part)
        self._on_kind_changed()

    def show_document(self, document: Document) -> None:
        """Shows ``document``'s goals and follows its changes."""
        self.document = document  # an old document's signals are harmless: refresh reads this
        document.changed.connect(self.refresh)
        self.teacher.setChecked(document.teacher)
        self.refresh()

    def refresh(self) -> None:
        """Ticks the goals against the network as it is now."""
        document = self.document
        if document is None:
            return
        ticks = check_goals(document.project, document.analysis)
        self.list.clear()
        for tick in ticks:
            item = QListWidgetItem(f"{'✔' if tick.met else '✘'}  {tick.goal.describe()}  "
                                   f"— {tick.detail}")  # fmt: skip
            item.setForeground(Qt.GlobalColor.darkGreen if tick.met else Qt.GlobalColor.red)
            self.list.addItem(item)
        met = sum(t.met for t in ticks)
        self.summary.setText(f"<b>{met} of {len(ticks)} goals met</b>" if ticks else
                             "No goals yet: a teacher adds them below; students see them ticked.")
        locked = document.project.exercise.locked
        self.locked.setText(f"Locked (students cannot change them): {', '.join(locked)}"
                            if locked else "No layer is locked.")  # fmt: skip
        graph, analysis = document.graph, document.analysis
        names = [graph.nodes[i].name for i in analysis.order if i in graph.nodes]
        if names != [self.node.itemText(i) for i in range(self.node.count())]:
            chosen = self.node.currentText()
            self.node.clear()
            self.node.addItems(names)
            if chosen in names:
                self.node.setCurrentText(chosen)

    # The teacher's tools ----------------------------------------------------------------
    def _on_kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.node.setVisible(kind == "output_shape")
        self.count.setVisible(kind == "uses_layer")
        shape = self._current_shape() if kind == "output_shape" else None
        examples = {"output_shape": "4, 4, 32", "max_parameters": "20,000", "max_flops": "100k",
                    "min_val_accuracy": "90%", "uses_layer": "Conv2D"}  # fmt: skip
        self.value.setPlaceholderText(shape or examples[kind])

    def _current_shape(self) -> str | None:
        """The chosen layer's output shape now, as a goal would take it (``8, 8, 16``)."""
        document = self.document
        if document is None or not self.node.currentText():
            return None
        node = next((n for n in document.graph.nodes.values()
                     if n.name == self.node.currentText()), None)  # fmt: skip
        shape = document.analysis.shapes.get(node.id) if node is not None else None
        return format_shape(shape)[len("(None, "):-1] if shape else None

    def _set(self, goals: list | None = None, locked: list[str] | None = None) -> None:
        if self.document is None:
            return
        exercise = self.document.project.exercise
        self.document.set_exercise(Exercise(exercise.goals if goals is None else goals,
                                            exercise.locked if locked is None else locked))

    def add_goal(self) -> None:
        """Adds the goal the form describes (or says in one line what is wrong)."""
        if self.document is None:
            return
        try:
            goal = parse_goal(self.kind.currentData(), self.value.text(),
                              self.node.currentText(), self.count.value())  # fmt: skip
        except ParameterError as err:
            self.error.setText(str(err))
            self.error.show()
            return
        self.error.setText("")
        self.error.hide()
        self.value.clear()
        self._set(goals=[*self.document.project.exercise.goals, goal])

    def remove_goal(self) -> None:
        """Removes the goal selected in the list."""
        row = self.list.currentRow()
        if self.document is None or row < 0:
            return
        goals = list(self.document.project.exercise.goals)
        del goals[row]
        self._set(goals=goals)

    def lock_selected(self) -> None:
        """Locks the layers selected on the canvas (with those locked already)."""
        if self.document is None:
            return
        locked = self.document.project.exercise.locked
        self._set(locked=sorted(set(locked) | set(self.selected_names())))

    def _on_teacher_toggled(self, on: bool) -> None:
        if self.document is not None:
            self.document.teacher = on
