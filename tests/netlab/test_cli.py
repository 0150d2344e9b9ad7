import json
import subprocess
import sys

import keras
import numpy as np
import pytest

import netlab
from netlab.cli import main
from netlab.graph.graph_file import load_graph, save_graph
from netlab.templates import cnn


def _run(*args):
    return subprocess.run([sys.executable, "-m", "netlab", *args], capture_output=True, text=True,
                          check=False, timeout=300)  # fmt: skip


def test_layers_lists_the_library(capsys):
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    assert "TransformerBlock" in out
    assert "ResidualBlock" in out


def test_version_and_bad_command():
    ok = _run("--version")
    assert ok.returncode == 0
    assert ok.stdout.strip() == f"netlab {netlab.__version__}"
    bad = _run("fly")
    assert bad.returncode == 2
    assert "invalid choice: 'fly'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_new_list_and_info(tmp_path, capsys):
    assert main(["new", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [
        "empty", "mlp", "cnn", "playground", "deep-plain", "deep-residual", "resnet34",
        "resnet34-expanded", "resnet34-small", "densenet121", "transformer", "vit-b16",
        "vit-tiny",
    ]  # fmt: skip
    path = tmp_path / "net.json"
    assert main(["new", "resnet34", "-o", str(path)]) == 0
    assert main(["info", str(path)]) == 0
    table = capsys.readouterr().out
    assert "stage5_block3" in table
    assert "(None, 7, 7, 512)" in table
    assert "trainable 21,797,672" in table
    assert "FLOPs 3.66 G (multiply-adds per example)" in table
    assert main(["info", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameters"]["trainable"] == 21_797_672
    assert data["parameters"]["non_trainable"] == 17_024
    assert data["problems"] == []
    assert data["flops"] == sum(n["flops"] for n in data["nodes"])
    fc = next(n for n in data["nodes"] if n["name"] == "fc")
    assert fc == {"name": "fc", "type": "Dense", "output_shape": "(None, 1000)",
                  "parameters": 512_000 + 1000, "flops": 512_000}  # fmt: skip


def test_info_of_an_invalid_graph_exits_1(tmp_path, capsys):
    graph = cnn()
    graph.node_by_name("conv1").params["kernel_size"] = 11
    save_graph(tmp_path / "bad.json", graph)
    assert main(["info", str(tmp_path / "bad.json"), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert problems[0]["node"] == "conv1"
    assert problems[0]["field"] == "kernel_size"


def test_import_and_export(tmp_path):
    graph_file = tmp_path / "cnn.json"
    save_graph(graph_file, cnn())
    assert main(["export", str(graph_file), "--to", str(tmp_path / "cnn.keras")]) == 0
    model = keras.saving.load_model(tmp_path / "cnn.keras")
    assert model.count_params() == 13_706
    assert main(["import", str(tmp_path / "cnn.keras"), "-o", str(tmp_path / "back.json")]) == 0
    back = load_graph(tmp_path / "back.json")
    assert [n.name for n in back.nodes.values()][:3] == ["digits", "conv1", "pool1"]
    assert main(["export", str(graph_file), "--to", str(tmp_path / "cnn.py")]) == 0
    run = subprocess.run([sys.executable, str(tmp_path / "cnn.py")], capture_output=True,
                         text=True, check=False, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "13,706" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "lenet", "-o", "x.json"], "no template named 'lenet'"),
        (["new", "cnn"], "new needs a TEMPLATE and -o FILE"),
        (["info", "missing.json"], "missing.json: no such file"),
        (["info", "garbage.json"], "garbage.json: not valid JSON (line 1)"),
        (["info", "other.json"], "other.json: not a NetLab graph file"),
        (["info", "future.json"], "format_version 99 is newer than this NetLab understands"),
        (["info", "dangling.json"], "dangling.json: no node with id 'n99'"),
        (["export", "ok.json", "--to", "model.tflite"], "model.tflite: export writes .keras"),
        (["info", "broken.netlab"], "broken.netlab: not a NetLab project (not a valid zip"),
        (["new", "cnn", "-o", "x.txt"], "x.txt: write a .netlab project or a .json graph file"),
        (["import", "missing.keras", "-o", "x.json"], "missing.keras: no such file"),
        (["new", "cnn", "-o", "no/such/dir/x.json"], "cannot write"),
    ],
)
def test_errors_are_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.json").write_text("{nope")
    (tmp_path / "broken.netlab").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "other.json").write_text('{"format": "something"}')
    (tmp_path / "future.json").write_text('{"format": "netlab-graph", "format_version": 99}')
    save_graph(tmp_path / "ok.json", cnn())
    data = json.loads((tmp_path / "ok.json").read_text())
    data["graph"]["edges"].append({"src": "n99", "dst": "n2", "port": 1})
    (tmp_path / "dangling.json").write_text(json.dumps(data))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("netlab: error: ")


def test_project_files_through_the_command_line(tmp_path, capsys):
    from netlab.project import build_with_weights, load_project, save_project
    from tests.netlab.project.helpers import inputs_for, sample_project

    project_file = tmp_path / "p.netlab"
    save_project(project_file, sample_project("cnn", runs=2))
    assert main(["info", str(project_file)]) == 0
    text = capsys.readouterr().out
    assert "weights saved" in text
    assert "run run2 (Run 2): stopped, 3 epochs; loss 0.3333, val_accuracy 0.7" in text
    assert main(["info", str(project_file), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["final"]["val_accuracy"] for r in runs] == [0.7, 0.7]
    assert runs[1]["config"]["batch_size"] == 64
    model_file = tmp_path / "m.keras"
    assert main(["export", str(project_file), "--to", str(model_file)]) == 0
    assert main(["export", str(project_file), "--to", str(tmp_path / "m.weights.h5")]) == 0
    assert main(["export", str(project_file), "--to", str(tmp_path / "m.onnx")]) == 0
    assert main(["import", str(model_file), "-o", str(tmp_path / "back.netlab")]) == 0
    back = load_project(tmp_path / "back.netlab")
    original = build_with_weights(load_project(project_file))
    x = inputs_for(original, 2)
    np.testing.assert_array_equal(
        build_with_weights(back).predict(x, verbose=0), original.predict(x, verbose=0)
    )
    assert main(["new", "vit-tiny", "-o", str(tmp_path / "v.netlab")]) == 0
    assert load_project(tmp_path / "v.netlab").weights is None
