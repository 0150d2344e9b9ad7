"""Writing files so that a crash never leaves a half-written one, nor litter."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".netlab-tmp"
# ".<start of the target's name>.<pid>-<8 hex>.netlab-tmp<the target's suffixes>": NetLab's
# own, and no one else's. The suffixes stay last because writers such as Keras check them.
_TEMP = re.compile(
    r"^\..*\.(\d{1,10})-[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + r"(\.[A-Za-z0-9]{1,12}){0,2}$"
)
STALE_SECONDS = 24 * 3600  # a temporary file this old is litter, whoever made it


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _temp_name(name: str, folder: Path) -> str:
    """A hidden, unique temporary name in ``folder`` that fits the file system's limit."""
    kept = [s for s in Path(name).suffixes[-2:] if re.fullmatch(r"\.[A-Za-z0-9]{1,12}", s)]
    suffixes = "".join(kept)
    tail = f".{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}{suffixes}"
    room = _name_max(folder) - len(tail.encode()) - 1
    start = name.encode()[:room].decode(errors="ignore")
    return f".{start}{tail}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_temporaries(folder: str | Path, now: float | None = None) -> list[Path]:
    """Deletes the temporary files that killed NetLab saves left in ``folder``.

    Only files of NetLab's exact pattern go, and only when the process that
    wrote them has ended (or they are more than a day old): a save running in
    another NetLab at this moment keeps its file. Returns what was removed.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if not _pid_alive(int(match.group(1))) or age > STALE_SECONDS:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone meanwhile, or not ours to delete
    return removed


def _new_file_mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync(path: str | Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _keep_backup(path: Path) -> None:
    backup = path.with_name(path.name + ".bak")
    if len(backup.name.encode()) > _name_max(path.parent):
        return  # no room for ".bak" in the name: the save itself matters more
    # A hard link, not a move: `path` must exist at every moment.
    link = path.with_name(_temp_name(backup.name, path.parent))
    try:
        os.link(path, link)
    except OSError:
        link.write_bytes(path.read_bytes())
    os.replace(link, backup)


def atomic_write(path: str | Path, write: Callable[[str], object], *,
                 backup: bool = False) -> None:  # fmt: skip
    """Calls ``write(temporary_path)``, then puts the result at ``path`` in one rename.

    The temporary file lies in the same folder and is fsynced before the
    rename, so ``path`` holds either its old content or the new, complete. With
    ``backup`` the old file is kept as ``<path>.bak``. The new file gets the
    old one's permissions (or the usual ones for a new file). A symbolic link
    at ``path`` stays a link: the file it points to is replaced. Temporary files
    that earlier, killed saves left in the folder are removed first.

    Raises:
        OSError: If writing fails; the temporary file is removed and ``path``
            is unchanged.
    """
    path = Path(os.path.realpath(path))
    folder = path.parent
    remove_stale_temporaries(folder)
    tmp = str(folder / _temp_name(path.name, folder))
    written = False
    try:
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, _new_file_mode(path))
        if backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
        written = True
        try:
            _fsync(folder)
        except OSError:
            pass  # some file systems cannot fsync a folder; the rename stands
    finally:
        if not written and os.path.exists(tmp):
            os.unlink(tmp)
