"""Every lab in quick mode: its claims must hold; the command line prints and writes them."""

import json

import pytest

from netlab import labs
from netlab.cli import main
from netlab.labs.measures import conv_sizes
from netlab.labs.spec import Claim
from netlab.project import load_project


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(labs.LABS))
def test_each_lab_bears_out_its_claims_in_quick_mode(name):
    lab = labs.get(name)
    result = labs.LabRun(lab, quick=True).run()
    assert [a.arm.label for a in result.arms] == [a.label for a in lab.arms_to_run(True)]
    assert all(a.row["status"] == "finished" for a in result.arms), result.rows
    verdicts = result.verdicts()
    assert all(held is not False for _, held in verdicts), labs.result_lines(result)
    measured = [held for claim, held in verdicts if isinstance(claim, str)
                or {claim.better, claim.worse} <= set(result.rows)]  # fmt: skip
    assert measured, labs.result_lines(result)
    assert all(measured), labs.result_lines(result)


def test_the_conv_size_table_agrees_with_keras_and_marks_the_rounding():
    rows = conv_sizes()
    assert len(rows) == 27
    assert all(r["formula"] == r["NetLab"] == r["Keras"] for r in rows)
    lecture = {(r["K"], r["p"], r["s"]): r["Keras"] for r in rows}
    assert (lecture[3, 0, 1], lecture[3, 1, 1], lecture[3, 1, 2]) == (6, 8, 4)
    rounds = {(r["K"], r["p"], r["s"]): r["rounds"] for r in rows}
    assert rounds[3, 1, 2]
    assert rounds[3, 0, 2]
    assert not rounds[3, 1, 1]
    assert not rounds[3, 2, 3]



def test_claims_compare_the_named_column():
    claim = Claim("a beats b", "loss", "a", "b")
    assert claim.holds({"a": {"loss": 0.1}, "b": {"loss": 0.5}}) is True
    assert claim.holds({"a": {"loss": 0.9}, "b": {"loss": 0.5}}) is False
    assert claim.holds({"a": {"loss": 0.9}}) is None
    assert claim.holds({"a": {"loss": None}, "b": {"loss": 0.5}}) is None
    higher = Claim("a beats b", "val_accuracy", "a", "b", higher=True)
    assert higher.holds({"a": {"val_accuracy": 0.9}, "b": {"val_accuracy": 0.5}}) is True


def test_every_lab_is_complete_data():
    assert len(labs.LABS) >= 7
    for lab in labs.LABS.values():
        labels = [a.label for a in lab.arms]
        assert len(set(labels)) == len(labels) >= 2, lab.name
        assert set(lab.quick_arms) <= set(labels), lab.name
        for claim in lab.claims:
            assert {claim.better, claim.worse} <= set(labels), (lab.name, claim.text)
        assert lab.question
        assert lab.look_at
        assert lab.reading


def test_lab_list_and_errors(capsys):
    assert main(["lab", "--list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == list(labs.LABS)
    assert main(["lab", "no-such-lab"]) == 2
    assert "no lab named 'no-such-lab'" in capsys.readouterr().err
    assert main(["lab"]) == 2


@pytest.mark.heavy
def test_lab_command_prints_the_table_and_writes_the_projects(tmp_path, capsys):
    out = tmp_path / "lab"
    assert main(["lab", "padding-stride", "--quick", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "held: Stride 2 needs fewer FLOPs than stride 1" in text
    assert "stride 1" in text
    assert "FLOPs" in text
    assert sorted(p.name for p in out.iterdir()) == [
        "curves.png", "result.json", "stride-1.netlab", "stride-2.netlab"]  # fmt: skip
    result = json.loads((out / "result.json").read_text())
    assert [r["arm"] for r in result["rows"]] == ["stride 1", "stride 2"]
    assert [c["holds"] for c in result["claims"]] == [True, True]
    assert result["claims"][1]["claim"] == "Stride 2 needs fewer FLOPs than stride 1"
    assert len(result["table"]) == 27
    project = load_project(out / "stride-2.netlab")
    assert len(project.runs) == 1
    assert project.weights is not None
    assert project.runs[0].epochs[-1]["val_accuracy"] == result["rows"][1]["val_accuracy"]
