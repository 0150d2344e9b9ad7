"""Saving and loading projects: everything comes back, exactly; saving is atomic."""

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from netlab import templates
from netlab.errors import ProjectFileError
from netlab.fileutil import remove_stale_temporaries
from netlab.project import Project, build_with_weights, load_project, save_project
from tests.netlab.project.helpers import assert_same_project, inputs_for, sample_project

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.heavy
@pytest.mark.parametrize("template", list(templates.TEMPLATES))
def test_every_template_round_trips_with_exact_predictions(tmp_path, template):
    project = sample_project(template)
    save_project(tmp_path / "p.netlab", project)
    loaded = load_project(tmp_path / "p.netlab")
    assert_same_project(project, loaded)
    before, after = build_with_weights(project), build_with_weights(loaded)
    x = inputs_for(before, 1 if template in ("resnet34", "resnet34-expanded", "vit-b16") else 3)
    np.testing.assert_array_equal(after.predict(x, verbose=0), before.predict(x, verbose=0))


def test_project_without_weights_or_runs(tmp_path):
    project = Project(templates.mlp())
    save_project(tmp_path / "p.netlab", project)
    loaded = load_project(tmp_path / "p.netlab")
    assert loaded.weights is None
    assert loaded.runs == []
    assert_same_project(project, loaded)


def test_saving_keeps_the_previous_version_as_backup(tmp_path):
    path = tmp_path / "p.netlab"
    first, second = sample_project("mlp", runs=1), sample_project("mlp", runs=2)
    save_project(path, first)
    assert not (tmp_path / "p.netlab.bak").exists()
    save_project(path, second)
    assert len(load_project(path).runs) == 2
    assert len(load_project(tmp_path / "p.netlab.bak").runs) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.netlab", "p.netlab.bak"]


def test_unwritable_target_changes_nothing(tmp_path):
    path = tmp_path / "p.netlab"
    save_project(path, sample_project("mlp"))
    before = path.read_bytes()
    with pytest.raises(ProjectFileError, match="cannot write"):
        save_project(tmp_path / "missing_folder" / "p.netlab", sample_project("mlp"))
    (tmp_path / "dir.netlab").mkdir()
    with pytest.raises(ProjectFileError, match="dir.netlab: cannot write"):
        save_project(tmp_path / "dir.netlab", sample_project("mlp"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.netlab", "p.netlab"]


SAVER = """
import sys, numpy as np
sys.path.insert(0, {root!r})
from tests.netlab.project.helpers import sample_project
from netlab.project import save_project
projects = [sample_project("cnn", False, runs=1), sample_project("cnn", False, runs=2)]
for project in projects:  # big enough that a save takes a while
    project.runs[0].batches = {{"loss": np.random.rand(3_000_000)}}
print("ready", flush=True)
i = 0
while True:
    save_project(sys.argv[1], projects[i % 2])
    i += 1
    print("saved", flush=True)
"""

KILLS = int(os.environ.get("NETLAB_SAVE_KILLS", "8"))  # tools/long_checks.py runs 100


def test_killing_a_saving_process_never_leaves_a_broken_file(tmp_path):
    # Timed by the saver's own reports, so it holds on a machine of any speed: each kill
    # lands at a random moment of a save, as a fraction of the save time just measured.
    path = tmp_path / "p.netlab"
    script = tmp_path / "saver.py"
    script.write_text(SAVER.format(root=str(Path(__file__).resolve().parents[3])))
    first = sample_project("cnn", False, runs=1)
    first.runs[0].batches = {"loss": np.zeros(3)}
    save_project(path, first)
    rng = np.random.default_rng(7)
    outcomes, mid_save = set(), 0
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE,
                                env={**os.environ, "KERAS_BACKEND": "tensorflow"})  # fmt: skip
        assert proc.stdout.readline().strip() == b"ready"
        started = time.monotonic()
        for _ in range(int(rng.integers(1, 3))):
            assert proc.stdout.readline().strip() == b"saved"
        reported = time.monotonic()
        period = (reported - started) / 2
        time.sleep(float(rng.uniform(0.0, 1.0)) * period)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        leftovers = [p for p in tmp_path.iterdir() if ".netlab-tmp" in p.name]
        mid_save += bool(leftovers)
        runs = len(load_project(path).runs)  # it must exist and load, complete
        assert runs in (1, 2)
        outcomes.add(runs)
        if (tmp_path / "p.netlab.bak").exists():
            assert len(load_project(tmp_path / "p.netlab.bak").runs) in (1, 2)
        assert sorted(remove_stale_temporaries(tmp_path)) == sorted(leftovers)
    assert 2 in outcomes  # saves completed ...
    assert mid_save  # ... and kills landed in the middle of one (its litter was removed)


def test_format_version_1_sample_still_loads():
    project = load_project(SAMPLES / "project-v1.netlab")
    assert [n.name for n in project.graph.nodes.values()][:3] == ["digits", "conv1", "pool1"]
    assert project.training["batch_size"] == 64
    assert project.runs[0].epochs[2]["val_accuracy"] == pytest.approx(0.7)
    assert project.runs[1].reason == "stopped by the user"
    assert sum(a.size for arrays in project.weights.values() for a in arrays) == 13_706
    model = build_with_weights(project)
    expected = np.load(SAMPLES / "project-v1-prediction.npy")
    x = inputs_for(model, 3)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "p.netlab"
    save_project(path, sample_project("mlp", with_weights=False))
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("project.json"))
    doc["format_version"] = 2
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", json.dumps(doc))
    with pytest.raises(ProjectFileError, match=r"newer NetLab \(format_version 2, this one reads "
                                               r"up to 1\); update NetLab"):  # fmt: skip
        load_project(path)
