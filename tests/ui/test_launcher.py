"""`netlab` / `netlab-gui`: the app, a file opened in it, or a sub-command without Qt."""

import subprocess
import sys
from pathlib import Path

import keras
import pytest

import ui.app
from netlab.project import save_project
from netlab.templates import new_project
from tests.ui.conftest import wait_for_import
from ui import launcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(monkeypatch):
    """Records what the window would have been asked to open, instead of opening it."""
    calls = []
    monkeypatch.setattr(ui.app, "run", lambda open_path=None: calls.append(open_path) or 0)
    return calls


def test_no_arguments_open_the_app(opened):
    assert launcher.main([]) == 0
    assert launcher.gui_main([]) == 0
    assert opened == [None, None]


@pytest.mark.parametrize("name", ["model.netlab", "Model.KERAS"])
def test_one_project_or_keras_file_opens_in_the_app(tmp_path, opened, name):
    (tmp_path / name).write_bytes(b"")
    assert launcher.main([str(tmp_path / name)]) == 0
    assert launcher.gui_main([str(tmp_path / name)]) == 0
    assert opened == [str(tmp_path / name)] * 2


def test_a_missing_file_is_one_line_error(tmp_path, opened, capsys):
    assert launcher.main([str(tmp_path / "gone.netlab")]) == 2
    assert capsys.readouterr().err == f"netlab: error: {tmp_path / 'gone.netlab'}: no such file\n"
    assert opened == []


def test_gui_refuses_anything_but_one_file(opened, capsys):
    assert launcher.gui_main(["layers"]) == 2
    assert launcher.gui_main(["a.netlab", "b.netlab"]) == 2
    assert "usage: netlab-gui" in capsys.readouterr().err
    assert opened == []


def test_other_arguments_are_the_command_line(opened, capsys):
    with pytest.raises(SystemExit) as exited:
        launcher.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("netlab ")
    assert launcher.main(["new", "--list"]) == 0
    assert "vit-tiny" in capsys.readouterr().out
    assert opened == []


def test_a_sub_command_loads_no_qt():
    code = ("import sys\nfrom ui.launcher import main\nassert main(['layers']) == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=240, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_open_given_file_opens_a_project_or_imports_a_keras_model(make_window, tmp_path, qtbot):
    window = make_window()
    save_project(tmp_path / "digits.netlab", new_project("mlp"))
    ui.app.open_given_file(window, str(tmp_path / "digits.netlab"))
    assert window.document.path == str(tmp_path / "digits.netlab")
    inputs = keras.Input((4,))
    keras.Model(inputs, keras.layers.Dense(3)(inputs)).save(tmp_path / "tiny.keras")
    ui.app.open_given_file(window, str(tmp_path / "tiny.keras"))
    wait_for_import(window, qtbot)
    assert window.document.path is None  # imported: a new project, not yet saved
    assert len(window.document.graph.nodes) == 3
