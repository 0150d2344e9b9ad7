"""NetLab's command line: ``python -m netlab`` or ``netlab ARGS``.

Errors are one line on stderr and exit status 2; ``info`` exits with 1 when
the graph is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import netlab
from netlab.errors import NetLabError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netlab", description="Build, train and look inside neural networks."
    )
    parser.add_argument("--version", action="version", version=f"netlab {netlab.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("layers", help="list the layer library")
    new = commands.add_parser("new", help="write a new network from a template")
    new.add_argument("template", nargs="?", help="template name (see --list)")
    new.add_argument("-o", "--output", help="graph file to write")
    new.add_argument("--list", action="store_true", help="list the templates")
    info = commands.add_parser("info", help="nodes, shapes, parameters and problems of a file")
    info.add_argument("file")
    info.add_argument("--json", action="store_true", help="print JSON")
    imp = commands.add_parser("import", help="turn a .keras / .h5 model into a graph file")
    imp.add_argument("model")
    imp.add_argument("-o", "--output", required=True)
    exp = commands.add_parser("export", help="write a graph as a .keras model or a .py script")
    exp.add_argument("file")
    exp.add_argument("--to", required=True, help="model.keras or model.py")
    return parser


def _new(args: argparse.Namespace) -> int:
    from netlab.graph.graph_file import save_graph
    from netlab.templates import TEMPLATES, from_template

    if args.list:
        for template in TEMPLATES.values():
            print(f"{template.name:20} {template.summary}")
        return 0
    if not args.template or not args.output:
        raise NetLabError("new needs a TEMPLATE and -o FILE (or --list)")
    save_graph(args.output, from_template(args.template))
    return 0


def _info(args: argparse.Namespace) -> int:
    from netlab.catalog import format_shape
    from netlab.graph.analysis import analyse
    from netlab.graph.graph_file import load_graph

    graph = load_graph(args.file)
    analysis = analyse(graph)
    nodes = [
        {"name": n.name, "type": n.key,
         "output_shape": format_shape(analysis.shapes[n.id]) if n.id in analysis.shapes else None,
         "parameters": sum(analysis.counts.get(n.id, (0, 0)))}
        for n in graph.nodes.values()
    ]  # fmt: skip
    trainable, frozen = analysis.totals()
    problems = [
        {"node": graph.nodes[p.node_id].name if p.node_id else None, "field": p.field,
         "severity": p.severity, "message": p.message}
        for p in analysis.problems
    ]  # fmt: skip
    if args.json:
        totals = {"trainable": trainable, "non_trainable": frozen, "total": trainable + frozen}
        print(json.dumps({"nodes": nodes, "parameters": totals, "problems": problems}, indent=1))
    else:
        print(f"{'name':28} {'type':28} {'output shape':24} {'parameters':>12}")
        for n in nodes:
            print(f"{n['name']:28} {n['type']:28} {n['output_shape'] or '?':24} "
                  f"{n['parameters']:>12,}")  # fmt: skip
        print(
            f"\ntrainable {trainable:,} · non-trainable {frozen:,} · total {trainable + frozen:,}"
        )
        for p in analysis.problems:
            print(f"{p.severity}: {p.describe(graph)}")
    return 0 if analysis.valid else 1


def _import(args: argparse.Namespace) -> int:
    from netlab.graph.graph_file import save_graph
    from netlab.graph.importer import import_keras_file

    graph, _ = import_keras_file(args.model)
    save_graph(args.output, graph)
    return 0


def _export(args: argparse.Namespace) -> int:
    from netlab.graph.graph_file import load_graph

    graph = load_graph(args.file)
    target = Path(args.to)
    if target.suffix == ".py":
        from netlab.graph.codegen import to_python

        target.write_text(to_python(graph), encoding="utf-8")
    elif target.suffix == ".keras":
        from netlab.graph.builder import build_model

        build_model(graph).save(target)
    else:
        raise NetLabError(f"{target}: export writes .keras or .py files")
    return 0


def _layers(args: argparse.Namespace) -> int:
    from netlab.catalog_preview import layer_library

    for info in layer_library():
        print(f"{info.name:30} {info.summary}")
    return 0


COMMANDS = {"layers": _layers, "new": _new, "info": _info, "import": _import, "export": _export}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except NetLabError as err:
        print(f"netlab: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"netlab: error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
