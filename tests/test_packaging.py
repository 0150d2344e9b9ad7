"""NetLab as a user installs it: the wheel, in a fresh venv, used from outside the source tree.

The wheel is built from a copy of the tree (setuptools builds in place) without
build isolation, and installed without dependencies into a new venv that borrows
the running environment's packages through a ``.pth`` file: nothing is downloaded.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import netlab

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("netlab", "ui")
GENERATED = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "build", "dist", "*.egg-info",
                                   ".pytest_cache", ".ruff_cache", ".hypothesis")  # fmt: skip
TIMEOUT = 600  # generous: only a hang should fail these, never a slow machine


def _source_files(pattern: str) -> set[str]:
    return {path.relative_to(ROOT).as_posix() for package in PACKAGES
            for path in (ROOT / package).rglob(pattern)
            if path.is_file() and "__pycache__" not in path.parts}  # fmt: skip


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                            check=False, **kwargs)  # fmt: skip
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, tmp / "src", ignore=GENERATED)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--no-index", "--wheel-dir", str(tmp / "dist"), str(tmp / "src")])  # fmt: skip
    (built,) = (tmp / "dist").glob("netlab-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(prefix)])
    python = prefix / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    borrowed = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    Path(site.stdout.strip(), "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)])  # fmt: skip
    return prefix


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A working folder outside the source tree, and an environment with a home of its own."""
    folder = tmp_path_factory.mktemp("user")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    env.update(HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_DATA_HOME=str(folder / "data"), NETLAB_RECOVERY_DIR=str(folder / "recovery"),
               QT_QPA_PLATFORM="offscreen")  # fmt: skip
    return folder, env


def test_wheel_holds_every_module_the_data_and_its_licence(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    in_packages = {n for n in names if n.split("/")[0] in PACKAGES}
    assert {n for n in in_packages if n.endswith(".py")} == _source_files("*.py")
    data = {n for n in in_packages if not n.endswith(".py")}
    assert data == {p for p in _source_files("*") if p.startswith("netlab/resources/")}
    assert "netlab/resources/datasets/digits.csv.gz" in data
    assert "netlab/resources/icons/netlab.svg" in data
    dist_info = f"netlab-{netlab.__version__}.dist-info"
    assert f"{dist_info}/licenses/netlab/resources/datasets/digits.scikit-learn-COPYING" in names
    assert not [n for n in names if n.split("/")[0] not in (*PACKAGES, dist_info)]
    metadata = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode())
    assert metadata["Version"] == netlab.__version__
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]  # fmt: skip
    assert metadata.get_all("Requires-Dist") == pins
    scripts = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "netlab = ui.launcher:main" in scripts
    assert "netlab-gui = ui.launcher:gui_main" in scripts


def test_installed_commands_work_outside_the_source_tree(venv, outside):
    folder, env = outside
    netlab_command = str(venv / "bin" / "netlab")
    version = _run([netlab_command, "--version"], cwd=folder, env=env)
    assert version.stdout.strip() == f"netlab {netlab.__version__}"
    _run([netlab_command, "new", "cnn", "-o", "cnn.netlab"], cwd=folder, env=env)
    trained = _run([netlab_command, "train", "cnn.netlab", "--epochs", "1", "--data", "digits"],
                   cwd=folder, env=env)  # fmt: skip
    assert "saved cnn.netlab" in trained.stdout
    info = _run([netlab_command, "info", "cnn.netlab"], cwd=folder, env=env)
    assert "weights saved" in info.stdout
    assert "1 epochs" in info.stdout
    module = _run([str(venv / "bin" / "python"), "-m", "netlab", "--version"], cwd=folder, env=env)
    assert module.stdout.strip() == f"netlab {netlab.__version__}"


IMPORT_ALL = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    module = importlib.import_module(name)
    assert module.__file__.startswith(sys.prefix), (name, module.__file__, sys.prefix)
print(len(names), "modules")
"""


def test_every_module_imports_from_the_installed_wheel(venv, outside):
    folder, env = outside
    names = sorted(p.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                   for p in _source_files("*.py"))  # fmt: skip
    result = _run([str(venv / "bin" / "python"), "-c", IMPORT_ALL, json.dumps(names)],
                  cwd=folder, env=env)  # fmt: skip
    assert result.stdout.strip() == f"{len(names)} modules"


@pytest.mark.parametrize("command", ["netlab", "netlab-gui"])
def test_installed_app_opens_a_project_offscreen(venv, outside, command):
    folder, env = outside
    _run([str(venv / "bin" / "netlab"), "new", "mlp", "-o", f"{command}.netlab"], cwd=folder,
         env=env)  # fmt: skip
    shown = _run([str(venv / "bin" / command), f"{command}.netlab"], cwd=folder,
                 env={**env, "NETLAB_QUIT_AFTER_MS": "3000"})  # fmt: skip
    assert f"NetLab window: {command}" in shown.stdout
    assert "layers, valid" in shown.stdout
