"""A plain JSON file holding one graph (until the project file format lands).

Format: ``{"format": "netlab-graph", "format_version": 1, "graph": {...}}``
with the graph as :meth:`Graph.to_dict` gives it.
"""

from __future__ import annotations

import json
from pathlib import Path

from netlab.errors import GraphError, GraphFileError
from netlab.fileutil import atomic_write
from netlab.graph.model import Graph

FORMAT = "netlab-graph"
FORMAT_VERSION = 1
MAX_BYTES = 50 * 1024 * 1024


def save_graph(path: str | Path, graph: Graph) -> None:
    """Writes ``graph`` atomically (:func:`netlab.fileutil.atomic_write`)."""
    path = Path(path)
    text = json.dumps(
        {"format": FORMAT, "format_version": FORMAT_VERSION, "graph": graph.to_dict()}, indent=1
    )

    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    try:
        atomic_write(path, write)
    except OSError as err:
        raise GraphFileError(f"{path}: cannot write: {err.strerror or err}") from None


def load_graph(path: str | Path) -> Graph:
    """Reads a graph file.

    Raises:
        GraphFileError: One line naming the file and what is wrong.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise GraphFileError(f"{path}: larger than {MAX_BYTES // 2**20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraphFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise GraphFileError(f"{path}: cannot read: {err}") from None
    except json.JSONDecodeError as err:
        raise GraphFileError(f"{path}: not valid JSON (line {err.lineno}): {err.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GraphFileError(f"{path}: not a NetLab graph file")
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise GraphFileError(f"{path}: format_version {version!r} is newer than this NetLab "
                             f"understands ({FORMAT_VERSION}); update NetLab")  # fmt: skip
    try:
        return Graph.from_dict(data["graph"])
    except GraphError as err:
        raise GraphFileError(f"{path}: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise GraphFileError(f"{path}: malformed graph ({type(err).__name__}: {err})") from None
