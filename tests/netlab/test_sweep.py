"""Hyperparameter sweeps: the search space as users write it, trials in worker processes,
pruning, the project file and the command line."""

import json
import math

import pytest

from netlab.cli import main
from netlab.errors import NetLabError, ProjectFileError
from netlab.graph.commands import SetParam
from netlab.project import load_project, save_project
from netlab.sweep import (
    Dimension,
    Sweep,
    SweepRunner,
    current_values,
    parse_dimension,
    table,
    trial_command,
)
from netlab.templates import new_project
from netlab.training.processes import WorkerPool

SWEEP_TIMEOUT = 600  # hang guard only


@pytest.fixture
def mlp():
    project = new_project("mlp")
    project.training.update(epochs=2, schedule="constant")
    return project


@pytest.fixture
def pool():
    workers = WorkerPool()
    yield workers
    workers.close()


def test_dimensions_are_read_as_users_write_them(mlp):
    lr = parse_dimension("learning_rate=1e-4:1e-1:log", mlp.graph)
    assert (lr.key, lr.low, lr.high, lr.log, lr.integer) == ("learning_rate", 1e-4, 0.1, True,
                                                             False)  # fmt: skip
    assert lr.grid() == pytest.approx([1e-4, 5.623e-4, 3.162e-3, 1.778e-2, 0.1], rel=1e-3)
    units = parse_dimension("units@hidden1=16,32,64", mlp.graph)
    assert (units.key, units.choices) == ("units@hidden1", (16, 32, 64))
    epochs = parse_dimension("epochs=2:6", mlp.graph)
    assert epochs.integer
    assert epochs.grid() == [2, 3, 4, 5, 6]
    optimizer = parse_dimension("optimizer=adam,sgd", mlp.graph)
    assert optimizer.choices == ("adam", "sgd")
    assert parse_dimension("use_bias@hidden2=true,false", mlp.graph).choices == (True, False)
    for dimension in (lr, units, epochs, optimizer):
        assert parse_dimension(dimension.describe(), mlp.graph) == dimension
        assert Dimension.from_dict(json.loads(json.dumps(dimension.to_dict()))) == dimension


@pytest.mark.parametrize(("text", "says"), [
    ("learning_rate", "write NAME=LOW:HIGH"),
    ("learnig_rate=1:2", "not a training setting"),
    ("units@hidden9=16,32", "no layer named 'hidden9'"),
    ("filters@hidden1=16,32", "Dense has no parameter 'filters'"),
    ("learning_rate=0.1:0.01", "low end must be below"),
    ("momentum=0:0.9:log", "log range must start above 0"),
    ("learning_rate=0:0.1", "learning_rate must be a number from 1e-08"),
    ("learning_rate=1e-4:x", "'x' is not a number"),
    ("units@hidden1=16:64.5", "whole numbers"),
    ("units@hidden1=0,16", "units must be"),
    ("optimizer=adam:sgd", "takes choices"),
    ("optimizer=adam,nadam", "optimizer must be"),
    ("units@hidden1=16,16", "different values"),
    ("dataset=digits,spirals", "not a training setting"),
    ("learning_rate=1e-4:1e-1:lin", "LOW:HIGH:log"),
])  # fmt: skip
def test_a_bad_dimension_is_one_line_naming_it(mlp, text, says):
    with pytest.raises(NetLabError, match=None) as caught:
        parse_dimension(text, mlp.graph)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message


def test_trial_values_become_one_undoable_edit(mlp):
    sweep = Sweep("sweep1", [parse_dimension("units@hidden1=16,32", mlp.graph),
                             parse_dimension("learning_rate=1e-3:1e-2", mlp.graph)])  # fmt: skip
    assert current_values(mlp, sweep) == {"units@hidden1": 64, "learning_rate": 0.003}
    before = mlp.graph.to_dict()
    command = trial_command(mlp.graph, sweep, {"units@hidden1": 16, "learning_rate": 0.005})
    command.apply(mlp.graph)
    hidden1 = next(n for n in mlp.graph.nodes.values() if n.name == "hidden1")
    assert hidden1.params["units"] == 16
    command.revert(mlp.graph)
    assert mlp.graph.to_dict() == before
    assert isinstance(command.commands[0], SetParam)


def _finished(sweep):
    return [t for t in sweep.trials if t.state != "running"]


@pytest.mark.heavy
def test_a_seeded_sweep_gives_the_same_trials_twice_and_keeps_each_as_a_run(mlp, pool,
                                                                           tmp_path):  # fmt: skip
    results = []
    for _ in range(2):
        project = new_project("mlp")
        project.training.update(epochs=1, schedule="constant")
        sweep = Sweep("sweep1", [parse_dimension("learning_rate=1e-4:1e-1:log", project.graph),
                                 parse_dimension("units@hidden1=8,16,32", project.graph)],
                      strategy="tpe", trials_budget=4, seed=3, prune=False)  # fmt: skip
        SweepRunner(project, sweep, pool).run()
        results.append(project)
        assert len(sweep.trials) == 4
        assert all(t.state == "complete" for t in sweep.trials), [t.reason for t in sweep.trials]
        # No baseline trial: the project's 64 units are not among the choices.
        assert all(t.values["units@hidden1"] in (8, 16, 32) for t in sweep.trials)
        assert [r.id for r in project.runs] == [t.run_id for t in sweep.trials]
        for trial, run in zip(sweep.trials, project.runs, strict=True):
            assert run.config["learning_rate"] == pytest.approx(trial.values["learning_rate"])
            hidden1 = next(n for n in run.graph["nodes"] if n["name"] == "hidden1")
            assert hidden1["params"]["units"] == trial.values["units@hidden1"]
            assert trial.score == min(e["val_loss"] for e in run.epochs)
            assert trial.parameters == 64 * trial.values["units@hidden1"] + \
                trial.values["units@hidden1"] + trial.values["units@hidden1"] * 32 + 32 + \
                32 * 10 + 10  # fmt: skip
    first, second = (p.sweeps[0] for p in results)
    assert [t.values for t in first.trials] == [t.values for t in second.trials]
    assert [t.score for t in first.trials] == pytest.approx([t.score for t in second.trials],
                                                            rel=1e-5)  # fmt: skip
    best = first.best()
    assert best.score == min(t.score for t in first.trials)
    assert table(first)[0]["trial"] == best.number
    # Saved and opened again: the sweep, its trials and their runs.
    path = tmp_path / "swept.netlab"
    save_project(path, results[0])
    again = load_project(path)
    assert again.sweeps[0].to_dict() == first.to_dict()
    assert [r.id for r in again.runs] == [t.run_id for t in first.trials]


@pytest.mark.heavy
def test_a_trial_behind_the_first_is_pruned_and_a_diverging_one_fails(mlp, pool):
    # The project's own learning rate learns; 1e-6 does not: after its first epoch it is
    # behind the median of the trials before it and is stopped there. 10 diverges.
    mlp.training.update(epochs=4, learning_rate=0.01)
    sweep = Sweep("sweep1", [parse_dimension("learning_rate=0.01,1e-6,10.0", mlp.graph)],
                  strategy="grid", trials_budget=3, seed=0)  # fmt: skip
    ended = []
    SweepRunner(mlp, sweep, pool, on_trial=lambda t, _r: ended.append(t)).run()
    by_lr = {t.values["learning_rate"]: t for t in sweep.trials}
    assert sweep.trials[0].values["learning_rate"] == 0.01  # the baseline came first
    assert by_lr[0.01].state == "complete"
    assert by_lr[0.01].epochs == 4
    slow = by_lr[1e-6]
    assert slow.state in ("pruned", "failed")
    if slow.state == "pruned":
        assert slow.epochs < 4
        assert "pruned after epoch" in slow.reason
    diverged = by_lr[10.0]
    assert diverged.state in ("pruned", "failed")
    assert diverged.epochs < 4
    assert {t.number for t in ended} == {t.number for t in sweep.trials}
    assert sweep.best() is by_lr[0.01]


def test_a_trial_whose_values_do_not_fit_the_data_fails_with_the_reason(mlp, pool):
    sweep = Sweep("sweep1", [parse_dimension("units@classifier=5", mlp.graph)],
                  strategy="grid", trials_budget=1)  # fmt: skip
    SweepRunner(mlp, sweep, pool).run()
    (trial,) = sweep.trials
    assert trial.state == "failed"
    assert trial.reason == ("the data does not fit the network: classifier: the data has 10 "
                            "classes but the network outputs 5 values: set units of 'classifier' "
                            "to 10")  # fmt: skip
    assert trial.run_id == ""
    assert mlp.runs == []
    assert sweep.best() is None


def test_a_damaged_sweep_in_a_file_is_refused_naming_it(mlp, tmp_path):
    sweep = Sweep("sweep1", [parse_dimension("learning_rate=1e-3:1e-2", mlp.graph)])
    mlp.sweeps.append(sweep)
    path = tmp_path / "p.netlab"
    save_project(path, mlp)
    assert load_project(path).sweeps[0].to_dict() == sweep.to_dict()
    import zipfile

    with zipfile.ZipFile(path) as zf:
        document = json.loads(zf.read("project.json"))
    for damage, says in [
        (lambda d: d["sweeps"][0].update(strategy="annealing"), "sweeps[0].strategy"),
        (lambda d: d["sweeps"][0]["dimensions"][0].update(low="x"), "dimensions[0].low"),
        (lambda d: d["sweeps"][0].update(trials=[{"number": 0}]), "trials[0]"),
        (lambda d: d["sweeps"][0].update(extra=1), "unknown field 'extra'"),
        (lambda d: d.update(sweeps={}), "sweeps: expected list"),
        (lambda d: d["sweeps"][0]["trials"].append(
            {"number": 0, "values": {}, "state": "complete", "score": 1.0, "run_id": "run9",
             "seconds": 1.0, "parameters": 1, "epochs": 1, "reason": ""}), "names run 'run9'"),
    ]:  # fmt: skip
        broken = json.loads(json.dumps(document))
        damage(broken)
        bad = tmp_path / "bad.netlab"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
            for item in src.infolist():
                data = src.read(item)
                dst.writestr(item, json.dumps(broken) if item.filename == "project.json" else data)
        with pytest.raises(ProjectFileError, match=None) as caught:
            load_project(bad)
        assert says in str(caught.value)


@pytest.mark.heavy
def test_netlab_sweep_prints_the_table_and_saves_every_trial(tmp_path, capsys):
    source = tmp_path / "mlp.netlab"
    assert main(["new", "mlp", "-o", str(source)]) == 0
    out = tmp_path / "swept.netlab"
    code = main(["sweep", str(source), "--param", "learning_rate=1e-3:3e-2:log",
                 "--param", "units@hidden1=16,32", "--trials", "3", "--strategy", "random",
                 "--epochs", "1", "--jobs", "2", "--no-prune", "-o", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "sweep1: random, up to 3 trials, 2 at a time, minimize val_loss" in printed
    assert printed.count("trial ") >= 3
    assert "best: trial" in printed
    assert load_project(source).sweeps == []  # -o: the source is not changed
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    (sweep,) = info["sweeps"]
    assert len(sweep["trials"]) == 3
    assert {t["run_id"] for t in sweep["trials"]} == {r["id"] for r in info["runs"]}
    assert all(math.isfinite(t["score"]) for t in sweep["trials"])
    assert main(["info", str(out)]) == 0
    assert "sweep1: 3 trials (3 complete), minimize val_loss; best trial" in \
        capsys.readouterr().out  # fmt: skip


def test_netlab_sweep_refuses_bad_parameters_before_training(tmp_path, capsys):
    source = tmp_path / "mlp.netlab"
    assert main(["new", "mlp", "-o", str(source)]) == 0
    capsys.readouterr()
    assert main(["sweep", str(source), "--param", "units@nowhere=1,2"]) == 2
    assert capsys.readouterr().err.strip() == \
        "netlab: error: units@nowhere: the network has no layer named 'nowhere'"  # fmt: skip
    assert main(["sweep", str(source), "--param", "learning_rate=1e-3:1e-2",
                 "--param", "learning_rate=0.1,0.2"]) == 2  # fmt: skip
    assert "given twice" in capsys.readouterr().err
    assert main(["sweep", str(source), "--param", "learning_rate=1e-3:1e-2",
                 "-o", str(tmp_path / "missing" / "x.netlab")]) == 2  # fmt: skip
    assert "does not exist" in capsys.readouterr().err
