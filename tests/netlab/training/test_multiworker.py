"""Multi-worker training is refused with the reason, before anything is trained or saved."""

from netlab.cli import main
from netlab.project import load_project, save_project
from netlab.templates import new_project


def test_multiworker_is_refused_clearly(tmp_path, capsys):
    save_project(tmp_path / "p.netlab", new_project("mlp"))
    before = (tmp_path / "p.netlab").read_bytes()
    assert main(["train", str(tmp_path / "p.netlab"), "--distribute", "multiworker"]) == 2
    err = capsys.readouterr().err
    assert "multi-worker training is not available" in err
    assert "keras-team/keras issue 20585" in err
    assert (tmp_path / "p.netlab").read_bytes() == before
    assert load_project(tmp_path / "p.netlab").runs == []
