"""Atomic writes: any file name the system allows, links kept, litter of killed saves removed."""

import os
import subprocess
import sys
import time

import pytest

from netlab.fileutil import TEMP_SUFFIX, atomic_write, remove_stale_temporaries
from netlab.project import load_project, save_project
from tests.netlab.project.helpers import sample_project


@pytest.mark.parametrize("length", [239, 250, 251, 255])
def test_names_up_to_the_file_system_limit_can_be_saved(tmp_path, length):
    name = "n" * (length - len(".netlab")) + ".netlab"
    assert len(name.encode()) == length
    project = sample_project("mlp", with_weights=False)
    save_project(tmp_path / name, project)
    save_project(tmp_path / name, project)  # a second time: with a backup where it fits
    assert load_project(tmp_path / name).graph.to_dict() == project.graph.to_dict()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ([name, name + ".bak"] if length <= 251 else [name])


def test_saving_through_a_link_writes_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "p.netlab"
    save_project(target, sample_project("mlp", with_weights=False))
    link = tmp_path / "link.netlab"
    link.symlink_to(target)
    save_project(link, sample_project("cnn", with_weights=False))
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert "conv1" in [n.name for n in load_project(target).graph.nodes.values()]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_netlab_litter_of_ended_processes_is_removed(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    litter = tmp_path / f".p.netlab.{dead}-0123abcd{TEMP_SUFFIX}.netlab"
    running = tmp_path / f".p.netlab.{alive}-89abcdef{TEMP_SUFFIX}.netlab"
    old = tmp_path / f".q.keras.{alive}-00000000{TEMP_SUFFIX}.keras"
    someone_elses = [tmp_path / ".p.netlab.abc123.netlab", tmp_path / f".x.{dead}-zz{TEMP_SUFFIX}",
                     tmp_path / "notes.txt"]  # fmt: skip
    for path in [litter, running, old, *someone_elses]:
        path.write_bytes(b"x")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([litter, old])
    assert sorted(tmp_path.iterdir()) == sorted([running, *someone_elses])


def test_a_save_removes_the_litter_of_killed_saves_in_its_folder(tmp_path):
    litter = tmp_path / f".p.netlab.{_dead_pid()}-0123abcd{TEMP_SUFFIX}.netlab"
    litter.write_bytes(b"half a zip")
    save_project(tmp_path / "other.netlab", sample_project("mlp", with_weights=False))
    assert not litter.exists()


def test_a_failed_write_leaves_nothing(tmp_path):
    def fail(tmp):
        with open(tmp, "wb") as handle:
            handle.write(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "p.txt", fail)
    assert list(tmp_path.iterdir()) == []
