"""Desktop integration on Linux: NetLab in the launcher, projects open with a double-click.

``netlab install-desktop`` writes three files under the XDG data home
(``$XDG_DATA_HOME``, else ``~/.local/share``), as the freedesktop.org
specifications ask:

- ``applications/netlab.desktop``: the launcher entry; it runs ``netlab-gui FILE``;
- ``mime/packages/netlab.xml``: the MIME type ``application/x-netlab`` for ``*.netlab``;
- ``icons/hicolor/scalable/apps/netlab.svg``: the icon of both (shipped as package data).

It then refreshes the desktop's caches with ``update-mime-database`` and
``update-desktop-database`` where they exist. ``--uninstall`` removes those three
files (only if they carry NetLab's marker, so a file of the user's own is left
alone) and refreshes the caches again; the standard folders stay.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import netlab
from netlab.errors import DesktopError

MIME_TYPE = "application/x-netlab"
MARKER = "netlab install-desktop"  # in every file written, so uninstall removes only those
LAUNCHER = "netlab-gui"
ICON = resources.files("netlab") / "resources" / "icons" / "netlab.svg"
# Characters that make the desktop entry spec ask for a quoted Exec argument.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by {MARKER}, which removes it again when given uninstall. -->
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>NetLab project</comment>
    <sub-class-of type="application/zip"/>
    <glob pattern="*.netlab"/>
    <icon name="netlab"/>
  </mime-type>
</mime-info>
"""


@dataclass
class DesktopReport:
    """What :func:`install` or :func:`uninstall` did, for the user to read.

    Attributes:
        written: Files written (install) or removed (uninstall).
        kept: Files left alone because NetLab did not write them.
        refreshed: Cache tools that ran.
        missing_tools: Cache tools not found (the desktop may need a new login).
    """

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    missing_tools: list[str] = field(default_factory=list)


def data_home(environ: Mapping[str, str] = os.environ) -> Path:
    """The XDG data home: ``$XDG_DATA_HOME`` if set and absolute, else ``~/.local/share``."""
    given = environ.get("XDG_DATA_HOME", "")
    return Path(given) if os.path.isabs(given) else Path.home() / ".local" / "share"


def target_files(home: Path) -> dict[str, Path]:
    """Where the entry, the MIME type and the icon go under the data home ``home``."""
    return {
        "entry": home / "applications" / "netlab.desktop",
        "mime": home / "mime" / "packages" / "netlab.xml",
        "icon": home / "icons" / "hicolor" / "scalable" / "apps" / "netlab.svg",
    }


def find_launcher(folders: Sequence[Path] | None = None) -> Path:
    """The installed ``netlab-gui`` script: next to this Python, in its scripts folder or on PATH.

    Raises:
        DesktopError: If there is none (NetLab was not installed with pip).
    """
    if folders is None:
        folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts")),
                   Path(sysconfig.get_path("scripts", f"{os.name}_user"))]  # fmt: skip
    for folder in folders:
        if (folder / LAUNCHER).is_file() and os.access(folder / LAUNCHER, os.X_OK):
            return (folder / LAUNCHER).absolute()
    on_path = shutil.which(LAUNCHER)
    if on_path:
        return Path(on_path).absolute()
    raise DesktopError(f"{LAUNCHER} is not installed next to {sys.executable}; install NetLab "
                       "with pip (or ./dev.sh) first")  # fmt: skip


def exec_argument(arg: str) -> str:
    """One argument of an ``Exec`` line, quoted and escaped as the desktop entry spec says."""
    if "\n" in arg or "\r" in arg:
        raise DesktopError(f"{arg!r}: a desktop entry cannot run a path with a line break")
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg.replace("\\", "\\\\")  # Exec is a string value: its backslashes are escaped too


def desktop_entry(launcher: Path) -> str:
    """The text of ``netlab.desktop`` for the ``netlab-gui`` script at ``launcher``."""
    command = exec_argument(str(launcher))
    return "\n".join([
        "[Desktop Entry]",
        f"# Written by {MARKER}; `netlab install-desktop --uninstall` removes it.",
        "Type=Application",
        "Version=1.4",
        "Name=NetLab",
        "GenericName=Neural network editor",
        "Comment=Build, train and look inside neural networks",
        f"Exec={command} %f",
        f"TryExec={command}",
        "Icon=netlab",
        "Terminal=false",
        "StartupNotify=true",
        "StartupWMClass=NetLab",
        "Categories=Education;ArtificialIntelligence;",
        "Keywords=neural network;deep learning;Keras;machine learning;",
        f"MimeType={MIME_TYPE};",
        f"X-NetLab-Version={netlab.__version__}",
        "",
    ])  # fmt: skip


def _ours(path: Path) -> bool:
    try:
        return MARKER.encode() in path.read_bytes()
    except OSError:
        return False


def install(home: Path | None = None, launcher: Path | None = None) -> DesktopReport:
    """Writes the desktop entry, the MIME type and the icon, then refreshes the caches.

    Args:
        home: The XDG data home (default: :func:`data_home`).
        launcher: The ``netlab-gui`` script (default: :func:`find_launcher`).

    Raises:
        DesktopError: If a target file exists that NetLab did not write, or a
            file cannot be written.
    """
    home = home or data_home()
    launcher = launcher or find_launcher()
    contents = {"entry": desktop_entry(launcher).encode(), "mime": MIME_XML.encode(),
                "icon": ICON.read_bytes()}  # fmt: skip
    targets = target_files(home)
    for path in targets.values():
        if path.exists() and not _ours(path):
            raise DesktopError(f"{path} exists and was not written by NetLab; move it away first")
    report = DesktopReport()
    for key, path in targets.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(contents[key])
        except OSError as err:
            raise DesktopError(f"{path}: cannot write: {err.strerror or err}") from None
        report.written.append(path)
    _refresh_caches(home, report)
    return report


def uninstall(home: Path | None = None) -> DesktopReport:
    """Removes what :func:`install` wrote (files carrying the marker) and refreshes the caches.

    Raises:
        DesktopError: If a file cannot be removed.
    """
    home = home or data_home()
    report = DesktopReport()
    for path in target_files(home).values():
        if not path.exists():
            continue
        if not _ours(path):
            report.kept.append(path)
            continue
        try:
            path.unlink()
        except OSError as err:
            raise DesktopError(f"{path}: cannot remove: {err.strerror or err}") from None
        report.written.append(path)
    _refresh_caches(home, report)
    return report


def _refresh_caches(home: Path, report: DesktopReport) -> None:
    """Why: launchers read the MIME and desktop caches, not the files themselves."""
    for tool, folder in (("update-mime-database", home / "mime"),
                         ("update-desktop-database", home / "applications")):  # fmt: skip
        program = shutil.which(tool)
        if program is None:
            report.missing_tools.append(tool)
            continue
        if not folder.is_dir():
            continue
        result = subprocess.run([program, str(folder)], capture_output=True, text=True,
                                check=False, timeout=120)  # fmt: skip
        if result.returncode != 0:
            first = (result.stderr.strip().splitlines() or ["failed"])[0]
            raise DesktopError(f"{tool} {folder}: {first}")
        report.refreshed.append(tool)
