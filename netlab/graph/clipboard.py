"""Copy and paste of layers as JSON text, so they travel between windows and programs."""

from __future__ import annotations

import json
from collections.abc import Iterable

from netlab.errors import GraphError, NetLabError
from netlab.graph.commands import Compound, paste_group
from netlab.graph.model import Graph

#: MIME type of copied layers (the same JSON is also put on the clipboard as text).
MIME_TYPE = "application/x-netlab-layers"
_KIND = "netlab-layers"


def copy_nodes(graph: Graph, node_ids: Iterable[str]) -> str:
    """The chosen nodes and the edges between them, as JSON text."""
    chosen = set(node_ids)
    data = graph.to_dict()
    data["nodes"] = [n for n in data["nodes"] if n["id"] in chosen]
    data["edges"] = [e for e in data["edges"] if e["src"] in chosen and e["dst"] in chosen]
    return json.dumps({"kind": _KIND, "version": 1, **data})


def paste_command(graph: Graph, text: str, offset: tuple[float, float] = (40.0, 40.0)) -> Compound:
    """A command adding the layers in ``text`` (from :func:`copy_nodes`) with new names.

    Raises:
        GraphError: If ``text`` holds no NetLab layers or they are malformed.
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise GraphError("the clipboard holds no NetLab layers") from None
    if not isinstance(data, dict) or data.get("kind") != _KIND:
        raise GraphError("the clipboard holds no NetLab layers")
    try:
        Graph.from_dict({"nodes": data["nodes"], "edges": data["edges"]})  # checks every field
        command = paste_group(graph, data, offset)
    except NetLabError as err:
        raise GraphError(f"the copied layers are damaged: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise GraphError(f"the copied layers are damaged: missing or bad {err}") from None
    if not command.commands:
        raise GraphError("the clipboard holds no NetLab layers")
    command.text = f"Paste {len(data['nodes'])} layer(s)"
    return command
