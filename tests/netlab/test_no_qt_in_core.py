"""`import netlab` (and its layers) must load no Qt module: the core is headless."""

import ast
import json
import subprocess
import sys
from pathlib import Path

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "ui")


def _modules_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=240
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _qt(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in QT_PREFIXES]


def test_import_netlab_loads_no_qt_and_no_keras():
    modules = _modules_after("import netlab")
    assert _qt(modules) == []
    # Keras (and so TensorFlow) is deferred: the window must not wait for it.
    assert "keras" not in modules
    assert "tensorflow" not in modules


def test_import_netlab_layers_loads_no_qt():
    modules = _modules_after("import netlab.layers")
    assert "keras" in modules
    assert _qt(modules) == []


def test_no_source_file_in_netlab_imports_qt():
    root = Path(__file__).resolve().parents[2] / "netlab"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in QT_PREFIXES]
    assert offenders == []
