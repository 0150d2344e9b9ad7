"""`netlab install-desktop`: a freedesktop entry, MIME type and icon; --uninstall removes them."""

import configparser
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netlab import desktop
from netlab.cli import main
from netlab.errors import DesktopError

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


@pytest.fixture
def no_tools(monkeypatch, tmp_path):
    """A PATH without update-mime-database and update-desktop-database."""
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text())
    return dict(parser["Desktop Entry"])


def _exec_words(value: str) -> list[str]:
    """Reads an Exec value as the desktop entry spec says a launcher must."""
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    value = re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[0]), value)  # string level
    words, word, quoted, i = [], None, False, 0
    while i < len(value):
        char = value[i]
        if quoted and char == "\\" and value[i + 1] in '"`$\\':
            word, i = (word or "") + value[i + 1], i + 2
            continue
        if char == '"':
            quoted, word = not quoted, word or ""
        elif char == " " and not quoted:
            words, word = words + [word] if word is not None else words, None
        else:
            word = (word or "") + char
        i += 1
    words += [word] if word is not None else []
    return [w.replace("%%", "%") for w in words]


def test_install_writes_entry_mime_type_and_icon_and_uninstall_removes_exactly_them(
    tmp_path, no_tools
):
    home = tmp_path / "share"
    (home / "applications").mkdir(parents=True)
    (home / "applications" / "other.desktop").write_text("[Desktop Entry]\nName=Other\n")
    before = _files(home)
    launcher = tmp_path / "bin" / "netlab-gui"
    report = desktop.install(home, launcher)
    assert _files(home) - before == {"applications/netlab.desktop", "mime/packages/netlab.xml",
                                     "icons/hicolor/scalable/apps/netlab.svg"}  # fmt: skip
    assert sorted(report.written) == sorted(desktop.target_files(home).values())
    assert report.missing_tools == ["update-mime-database", "update-desktop-database"]
    entry = _entry(home / "applications" / "netlab.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == "NetLab"
    assert entry["Icon"] == "netlab"
    assert entry["MimeType"] == "application/x-netlab;"
    assert _exec_words(entry["Exec"]) == [str(launcher), "%f"]
    mime = ET.parse(home / "mime" / "packages" / "netlab.xml").getroot()
    (mime_type,) = mime.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == "application/x-netlab"
    assert mime_type.find(f"{MIME_NS}glob").get("pattern") == "*.netlab"
    assert mime_type.find(f"{MIME_NS}sub-class-of").get("type") == "application/zip"
    assert mime_type.find(f"{MIME_NS}icon").get("name") == entry["Icon"]
    icon = home / "icons" / "hicolor" / "scalable" / "apps" / "netlab.svg"
    assert icon.read_bytes() == desktop.ICON.read_bytes()
    desktop.install(home, launcher)  # again: the same three files, rewritten
    removed = desktop.uninstall(home)
    assert sorted(removed.written) == sorted(report.written)
    assert _files(home) == before


@pytest.mark.parametrize("folder", ["/opt/my apps/bin", "/srv/it's $HOME/50%", '/a "b"/c\\d'])
def test_exec_line_quotes_awkward_paths(tmp_path, folder, no_tools):
    launcher = Path(folder) / "netlab-gui"
    desktop.install(tmp_path, launcher)
    entry = _entry(tmp_path / "applications" / "netlab.desktop")
    assert _exec_words(entry["Exec"]) == [str(launcher), "%f"]
    assert _exec_words(entry["TryExec"]) == [str(launcher)]


def test_a_path_with_a_line_break_is_refused(tmp_path, no_tools):
    with pytest.raises(DesktopError, match="line break"):
        desktop.install(tmp_path, Path("/opt/a\nb/netlab-gui"))
    assert _files(tmp_path) == set()


def test_files_that_netlab_did_not_write_are_left_alone(tmp_path, no_tools):
    own = tmp_path / "applications" / "netlab.desktop"
    own.parent.mkdir(parents=True)
    own.write_text("[Desktop Entry]\nName=My own NetLab\n")
    with pytest.raises(DesktopError, match="not written by NetLab"):
        desktop.install(tmp_path, Path("/usr/bin/netlab-gui"))
    assert _files(tmp_path) == {"applications/netlab.desktop"}
    report = desktop.uninstall(tmp_path)
    assert report.kept == [own]
    assert report.written == []
    assert own.read_text() == "[Desktop Entry]\nName=My own NetLab\n"


def test_cache_tools_run_on_the_folders_written(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    log = tmp_path / "calls.txt"
    for name in ("update-mime-database", "update-desktop-database"):
        (tools / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        (tools / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    home = tmp_path / "share"
    report = desktop.install(home, Path("/usr/bin/netlab-gui"))
    assert report.refreshed == ["update-mime-database", "update-desktop-database"]
    desktop.uninstall(home)
    assert log.read_text().splitlines() == [
        f"update-mime-database {home / 'mime'}", f"update-desktop-database {home / 'applications'}",
    ] * 2  # fmt: skip


def test_a_failing_cache_tool_is_one_line_error(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "update-mime-database").write_text("#!/bin/sh\necho 'bad XML in netlab.xml' >&2\n"
                                                "exit 1\n")  # fmt: skip
    (tools / "update-mime-database").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(DesktopError,
                       match=r"^update-mime-database .*/mime: bad XML in netlab\.xml$"):
        desktop.install(tmp_path / "share", Path("/usr/bin/netlab-gui"))


def test_data_home_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop.data_home({"XDG_DATA_HOME": "/x/share"}) == Path("/x/share")
    assert desktop.data_home({"XDG_DATA_HOME": "relative"}) == tmp_path / ".local" / "share"
    assert desktop.data_home({}) == tmp_path / ".local" / "share"


def test_find_launcher_takes_the_script_next_to_python(tmp_path, monkeypatch, no_tools):
    script = tmp_path / "netlab-gui"
    script.write_text("#!/bin/sh\n")
    assert pytest.raises(DesktopError, desktop.find_launcher, [tmp_path]).match("not installed")
    script.chmod(0o755)
    assert desktop.find_launcher([tmp_path / "nothing", tmp_path]) == script


def test_cli_installs_and_uninstalls(tmp_path, monkeypatch, capsys, no_tools):
    script = tmp_path / "bin" / "netlab-gui"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(desktop, "find_launcher", lambda: script)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main(["install-desktop"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'share' / 'applications' / 'netlab.desktop'}" in out
    assert "update-mime-database not found" in out
    assert main(["install-desktop", "--uninstall"]) == 0
    removed = capsys.readouterr().out
    assert f"removed {tmp_path / 'share' / 'mime' / 'packages' / 'netlab.xml'}" in removed
    assert _files(tmp_path / "share") == set()
