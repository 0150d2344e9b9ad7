"""Exercises: goals ticked and unticked by edits, kept in the file, checked from the terminal."""

import json
import re
import zipfile

import pytest

from netlab.cli import main
from netlab.errors import ProjectFileError
from netlab.graph.commands import SetParam
from netlab.project import Project, RunRecord, load_project, save_project
from netlab.project.exercise import Exercise, Goal, check_goals
from netlab.templates import new_project


def _exercise_project():
    project = new_project("cnn")
    project.exercise = Exercise([
        Goal("output_shape", (4, 4, 32), node="conv2"),
        Goal("max_parameters", 20_000),
        Goal("max_flops", 100_000),
        Goal("uses_layer", "Dropout"),
        Goal("uses_layer", "Conv2D", count=3),
    ], locked=["digits", "classifier"])  # fmt: skip
    return project


def _met(project):
    return [tick.met for tick in check_goals(project)]


def test_goals_tick_and_untick_as_the_network_changes():
    project = _exercise_project()
    assert _met(project) == [True, True, True, True, False]
    graph = project.graph
    conv2 = graph.node_by_name("conv2").id
    SetParam(conv2, "filters", 64).do(graph)  # wider: the shape, the budgets no longer hold
    ticks = check_goals(project)
    assert [t.met for t in ticks] == [False, False, False, True, False]
    assert ticks[0].detail == "has (None, 4, 4, 64)"
    assert ticks[1].detail == "has 26,538"  # 160 + (9*16*64 + 64) + (2*2*64*64 + 64) + 650
    SetParam(conv2, "filters", 32).do(graph)
    assert _met(project) == [True, True, True, True, False]
    SetParam(graph.node_by_name("conv1").id, "strides", 2).do(graph)  # a stride halves it
    assert check_goals(project)[0].detail == "has (None, 2, 2, 32)"


def test_the_accuracy_goal_counts_the_latest_run_of_this_very_network():
    project = new_project("cnn")
    project.exercise = Exercise([Goal("min_val_accuracy", 0.9)])
    assert check_goals(project)[0].detail == "not trained yet"
    epochs = [{"epoch": 0, "loss": 0.5, "val_accuracy": 0.85},
              {"epoch": 1, "loss": 0.2, "val_accuracy": 0.93}]  # fmt: skip
    project.runs.append(RunRecord("run1", "Run 1", project.graph.to_dict(), {}, epochs=epochs))
    tick = check_goals(project)[0]
    assert tick.met
    assert tick.detail == "reached 93.0%"
    SetParam(project.graph.node_by_name("hidden").id, "units", 16).do(project.graph)
    tick = check_goals(project)[0]
    assert not tick.met
    assert tick.detail == "trained, but not this network"
    project.graph.nodes[project.graph.node_by_name("conv1").id].pos = (500.0, 500.0)
    SetParam(project.graph.node_by_name("hidden").id, "units", 64).do(project.graph)
    assert check_goals(project)[0].met  # moving a node does not change the network


def test_goals_and_locks_survive_the_file(tmp_path):
    project = _exercise_project()
    save_project(tmp_path / "ex.netlab", project)
    again = load_project(tmp_path / "ex.netlab")
    assert again.exercise.goals == project.exercise.goals
    assert again.exercise.locked == ["digits", "classifier"]
    save_project(tmp_path / "plain.netlab", new_project("cnn"))
    with zipfile.ZipFile(tmp_path / "plain.netlab") as z:
        assert "exercise" not in json.loads(z.read("project.json"))


@pytest.mark.parametrize(("entry", "message"), [
    ([], "exercise: expected an object"),
    ({"goals": [{"kind": "magic"}]}, "exercise.goals[0]: a goal needs a 'kind'"),
    ({"goals": [{"kind": "max_flops", "value": "lots"}]}, "invalid value 'lots'"),
    ({"goals": [{"kind": "output_shape", "value": [4, -1], "node": "x"}]}, "invalid value"),
    ({"goals": [{"kind": "min_val_accuracy", "value": 1.5}]}, "invalid value 1.5"),
    ({"locked": "conv1"}, "exercise.locked: expected a list of node names"),
])  # fmt: skip
def test_a_bad_exercise_is_refused_in_one_line(tmp_path, entry, message):
    save_project(tmp_path / "ex.netlab", new_project("cnn"))
    with zipfile.ZipFile(tmp_path / "ex.netlab") as z:
        members = {name: z.read(name) for name in z.namelist()}
    document = json.loads(members["project.json"])
    document["exercise"] = entry
    members["project.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(tmp_path / "bad.netlab", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(ProjectFileError, match=re.escape(message)) as caught:
        load_project(tmp_path / "bad.netlab")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "bad.netlab"))


def test_netlab_check_prints_the_ticks_of_each_file(tmp_path, capsys):
    passing = Project(new_project("cnn").graph,
                      exercise=Exercise([Goal("uses_layer", "Conv2D", count=2)]))  # fmt: skip
    save_project(tmp_path / "alice.netlab", passing)
    save_project(tmp_path / "bob.netlab", _exercise_project())
    assert main(["check", str(tmp_path / "alice.netlab")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'alice.netlab'}: 1 of 1 goals met", "  ✔ uses Convolution 2D at least 2 "
        "times (has 2)"]  # fmt: skip
    (tmp_path / "broken.netlab").write_text("not a zip")
    files = [str(tmp_path / n) for n in ("alice.netlab", "bob.netlab", "broken.netlab")]
    assert main(["check", *files]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'bob.netlab'}: 4 of 5 goals met" in out
    assert "  ✔ conv2 outputs (None, 4, 4, 32) (has (None, 4, 4, 32))" in out
    assert "  ✘ uses Convolution 2D at least 3 times (has 2)" in out
    assert f"{tmp_path / 'broken.netlab'}: cannot check:" in out
