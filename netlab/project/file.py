"""The ``.netlab`` project file: a zip of versioned JSON and NumPy arrays.

Members (see docs/file-format.md): ``project.json``; ``weights/<layer>/<i>.npy``;
``runs/<run id>/<series>.npy`` and ``runs/<run id>/layers__<key>.npy`` (per-layer
series). No pickle anywhere: arrays are read with ``allow_pickle=False`` after
their headers are checked. Arrays are stored uncompressed (deflate saves little
on trained float32 weights and costs much time); ``project.json`` is deflated.
Saving is atomic and keeps the previous version as ``<file>.bak``.

Saving happens in two steps so the GUI can write on a worker thread:
:func:`snapshot` takes what is to be written (milliseconds: weight arrays are
read-only and shared, not copied) and :func:`write_snapshot` writes it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from netlab import __version__
from netlab.errors import GraphError, ProjectFileError
from netlab.fileutil import atomic_write
from netlab.graph.model import Graph
from netlab.project.config import check_training_config
from netlab.project.exercise import exercise_from_dict
from netlab.project.project import Project, RunRecord, Weights, attach_weights
from netlab.project.schema import check_project_json

FORMAT = "netlab-project"
FORMAT_VERSION = 1
MAX_MEMBERS = 20_000
#: Members ``runs/<id>/layers__<key>.npy`` hold a run's per-layer series, apart from
#: its per-batch series (whose names never start so).
LAYER_PREFIX = "layers__"
#: Which list of layer names gives the columns of which per-layer arrays.
LAYER_STAT_COLUMNS = {
    "layers": ("grad_norm", "update_ratio"),
    "weight_layers": ("weight_hist", "weight_range"),
    "activation_layers": ("activation_hist", "activation_range"),
}
MAX_TOTAL_BYTES = 4 * 2**30
MAX_JSON_BYTES = 64 * 2**20
MAX_RATIO = 200  # a large member that grows more than this when inflated is treated as a bomb
BOMB_MIN_BYTES = 256 * 2**20  # smaller members cannot hurt, however well they compress
_ARRAY = re.compile(r"^(weights|runs)/([A-Za-z][A-Za-z0-9_\-.]{0,63})/([A-Za-z0-9_]{1,64})\.npy$")


@dataclass(frozen=True)
class Snapshot:
    """What a save writes, taken at one moment: the JSON text and the arrays by member name."""

    document: str
    arrays: tuple[tuple[str, np.ndarray], ...]


def _project_json(project: Project, weights: dict[str, list[np.ndarray]]) -> dict[str, Any]:
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
             "epochs": r.epochs, "batches": sorted(r.batches),
             **({"layer_stats": _layer_stats_json(r.layer_stats)} if r.layer_stats else {})}
            for r in project.runs
        ],
        "weights": {name: len(arrays) for name, arrays in weights.items()} if weights else None,
        # Optional (readers before sweeps ignore it and see the trials as runs).
        "sweeps": [s.to_dict() for s in project.sweeps],
        # Optional likewise (readers before exercises open the network without its goals).
        **({"exercise": project.exercise.to_dict()} if project.exercise else {}),
    }  # fmt: skip


def snapshot(project: Project) -> Snapshot:
    """What :func:`save_project` would write now; later edits of ``project`` do not change it.

    Weights that no longer fit their layer (re-initialised) are left out.
    """
    weights = project.weights_to_keep()
    document = json.dumps(_project_json(project, weights), indent=1)
    arrays = [(f"weights/{name}/{i}.npy", array)
              for name, values in weights.items() for i, array in enumerate(values)]  # fmt: skip
    for run in project.runs:
        arrays += [(f"runs/{run.id}/{key}.npy", np.asarray(series).copy())
                   for key, series in run.batches.items()]  # fmt: skip
        arrays += [(f"runs/{run.id}/{LAYER_PREFIX}{key}.npy", np.asarray(value).copy())
                   for key, value in run.layer_stats.items() if isinstance(value, np.ndarray)]
    return Snapshot(document, tuple(arrays))


def _layer_stats_json(stats: dict[str, Any]) -> dict[str, Any]:
    """Names stay in the document; arrays are listed and written beside the series."""
    return {"names": {k: list(v) for k, v in stats.items() if not isinstance(v, np.ndarray)},
            "arrays": sorted(k for k, v in stats.items() if isinstance(v, np.ndarray))}


def _write_array(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    with zf.open(info, "w", force_zip64=True) as stream:
        np.lib.format.write_array(stream, np.asarray(array), allow_pickle=False)


def _write_zip(handle: Any, snap: Snapshot) -> None:
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        raw = snap.document.encode("utf-8")
        # Text that compresses past the reader's bomb limit is stored as it is.
        small = len(zlib.compress(raw, 1)) * MAX_RATIO // 2 > len(raw)
        zf.writestr("project.json", raw, zipfile.ZIP_DEFLATED if small else zipfile.ZIP_STORED)
        for name, array in snap.arrays:
            _write_array(zf, name, array)


def write_snapshot(path: str | Path, snap: Snapshot) -> None:
    """Writes a :func:`snapshot` to ``path`` atomically, keeping the old file as ``.bak``.

    Raises:
        ProjectFileError: If the file cannot be written (nothing changes then).
    """

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            _write_zip(handle, snap)

    try:
        atomic_write(path, write, backup=True)
    except OSError as err:
        raise ProjectFileError(f"{path}: cannot write: {err.strerror or err}") from None


def save_project(path: str | Path, project: Project) -> None:
    """Writes ``project`` to ``path`` atomically, keeping the old file as ``.bak``.

    ``path`` always holds either the old or the new version, complete
    (:func:`netlab.fileutil.atomic_write`).

    Raises:
        ProjectFileError: If the file cannot be written (nothing changes then).
    """
    write_snapshot(path, snapshot(project))


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
            if info.file_size > max(BOMB_MIN_BYTES, MAX_RATIO * info.compress_size):
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
        training = check_training_config(document["training"])
        runs = [_run(item, arrays["runs"], where) for item in document["runs"]]
    except GraphError as err:
        raise ProjectFileError(f"{where}: {err}") from None
    weights = _weights(document["weights"], arrays["weights"], where)
    warnings = attach_weights(graph, weights, where) if weights else []
    exercise = exercise_from_dict(document.get("exercise", {}), where)
    return Project(graph, document["view"], training, runs, warnings=warnings,
                   sweeps=_sweeps(document.get("sweeps", []), {r.id for r in runs}, where),
                   exercise=exercise)


def _sweeps(items: list[dict[str, Any]], run_ids: set[str], where: str) -> list[Any]:
    from netlab.sweep import Sweep

    sweeps = [Sweep.from_dict(item) for item in items]
    for sweep in sweeps:
        for trial in sweep.trials:
            if trial.run_id and trial.run_id not in run_ids:
                raise ProjectFileError(f"{where}: {sweep.id} trial {trial.number} names run "
                                       f"{trial.run_id!r}, which is not in the file")  # fmt: skip
    return sweeps


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
        _read_layer_stats(item, arrays, where),
    )  # fmt: skip


def _read_layer_stats(item: dict[str, Any], arrays: dict[str, np.ndarray], where: str
                      ) -> dict[str, Any]:  # fmt: skip
    """A run's per-layer series, checked: each array's rows and columns must agree."""
    found = item.get("layer_stats")
    if found is None:
        return {}
    here = f"{where}: run {item['id']!r}'s layer statistics"
    stats: dict[str, Any] = {k: [str(name) for name in v] for k, v in found["names"].items()}
    for key in found["arrays"]:
        member = f"{item['id']}/{LAYER_PREFIX}{key}"
        if member not in arrays:
            raise ProjectFileError(f"{here} lack the array {key!r}")
        stats[key] = arrays[member]
    for names, keys in LAYER_STAT_COLUMNS.items():
        for key in keys:
            value = stats.get(key)
            if value is None:
                continue
            if value.ndim < 2 or value.shape[1] != len(stats.get(names, ())):
                raise ProjectFileError(f"{here}: {key!r} does not have one column per layer")
    step, norms = stats.get("step"), stats.get("grad_norm")
    if step is not None and norms is not None and len(step) != len(norms):
        raise ProjectFileError(f"{here}: 'step' and 'grad_norm' differ in length")
    return stats


def _weights(counts: Any, arrays: dict[str, np.ndarray], where: str) -> Weights | None:
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
