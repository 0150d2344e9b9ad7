"""Malformed and hostile project files are refused with one line; nothing is written."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netlab.errors import ProjectFileError
from netlab.graph.analysis import analyse
from netlab.graph.model import Edge, Graph, Node
from netlab.project import Project, load_project, save_project
from tests.netlab.project.helpers import sample_project


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("good") / "good.netlab"
    save_project(path, sample_project("cnn", runs=2))
    return path.read_bytes()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _with_json(good: bytes, change) -> bytes:
    members = _members(good)
    doc = json.loads(members["project.json"])
    change(doc)
    members["project.json"] = json.dumps(doc).encode()
    return _zip(members)


def _npy(array) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asarray(array), allow_pickle=True)
    return out.getvalue()


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _node(doc, name):
    return next(n for n in doc["graph"]["nodes"] if n["name"] == name)


CASES = {
    "not a zip": (lambda g: b"hello, I am not a zip", "not a valid zip"),
    "truncated zip": (lambda g: g[: len(g) // 2], "not a valid zip"),
    "empty file": (lambda g: b"", "not a valid zip"),
    "missing project.json": (
        lambda g: _zip({k: v for k, v in _members(g).items() if k != "project.json"}),
        "project.json is missing"),
    "missing weight member": (
        lambda g: _zip({k: v for k, v in _members(g).items() if k != "weights/conv1/0.npy"}),
        "weights of 'conv1' lack array 0"),
    "invalid JSON": (lambda g: _zip({**_members(g), "project.json": b"{nope"}),
                     "project.json is not valid JSON"),
    "JSON not an object": (lambda g: _zip({**_members(g), "project.json": b"[1, 2]"}),
                           "not a NetLab project"),
    "wrong format": (lambda g: _with_json(g, _set(["format"], "other")), "wrong 'format'"),
    "newer version": (lambda g: _with_json(g, _set(["format_version"], 7)), "newer NetLab"),
    "version as text": (lambda g: _with_json(g, _set(["format_version"], "1")),
                        "'format_version' is missing or invalid"),
    "graph missing": (lambda g: _with_json(g, lambda d: d.pop("graph")), "missing field 'graph'"),
    "nodes not a list": (lambda g: _with_json(g, _set(["graph", "nodes"], {})),
                         "graph.nodes: expected list, found dict"),
    "node name a number": (lambda g: _with_json(g, lambda d: _node(d, "conv1").update(name=3)),
                           "graph.nodes[1].name: expected str, found int"),
    "unknown layer key": (lambda g: _with_json(g, lambda d: _node(d, "conv1").update(type="Evil")),
                          "unknown layer type 'Evil'"),
    "unknown parameter": (
        lambda g: _with_json(g, lambda d: _node(d, "conv1")["params"].update(exec="rm -rf /")),
        "Conv2D has no parameter 'exec'"),
    "dangling edge": (
        lambda g: _with_json(g, lambda d: d["graph"]["edges"].append(
            {"src": "n404", "dst": "n2", "port": 1})),
        "no node with id 'n404'"),
    "duplicate ids": (
        lambda g: _with_json(g, lambda d: d["graph"]["nodes"].append(dict(d["graph"]["nodes"][1]))),
        "duplicate node id"),
    "negative size": (
        lambda g: _with_json(g, lambda d: _node(d, "hidden")["params"].update(units=-5)),
        "node 'hidden': units must be a whole number from 1 to 1000000 (got -5)"),
    "absurd size": (
        lambda g: _with_json(g, lambda d: _node(d, "hidden")["params"].update(units=10**12)),
        "got 1000000000000"),
    "pickled object array": (
        lambda g: _zip({**_members(g), "weights/conv1/0.npy": _npy(np.array([{"a": 1}]))}),
        "holds object, not numbers"),
    "array header lies": (
        lambda g: _zip({**_members(g), "weights/conv1/0.npy": _npy(np.zeros(144))[:-40]}),
        "truncated or padded"),
    "path escaping the folder": (
        lambda g: _zip({**_members(g), "../../etc/evil.npy": b"x"}),
        "unexpected member '../../etc/evil.npy'"),
    "absolute path member": (lambda g: _zip({**_members(g), "/tmp/evil": b"x"}),
                             "unexpected member '/tmp/evil'"),
    "run series missing": (
        lambda g: _zip({k: v for k, v in _members(g).items() if k != "runs/run1/loss.npy"}),
        "run 'run1' lacks its series 'loss'"),
    "bad training setting": (
        lambda g: _with_json(g, _set(["training", "batch_size"], 0)),
        "batch_size must be a whole number from 1 to 1000000 (got 0)"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_refused_with_one_line(tmp_path, good_bytes, case):
    make, message = CASES[case]
    path = tmp_path / "bad.netlab"
    path.write_bytes(make(good_bytes))
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.netlab"]


# Files that the editor could have written, or that an older or hand-edited file holds:
# they open, the layers whose weights do not fit start from new weights, a warning names them.
LOADABLE = {
    "network too large to build": (
        lambda g: _with_json(g, lambda d: (_node(d, "digits")["params"].update(
            shape=[1000000, 1000, 1]))),
        "the weights of 'hidden' do not fit it and were left out (its trained kernel (128, 64) "
        "no longer fits (2000000000, 64))"),
    "weights do not fit": (
        lambda g: _zip({**_members(g), "weights/conv1/0.npy": _npy(np.zeros((3, 3, 1, 5)))}),
        "the weights of 'conv1' do not fit it and were left out (its trained kernel "
        "(3, 3, 1, 5) no longer fits (3, 3, 1, 16)); it starts from new weights"),
    "weights for a missing layer": (
        lambda g: _with_json_and(g, lambda d: d["weights"].update(ghost=1),
                                 {"weights/ghost/0.npy": _npy(np.zeros(3))}),
        "weights for 'ghost', which is not in the graph, were left out"),
}  # fmt: skip


def _with_json_and(good: bytes, change, extra: dict[str, bytes]) -> bytes:
    members = _members(_with_json(good, change))
    return _zip({**members, **extra})


@pytest.mark.parametrize("case", list(LOADABLE))
def test_file_with_unusable_weights_opens_with_a_warning(tmp_path, good_bytes, case):
    make, warning = LOADABLE[case]
    path = tmp_path / "old.netlab"
    path.write_bytes(make(good_bytes))
    project = load_project(path)
    assert len(project.warnings) == 1
    assert project.warnings[0].startswith(str(path))
    assert warning in project.warnings[0]
    assert project.weights["conv2"]  # the layers that fit keep theirs
    save_project(tmp_path / "again.netlab", project)
    again = load_project(tmp_path / "again.netlab")
    assert not again.warnings  # the unusable weights were dropped on saving
    if case == "network too large to build":  # shown as a problem, as in the editor
        assert "NetLab builds at most 2,000,000,000" in analyse(again.graph).errors[0].message


def test_zip_bomb_is_refused(tmp_path, good_bytes, monkeypatch):
    from netlab.project import file

    monkeypatch.setattr(file, "BOMB_MIN_BYTES", 2**20)
    path = tmp_path / "bomb.netlab"
    path.write_bytes(_zip({**_members(good_bytes), "runs/run1/bomb.npy": b"\0" * (64 * 2**20)}))
    with pytest.raises(ProjectFileError, match="member 'runs/run1/bomb.npy' is a zip bomb"):
        load_project(path)


def test_an_all_zero_kernel_is_no_bomb(tmp_path):
    # A 4096 x 4096 all-zero kernel deflates a thousand-fold (older files deflated arrays).
    graph = Graph()
    graph.insert_node(Node("in", "x", "Input", {"shape": (4096,), "dtype": "float32"}))
    graph.insert_node(Node("d", "wide", "Dense", {"units": 4096}))
    graph.insert_node(Node("out", "y", "Output", {}))
    graph.insert_edge(Edge("in", "d"))
    graph.insert_edge(Edge("d", "out"))
    zeros = [np.zeros((4096, 4096), "float32"), np.zeros(4096, "float32")]
    project = Project(graph, weights={"wide": zeros})
    save_project(tmp_path / "stored.netlab", project)
    members = _members((tmp_path / "stored.netlab").read_bytes())
    (tmp_path / "deflated.netlab").write_bytes(_zip(members, zipfile.ZIP_DEFLATED))
    for name in ("stored.netlab", "deflated.netlab"):
        loaded = load_project(tmp_path / name)
        assert not loaded.warnings
        assert loaded.weights["wide"][0].shape == (4096, 4096)


def test_too_many_members(tmp_path, good_bytes, monkeypatch):
    from netlab.project import file

    monkeypatch.setattr(file, "MAX_MEMBERS", 10)
    path = tmp_path / "p.netlab"
    path.write_bytes(good_bytes)
    with pytest.raises(ProjectFileError, match="members, more than 10"):
        load_project(path)


def test_missing_file(tmp_path):
    with pytest.raises(ProjectFileError, match="no such file"):
        load_project(tmp_path / "nothing.netlab")


def _flip(data: bytes, positions: list[int], values: list[int]) -> bytes:
    out = bytearray(data)
    for pos, value in zip(positions, values, strict=False):
        out[pos % len(out)] = value
    return bytes(out)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.integers(0, 10**7), min_size=1, max_size=8),
    st.lists(st.integers(0, 255), min_size=1, max_size=8),
    st.integers(0, 10**7),
)
def test_mutated_bytes_load_or_fail_cleanly(tmp_path_factory, good_bytes, positions, values, cut):
    folder = tmp_path_factory.mktemp("mut")
    data = _flip(good_bytes, positions, values)
    if cut % 3 == 0:
        data = data[: cut % len(data)]
    path = folder / "m.netlab"
    path.write_bytes(data)
    try:
        project = load_project(path)
    except ProjectFileError:
        pass
    else:
        assert project.graph.nodes
    assert [p.name for p in folder.iterdir()] == ["m.netlab"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**13), 10**13) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


@pytest.mark.heavy
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_json_loads_or_fails_cleanly(tmp_path_factory, good_bytes, data):
    members = _members(good_bytes)
    doc = json.loads(members["project.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        target = doc
        for key in path[:-1]:
            target = target[key]
        if data.draw(st.booleans()) and isinstance(target, dict):
            del target[path[-1]]
        else:
            target[path[-1]] = data.draw(JSON_VALUES)
    folder = tmp_path_factory.mktemp("json")
    file = folder / "j.netlab"
    file.write_bytes(_zip({**members, "project.json": json.dumps(doc).encode()}))
    message = ""
    try:
        project = load_project(file)
    except ProjectFileError as err:
        message = str(err)
    else:
        assert project.graph.nodes is not None
    assert "\n" not in message
    assert [p.name for p in folder.iterdir()] == ["j.netlab"]


def test_a_member_needing_a_newer_zip_version_is_refused(tmp_path, good_bytes):
    # Found by the mutation test: zipfile raises NotImplementedError("zip file version 6.4")
    # for a member whose "version needed to extract" is newer than it supports.
    data = bytearray(good_bytes)
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (64).to_bytes(2, "little")
    path = tmp_path / "newer.netlab"
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    assert str(info.value) == (f"{path}: not a NetLab project (not a valid zip: zip file "
                               "version 6.4)")  # fmt: skip
    assert "\n" not in str(info.value)
