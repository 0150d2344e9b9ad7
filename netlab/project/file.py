"""The ``.netlab`` project file: a zip of versioned JSON and NumPy arrays.

Members (see docs/file-format.md): ``project.json``; ``weights/<layer>/<i>.npy``;
``runs/<run id>/<series>.npy``. No pickle anywhere: arrays are read with
``allow_pickle=False`` after their headers are checked. Saving is atomic and
keeps the previous version as ``<file>.bak``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from netlab import __version__, catalog
from netlab.errors import GraphError, ProjectFileError
from netlab.fileutil import atomic_write
from netlab.graph.analysis import analyse
from netlab.graph.model import Graph
from netlab.project.config import check_training_config
from netlab.project.project import Project, RunRecord, check_weights
from netlab.project.schema import check_project_json

FORMAT = "netlab-project"
FORMAT_VERSION = 1
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 4 * 2**30
MAX_JSON_BYTES = 64 * 2**20
MAX_PARAMETERS = 2_000_000_000
MAX_RATIO = 200  # a deflated member that grows more than this is treated as a bomb
_ARRAY = re.compile(r"^(weights|runs)/([A-Za-z][A-Za-z0-9_\-.]{0,63})/([A-Za-z0-9_]{1,64})\.npy$")


def _write_array(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    with zf.open(name, "w", force_zip64=True) as stream:
        np.lib.format.write_array(stream, np.asarray(array), allow_pickle=False)


def _project_json(project: Project) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "graph": project.graph.to_dict(),
        "view": project.view,
        "training": {k: list(v) if isinstance(v, tuple) else v
                     for k, v in project.training.items()},
        "runs": [
            {"id": r.id, "name": r.name, "graph": r.graph, "config": r.config, "status": r.status,
             "reason": r.reason, "started": r.started, "finished": r.finished,
             "epochs": r.epochs, "batches": sorted(r.batches)}
            for r in project.runs
        ],
        "weights": None if project.weights is None else
        {name: len(arrays) for name, arrays in project.weights.items()},
    }  # fmt: skip


def _write_zip(handle: Any, project: Project) -> None:
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr("project.json", json.dumps(_project_json(project), indent=1))
        for name, arrays in (project.weights or {}).items():
            for i, array in enumerate(arrays):
                _write_array(zf, f"weights/{name}/{i}.npy", array)
        for run in project.runs:
            for key, series in run.batches.items():
                _write_array(zf, f"runs/{run.id}/{key}.npy", series)


def save_project(path: str | Path, project: Project) -> None:
    """Writes ``project`` to ``path`` atomically, keeping the old file as ``.bak``.

    ``path`` always holds either the old or the new version, complete
    (:func:`netlab.fileutil.atomic_write`).

    Raises:
        ProjectFileError: If the file cannot be written (nothing changes then).
    """

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            _write_zip(handle, project)

    try:
        atomic_write(path, write, backup=True)
    except OSError as err:
        raise ProjectFileError(f"{path}: cannot write: {err.strerror or err}") from None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> bytes:
    with zf.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit or len(data) != info.file_size:
        raise ProjectFileError(f"{where}: member {info.filename!r} is larger than it claims")
    return data


def _read_array(data: bytes, where: str, member: str) -> np.ndarray:
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        readers = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}  # fmt: skip
        if version not in readers:
            raise ProjectFileError(f"{where}: {member} has an unsupported .npy version")
        shape, _, dtype = readers[version](stream)
        if dtype.kind not in "fiub" or dtype.hasobject:
            raise ProjectFileError(f"{where}: {member} holds {dtype}, not numbers")
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != len(data) - stream.tell():
            raise ProjectFileError(f"{where}: {member} is truncated or padded")
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ProjectFileError(f"{where}: {member} is not a valid array ({err})") from None


def _open_members(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, np.ndarray]]]:
    where = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ProjectFileError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
        # NotImplementedError: zipfile's answer to a member needing a newer zip version.
        raise ProjectFileError(f"{where}: not a NetLab project (not a valid zip: {err})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ProjectFileError(f"{where}: {len(infos)} members, more than {MAX_MEMBERS}")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise ProjectFileError(f"{where}: unpacks to more than {MAX_TOTAL_BYTES // 2**30} GiB")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise ProjectFileError(f"{where}: duplicate member names")
        arrays: dict[str, dict[str, np.ndarray]] = {"weights": {}, "runs": {}}
        document = None
        for info in infos:
            if info.compress_size and info.file_size > MAX_RATIO * info.compress_size + 2**16:
                raise ProjectFileError(f"{where}: member {info.filename!r} is a zip bomb")
            try:
                if info.filename == "project.json":
                    raw = _read_member(zf, info, MAX_JSON_BYTES, where)
                    document = json.loads(raw.decode("utf-8"))
                    continue
                match = _ARRAY.match(info.filename)
                if not match:
                    raise ProjectFileError(f"{where}: unexpected member {info.filename!r}")
                raw = _read_member(zf, info, MAX_TOTAL_BYTES, where)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as err:
                raise ProjectFileError(
                    f"{where}: damaged member {info.filename!r} ({err})"
                ) from None
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise ProjectFileError(f"{where}: project.json is not valid JSON ({err})") from None
            kind, owner, key = match.groups()
            arrays[kind][f"{owner}/{key}"] = _read_array(raw, where, info.filename)
        if document is None:
            raise ProjectFileError(f"{where}: project.json is missing")
    return document, arrays


def load_project(path: str | Path) -> Project:
    """Reads a project file; never writes anything and never runs code.

    Raises:
        ProjectFileError: One line naming the file and what is wrong.
    """
    path = Path(path)
    where = str(path)
    document, arrays = _open_members(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ProjectFileError(f"{where}: not a NetLab project (wrong 'format')")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFileError(f"{where}: 'format_version' is missing or invalid")
    if version > FORMAT_VERSION:
        raise ProjectFileError(
            f"{where}: written by a newer NetLab (format_version {version}, this one reads up to "
            f"{FORMAT_VERSION}); update NetLab to open it"
        )
    check_project_json(document, where)
    try:
        graph = Graph.from_dict(document["graph"])
        _check_graph_values(graph, where)
        training = check_training_config(document["training"])
        runs = [_run(item, arrays["runs"], where) for item in document["runs"]]
    except GraphError as err:
        raise ProjectFileError(f"{where}: {err}") from None
    weights = _weights(document["weights"], arrays["weights"], where)
    if weights is not None:
        check_weights(graph, weights, where)
    return Project(graph, document["view"], training, runs, weights)


def _check_graph_values(graph: Graph, where: str) -> None:
    """Parameter values the editor would never store, and absurd networks, are refused."""
    for node in graph.nodes.values():
        errors = catalog.get(node.key).parameter_errors(node.params)
        if errors:
            raise ProjectFileError(f"{where}: node {node.name!r}: {errors[0]}")
    trainable, frozen = analyse(graph).totals()
    if trainable + frozen > MAX_PARAMETERS:
        raise ProjectFileError(
            f"{where}: the network would have {trainable + frozen:,} parameters, more than "
            f"{MAX_PARAMETERS:,}"
        )


def _run(item: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> RunRecord:
    config = check_training_config(item["config"])
    Graph.from_dict(item["graph"])  # the trained graph must be a valid graph too
    batches = {}
    for key in item["batches"]:
        if f"{item['id']}/{key}" not in arrays:
            raise ProjectFileError(f"{where}: run {item['id']!r} lacks its series {key!r}")
        batches[key] = arrays[f"{item['id']}/{key}"]
    if len({len(v) for v in batches.values()}) > 1:
        raise ProjectFileError(f"{where}: run {item['id']!r} has series of different lengths")
    return RunRecord(
        item["id"], item["name"], item["graph"], config, item["status"], item["reason"],
        item["started"], item["finished"], item["epochs"], batches,
    )  # fmt: skip


def _weights(counts: Any, arrays: dict[str, np.ndarray], where: str) -> dict | None:
    if counts is None:
        if arrays:
            raise ProjectFileError(f"{where}: weight arrays without a weights entry")
        return None
    weights = {}
    for name, count in counts.items():
        missing = [i for i in range(count) if f"{name}/{i}" not in arrays]
        if missing:
            raise ProjectFileError(f"{where}: weights of {name!r} lack array {missing[0]}")
        weights[name] = [arrays[f"{name}/{i}"] for i in range(count)]
    extra = set(arrays) - {f"{n}/{i}" for n, c in counts.items() for i in range(c)}
    if extra:
        raise ProjectFileError(f"{where}: unexpected weight array {sorted(extra)[0]!r}")
    return weights
