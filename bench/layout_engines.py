"""Layered layout engines on NetLab graphs, top to bottom: ours against the libraries.

Layout research (the editor moves to top-to-bottom, like Netron and Keras's
plot_model): the current ``auto_layout`` (as shipped, left to right in bands,
and with its axes swapped) against Graphviz ``dot`` (Debian's binary, plain and
with the main chain's edges weighted, and the pip-installable Rust port
graphviz-pure), igraph's ``layout_sugiyama``, fast-sugiyama and grandalf, on
ResNet-34 expanded, the Transformer and ViT templates (collapsed and expanded)
and a DenseNet-121-like graph (428 nodes). Every engine gets 180x64 boxes, 60 px
between boxes in a rank and 46 px between ranks (the current COLUMN_STEP and
ROW_STEP less the box). Crossings, lengths and collisions are counted on the drawn
curves (bench/layout_geometry.py); time is the median of 5 of the whole call
(conversion, subprocess, parsing). A second table counts the nodes that move when
the graph is laid out again after one edit.

None of the libraries is a NetLab dependency; an engine that is missing is
reported as "not installed". To measure them all: ``apt-get install graphviz``
and, in a scratch virtualenv, ``pip install igraph fast-sugiyama grandalf
graphviz-pure``.

    .venv/bin/python bench/layout_engines.py [--png DIR] [--graphs NAME ...]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from layout_geometry import (  # noqa: E402
    NODE_H,
    NODE_W,
    Drawing,
    main_path,
    metrics,
    render_png,
    through_tb,
)

from netlab import catalog  # noqa: E402
from netlab.graph import layout as ours  # noqa: E402
from netlab.graph.composites import expand_node  # noqa: E402
from netlab.graph.geometry import GAP_ACROSS, GAP_ALONG  # noqa: E402
from netlab.graph.model import Edge, Graph, Node  # noqa: E402
from netlab.graph.routing import input_point, output_point, port_count, route_all  # noqa: E402
from netlab.templates import from_template  # noqa: E402

NODE_GAP = GAP_ACROSS["down"]  # between boxes in one rank
RANK_GAP = GAP_ALONG["down"]  # between ranks
WRAP_COLUMNS = 5  # left to right, wrapped as the canvas offers it
# Pictures: heights (px from the top) shown at full size: ResNet's first projection block,
# DenseNet's first transition.
DETAIL = {"resnet34-expanded": (2750.0, 4500.0), "densenet121": (4600.0, 6400.0)}


# Graphs ---------------------------------------------------------------------
def _add(graph: Graph, key: str, name: str, inputs: list[str], **params: Any) -> str:
    node_id = graph.new_id()
    graph.insert_node(Node(node_id, name, key, {**catalog.get(key).defaults(), **params}))
    for port, src in enumerate(inputs):
        graph.insert_edge(Edge(src, node_id, port))
    return node_id


def expanded(name: str) -> Graph:
    """A template with every TransformerBlock replaced by its layers (the Expand command)."""
    graph = from_template(name)
    for node_id in [n for n, node in graph.nodes.items() if node.key == "TransformerBlock"]:
        expand_node(graph, node_id).do(graph)
    return graph


GRAPHS: dict[str, Callable[[], Graph]] = {
    "resnet34-expanded": lambda: from_template("resnet34-expanded"),
    "transformer": lambda: from_template("transformer"),
    "transformer-expanded": lambda: expanded("transformer"),
    "vit-b16": lambda: from_template("vit-b16"),
    "vit-b16-expanded": lambda: expanded("vit-b16"),
    "densenet121": lambda: from_template("densenet121"),
}


# Engines ----------------------------------------------------------------------
def _ours(graph: Graph, direction: str, wrap: int | None = None) -> Drawing:
    ours.auto_layout(graph, direction, wrap=wrap)
    routes = route_all(graph, direction)
    d = Drawing({n: (node.pos[0] + NODE_W / 2, node.pos[1] + NODE_H / 2)
                 for n, node in graph.nodes.items()})  # fmt: skip
    for e in graph.edges:
        start = output_point(graph.nodes[e.src].pos, direction)
        end = input_point(graph.nodes[e.dst].pos, e.port, port_count(graph, e.dst), direction)
        d.paths[e] = ("tb" if direction == "down" else "lr", [start, *routes.get(e, []), end])
    return d


def ours_tb(graph: Graph) -> Drawing:
    """``auto_layout`` top to bottom with the position-based router (the canvas's default)."""
    return _ours(graph, "down")


def ours_lr(graph: Graph) -> Drawing:
    """Left to right, wrapped into bands of 5 ranks (the canvas's option)."""
    return _ours(graph, "right", WRAP_COLUMNS)


def _dot_source(graph: Graph, heavy: bool) -> str:
    """DOT text; ``heavy`` gives the main chain's edges weight 100, which dot keeps straight
    (``group=`` on its nodes does not, in Graphviz 2.43)."""
    main = set(main_path(graph)) if heavy else set()
    lines = ["digraph G {", f"graph [rankdir=TB, nodesep={NODE_GAP / 72:.4f}, "
             f"ranksep={RANK_GAP / 72:.4f}];",
             f'node [shape=box, fixedsize=true, width={NODE_W / 72:.4f}, '
             f'height={NODE_H / 72:.4f}, label=""];',
             "edge [arrowhead=none];"]  # fmt: skip
    lines += [f"{n};" for n in graph.nodes]
    lines += [f"{e.src} -> {e.dst}{' [weight=100]' if e in main else ''};" for e in graph.edges]
    return "\n".join([*lines, "}"])


def _dot_engine(binary: str, heavy: bool = False) -> Callable[[Graph], Drawing]:
    def run(graph: Graph) -> Drawing:
        out = subprocess.run([binary, "-Tplain"], input=_dot_source(graph, heavy), text=True,
                             capture_output=True, check=True).stdout  # fmt: skip
        rows = [line.split() for line in out.splitlines()]
        top = float(rows[0][3]) * 72  # plain: inches, y up
        d = Drawing()
        splines: dict[tuple[str, str], list[list[tuple[float, float]]]] = defaultdict(list)
        for row in rows:
            if row[0] == "node":
                d.centres[row[1]] = (float(row[2]) * 72, top - float(row[3]) * 72)
            elif row[0] == "edge":
                n = int(row[3])
                xy = [float(v) * 72 for v in row[4 : 4 + 2 * n]]
                splines[row[1], row[2]].append(
                    [(x, top - y) for x, y in zip(xy[::2], xy[1::2], strict=True)]
                )
        for e in graph.edges:
            d.paths[e] = ("bezier", splines[e.src, e.dst].pop(0))
        return d

    return run


def igraph_engine(graph: Graph) -> Drawing:
    """igraph's ``layout_sugiyama``; its per-edge control points become the waypoints."""
    import igraph

    ids = list(graph.nodes)
    index = {n: i for i, n in enumerate(ids)}
    g = igraph.Graph(n=len(ids), edges=[(index[e.src], index[e.dst]) for e in graph.edges],
                     directed=True)  # fmt: skip
    layout = g.layout_sugiyama(hgap=NODE_W + NODE_GAP, vgap=NODE_H + RANK_GAP)
    d = Drawing({n: tuple(layout.coords[i]) for i, n in enumerate(ids)})
    for e, points in zip(graph.edges, layout.edge_routing, strict=True):  # igraph >= 0.11
        d.paths[e] = through_tb(d, e, [tuple(p) for p in points])
    return d


def _chains_to_paths(graph: Graph, d: Drawing, succ: Any, index: dict[str, Any],
                     where: Callable[[Any], tuple[float, float]]) -> None:  # fmt: skip
    """Follows each edge's chain of dummy vertices (not in ``index``) in an extended graph."""
    real = set(index.values())
    chains: dict[tuple[Any, Any], list[list[Any]]] = defaultdict(list)
    for i in real:
        for j in succ[i]:
            chain = []
            while j not in real:
                chain.append(j)
                j = succ[j][0]
            chains[i, j].append(chain)
    for e in graph.edges:
        chain = chains[index[e.src], index[e.dst]].pop(0)
        d.paths[e] = through_tb(d, e, [where(k) for k in chain])


def fast_sugiyama_engine(graph: Graph) -> Drawing:
    """fast-sugiyama (Rust): one spacing for both axes, so ranks are scaled to the rank step."""
    from fast_sugiyama import from_edges

    step = NODE_W + NODE_GAP
    ((positions, _, height, extended),) = from_edges(
        [(e.src, e.dst) for e in graph.edges], vertex_spacing=step, dummy_vertices=True
    )
    xy = {k: (x, (height - y) / step * (NODE_H + RANK_GAP)) for k, (x, y) in positions}
    d = Drawing({n: xy[n] for n in graph.nodes})
    succ: dict[Any, list[Any]] = defaultdict(list)
    for a, b in extended:
        succ[a].append(b)
    _chains_to_paths(graph, d, succ, {n: n for n in graph.nodes}, lambda k: xy[k])
    return d


def grandalf_engine(graph: Graph) -> Drawing:
    """grandalf's pure-Python SugiyamaLayout (dummies as wide as the median box)."""
    from grandalf.graphs import Edge as GEdge
    from grandalf.graphs import Graph as GGraph
    from grandalf.graphs import Vertex
    from grandalf.layouts import SugiyamaLayout, VertexViewer

    class _Route:
        def setpath(self, points: list[tuple[float, float]]) -> None:
            self.points = points

    vertices = {n: Vertex(n) for n in graph.nodes}
    for v in vertices.values():
        v.view = VertexViewer(NODE_W, NODE_H)
    edges = {e: GEdge(vertices[e.src], vertices[e.dst]) for e in graph.edges}
    for ge in edges.values():
        ge.view = _Route()
    g = GGraph(list(vertices.values()), list(edges.values()))
    sugiyama = SugiyamaLayout(g.C[0])
    sugiyama.xspace, sugiyama.yspace = NODE_GAP, RANK_GAP
    sugiyama.init_all()
    sugiyama.draw()
    d = Drawing({n: tuple(v.view.xy) for n, v in vertices.items()})
    for e, ge in edges.items():
        d.paths[e] = through_tb(d, e, [tuple(p) for p in ge.view.points[1:-1]])
    return d


def engines() -> dict[str, Callable[[Graph], Drawing] | str]:
    """Each engine, or why it cannot run here."""
    found: dict[str, Callable[[Graph], Drawing] | str] = {
        "ours, left to right in bands": ours_lr,
        "ours, top to bottom": ours_tb,
    }
    for name, binary, heavy in (("dot (graphviz)", "dot", False),
                                ("dot (graphviz, heavy main chain)", "dot", True),
                                ("dot (graphviz-pure)", "graphviz-pure", False)):  # fmt: skip
        path = shutil.which(binary) or shutil.which(binary, path=str(Path(sys.executable).parent))
        found[name] = _dot_engine(path, heavy) if path else "not installed"
    for name, module, fn in (("igraph sugiyama", "igraph", igraph_engine),
                             ("fast-sugiyama", "fast_sugiyama", fast_sugiyama_engine),
                             ("grandalf", "grandalf", grandalf_engine)):  # fmt: skip
        try:
            __import__(module)
            found[name] = fn
        except ImportError:
            found[name] = "not installed"
    return found


def _timed(
    engine: Callable[[Graph], Drawing], make: Callable[[], Graph]
) -> tuple[Graph, Drawing, float]:
    times, drawing, graph = [], None, None
    for _ in range(5):
        graph = make()
        start = time.perf_counter()
        drawing = engine(graph)
        times.append(time.perf_counter() - start)
    return graph, drawing, statistics.median(times) * 1e3


# Stability: what one edit does to a full re-layout ----------------------------------
def _middle(graph: Graph) -> Edge:
    path = main_path(graph)
    return path[len(path) // 2]


def add_branch(graph: Graph) -> None:
    """An auxiliary head (pool, dense, output) off the middle of the main chain."""
    x = _add(graph, "GlobalAvgPool2D", "aux_pool", [_middle(graph).src])
    x = _add(graph, "Dense", "aux_fc", [x], units=10)
    _add(graph, "Output", "aux_out", [x])


def insert_dropout(graph: Graph) -> None:
    """A Dropout inserted into the middle edge of the main chain."""
    edge = _middle(graph)
    graph.delete_edge(edge)
    x = _add(graph, "Dropout", "inserted_dropout", [edge.src])
    graph.insert_edge(Edge(x, edge.dst, edge.port))


def moved(engine: Callable[[Graph], Drawing], make: Callable[[], Graph],
          edit: Callable[[Graph], None]) -> tuple[int, int]:  # fmt: skip
    """Nodes that move sideways, and that move at all, when the edited graph is laid out
    again (positions compared relative to the first node)."""
    before, graph = engine(make()).centres, make()
    edit(graph)
    after = engine(graph).centres
    first = next(iter(before))
    shift = [a - b for a, b in zip(after[first], before[first], strict=True)]
    sideways = sum(abs(after[n][0] - shift[0] - x) > 1 for n, (x, _) in before.items())
    anyhow = sideways + sum(abs(after[n][0] - shift[0] - x) <= 1 < abs(after[n][1] - shift[1] - y)
                            for n, (x, y) in before.items())  # fmt: skip
    return sideways, anyhow


def stability_table(names: list[str]) -> None:
    """How many existing nodes each engine moves after one small edit."""
    print(
        "\n| graph | engine | add a 3-node branch: moved sideways / moved | insert a layer in "
        "the chain: moved sideways / moved |"
    )
    print("|---|---|---:|---:|")
    for name in names:
        for engine_name, engine in engines().items():
            if isinstance(engine, str) or engine_name.startswith("ours, left"):
                continue
            a = moved(engine, GRAPHS[name], add_branch)
            b = moved(engine, GRAPHS[name], insert_dropout)
            print(f"| {name} | {engine_name} | {a[0]} / {a[1]} | {b[0]} / {b[1]} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, help="folder for pictures of two graphs")
    parser.add_argument("--graphs", nargs="*", default=list(GRAPHS))
    args = parser.parse_args()
    print(
        "| graph | nodes | engine | crossings | edge length px | overlaps | width x height px "
        "| main-chain edges bent | edges through a box | ms (median of 5) |"
    )
    print("|---|---:|---|---:|---:|---:|---|---:|---:|---:|")
    for name in args.graphs:
        for engine_name, engine in engines().items():
            if isinstance(engine, str):
                print(f"| {name} | | {engine_name} | {engine} | | | | | | |", flush=True)
                continue
            graph, drawing, ms = _timed(engine, GRAPHS[name])
            m = metrics(graph, drawing)
            print(f"| {name} | {len(graph.nodes)} | {engine_name} | {m['crossings']} | "
                  f"{m['length']:,.0f} | {m['overlaps']} | {m['width']:,.0f} x "
                  f"{m['height']:,.0f} | {m['bent']}/{m['main']} | {m['through']} | "
                  f"{ms:.1f} |", flush=True)  # fmt: skip
            if args.png and name in DETAIL:
                args.png.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z0-9]+", "-", engine_name.lower()).strip("-")
                render_png(graph, drawing, str(args.png / f"{name}_{slug}.png"))
                render_png(graph, drawing, str(args.png / f"{name}_{slug}_detail.png"), 1.0,
                           window=DETAIL[name])  # fmt: skip
    stability_table([n for n in args.graphs if n in DETAIL])


if __name__ == "__main__":
    main()
