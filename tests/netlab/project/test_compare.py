"""Runs side by side across projects, and the diff and runs commands."""

from netlab.cli import main
from netlab.graph.commands import SetParam
from netlab.project import RunRecord, save_project
from netlab.project.compare import best_metric, run_rows
from netlab.templates import new_project


def _run(project, run_id, epochs, **config):
    project.runs.append(RunRecord(run_id, run_id, project.graph.to_dict(),
                                  {**project.training, **config}, epochs=epochs))  # fmt: skip


def test_each_run_is_measured_on_the_network_it_trained():
    project = new_project("cnn")
    _run(project, "run1", [{"loss": 1.0, "val_accuracy": 0.8, "seconds": 2.0},
                           {"loss": 0.5, "val_accuracy": 0.9, "seconds": 4.0}])  # fmt: skip
    SetParam(project.graph.node_by_name("conv2").id, "filters", 64).do(project.graph)
    _run(project, "run2", [{"loss": 0.7, "seconds": 1.0}], optimizer="sgd", batch_size=8)
    project.runs.append(RunRecord("run3", "failed at once", project.graph.to_dict(), {}))
    first, second = run_rows(project, "cnn.netlab")
    assert (first.parameters, first.flops) == (13_706, 91_776)
    assert second.parameters > first.parameters
    assert second.flops > first.flops
    assert (first.metric, first.best, first.seconds_per_epoch) == ("val_accuracy", 0.9, 3.0)
    assert (second.metric, second.best) == ("loss", 0.7)
    assert second.settings == "sgd, lr 0.003, batch 8, digits"
    assert first.architecture == ("Convolution 2D x2, Dense (fully connected) x2")
    assert best_metric([{"val_loss": 0.4}, {"val_loss": float("nan")}]) == ("val_loss", 0.4)


def test_runs_and_diff_commands(tmp_path, capsys):
    a, b = new_project("cnn"), new_project("cnn")
    _run(a, "run1", [{"loss": 0.5, "val_accuracy": 0.7}])
    SetParam(b.graph.node_by_name("hidden").id, "units", 16).do(b.graph)
    _run(b, "run1", [{"loss": 0.4, "val_accuracy": 0.95}])
    save_project(tmp_path / "a.netlab", a)
    save_project(tmp_path / "b.netlab", b)
    assert main(["runs", str(tmp_path / "a.netlab"), str(tmp_path / "b.netlab")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("b.netlab")  # best first
    assert "val_accuracy 0.95" in lines[1]
    assert lines[2].startswith("a.netlab")
    assert main(["diff", str(tmp_path / "a.netlab"), str(tmp_path / "b.netlab")]) == 1
    assert capsys.readouterr().out.splitlines() == ["~ hidden: units 64 -> 16"]
    assert main(["diff", str(tmp_path / "a.netlab"), str(tmp_path / "a.netlab")]) == 0
    assert capsys.readouterr().out == "same network\n"
