"""Copy and paste of layers as JSON text, so they travel between windows and programs."""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from collections.abc import Iterable

from netlab.errors import GraphError, NetLabError
from netlab.graph.commands import AddNode, Compound, paste_group
from netlab.graph.model import Arrays, Graph

#: MIME type of copied layers (the same JSON is also put on the clipboard as text).
MIME_TYPE = "application/x-netlab-layers"
_KIND = "netlab-layers"
# Trained weights of recent copies, by the token their JSON carries. Weights are megabytes
# of read-only arrays: they stay in this process, the text names them.
_COPIED_WEIGHTS: OrderedDict[str, dict[str, Arrays]] = OrderedDict()
_KEEP_COPIES = 4


def copy_nodes(graph: Graph, node_ids: Iterable[str]) -> str:
    """The chosen nodes and the edges between them, as JSON text.

    Their trained weights go with them when the text is pasted in this process.
    """
    chosen = set(node_ids)
    data = graph.to_dict()
    data["nodes"] = [n for n in data["nodes"] if n["id"] in chosen]
    data["edges"] = [e for e in data["edges"] if e["src"] in chosen and e["dst"] in chosen]
    weights: dict[str, Arrays] = {}
    for node_id in chosen:
        arrays = graph.nodes[node_id].weights
        if arrays:
            weights[node_id] = arrays
    token = secrets.token_hex(8) if weights else None
    if token:
        _COPIED_WEIGHTS[token] = weights
        while len(_COPIED_WEIGHTS) > _KEEP_COPIES:
            _COPIED_WEIGHTS.popitem(last=False)
    return json.dumps({"kind": _KIND, "version": 1, **data, "weights": token})


def paste_command(graph: Graph, text: str, offset: tuple[float, float] = (40.0, 40.0)) -> Compound:
    """A command adding the layers in ``text`` (from :func:`copy_nodes`) with new names.

    Raises:
        GraphError: If ``text`` holds no NetLab layers or they are malformed.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise GraphError("the clipboard holds no NetLab layers") from None
    if not isinstance(data, dict) or data.get("kind") != _KIND:
        raise GraphError("the clipboard holds no NetLab layers")
    try:
        Graph.from_dict({"nodes": data["nodes"], "edges": data["edges"]})  # the loader's rules
        command = paste_group(graph, data, offset)
    except NetLabError as err:
        raise GraphError(f"the copied layers are damaged: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise GraphError(f"the copied layers are damaged: missing or bad {err}") from None
    if not command.commands:
        raise GraphError("the clipboard holds no NetLab layers")
    token = data.get("weights")
    weights = _COPIED_WEIGHTS.get(token) if isinstance(token, str) else None
    if weights:
        old_ids = [str(item["id"]) for item in data["nodes"]]
        adds = [c for c in command.commands if isinstance(c, AddNode)]
        for old_id, add in zip(old_ids, adds, strict=True):
            add.weights = weights.get(old_id)
    command.text = f"Paste {len(data['nodes'])} layer(s)"
    return command
