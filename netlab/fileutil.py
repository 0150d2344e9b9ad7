"""Writing files so that a crash never leaves a half-written one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


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
    # A hard link, not a move: `path` must exist at every moment.
    backup = path.with_name(path.name + ".bak")
    link = path.with_name(f".{path.name}.bak.tmp")
    if link.exists():
        link.unlink()
    try:
        os.link(path, link)
    except OSError:
        link.write_bytes(path.read_bytes())
    os.replace(link, backup)


def atomic_write(path: str | Path, write: Callable[[str], None], *, backup: bool = False) -> None:
    """Calls ``write(temporary_path)``, then puts the result at ``path`` in one rename.

    The temporary file lies in the same folder and is fsynced before the
    rename, so ``path`` holds either its old content or the new, complete. With
    ``backup`` the old file is kept as ``<path>.bak``. The new file gets the
    old one's permissions (or the usual ones for a new file).

    Raises:
        OSError: If writing fails; the temporary file is removed and ``path``
            is unchanged.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    suffix = "".join(path.suffixes[-2:]) or ".tmp"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, _new_file_mode(path))
        if backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
        tmp = None
        try:
            _fsync(folder)
        except OSError:
            pass  # some file systems cannot fsync a folder; the rename stands
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
