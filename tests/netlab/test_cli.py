import subprocess
import sys

import netlab
from netlab.cli import main


def test_layers_lists_the_library(capsys):
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    assert "TransformerBlock" in out
    assert "ResidualBlock" in out


def test_version_and_bad_command():
    ok = subprocess.run(
        [sys.executable, "-m", "netlab", "--version"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0
    assert ok.stdout.strip() == f"netlab {netlab.__version__}"
    bad = subprocess.run(
        [sys.executable, "-m", "netlab", "fly"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "invalid choice: 'fly'" in bad.stderr
    assert "Traceback" not in bad.stderr
