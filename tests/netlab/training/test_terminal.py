"""`netlab train` from the terminal: progress, table, saved run and weights, plot."""

import subprocess
import sys

import numpy as np
from PIL import Image

from netlab.cli import main
from netlab.project import build_with_weights, load_project, save_project
from netlab.templates import new_project
from tests.netlab.project.helpers import inputs_for


def test_train_saves_run_and_weights_and_plots(tmp_path, capsys):
    project = new_project("mlp")
    project.training.update(epochs=3, batch_size=64)
    save_project(tmp_path / "p.netlab", project)
    code = main(["train", str(tmp_path / "p.netlab"), "--epochs", "2", "-o",
                 str(tmp_path / "out.netlab"), "--plot", str(tmp_path / "curves.png")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "epoch      accuracy          loss  val_accuracy      val_loss  seconds" in out
    rows = [line.split()[0] for line in out.splitlines() if line.startswith("    ")]
    assert rows == ["1", "2"]
    trained = load_project(tmp_path / "out.netlab")
    assert [r.id for r in trained.runs] == ["run1"]
    assert trained.runs[0].config["epochs"] == 2
    assert len(trained.runs[0].epochs) == 2
    assert trained.weights is not None
    image = Image.open(tmp_path / "curves.png")
    assert image.size == (1040, 360)
    # A second run continues from the saved weights and is recorded beside the first.
    assert main(["train", str(tmp_path / "out.netlab"), "--epochs", "1"]) == 0
    again = load_project(tmp_path / "out.netlab")
    assert [r.id for r in again.runs] == ["run1", "run2"]
    assert again.runs[1].epochs[0]["loss"] < trained.runs[0].epochs[0]["loss"]
    model = build_with_weights(again)
    assert np.isfinite(model.predict(inputs_for(model), verbose=0)).all()


def test_train_failures_are_one_line(tmp_path, capsys):
    save_project(tmp_path / "p.netlab", new_project("cnn"))
    assert main(["train", str(tmp_path / "p.netlab"), "--data", "nowhere.csv"]) == 2
    assert "nowhere.csv: no such file, folder or data set" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "p.netlab"), "--data", "spirals", "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert "training failed: the data does not fit the network" in err
    assert main(["train", str(tmp_path / "p.netlab"), "--epochs", "0"]) == 2
    assert "epochs must be a whole number from 1" in capsys.readouterr().err


def test_default_example_reaches_97_percent_from_the_command_line(tmp_path):
    # The quality bar of the issue: the default example, CPU, as a user runs it.
    subprocess.run([sys.executable, "-m", "netlab", "new", "cnn", "-o", str(tmp_path / "d.netlab")],
                   check=True)  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "netlab", "train", str(tmp_path / "d.netlab")],
                         capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    best = max(e["val_accuracy"] for e in load_project(tmp_path / "d.netlab").runs[0].epochs)
    final = load_project(tmp_path / "d.netlab").runs[0].epochs[-1]["val_accuracy"]
    assert final >= 0.97, (final, best)
