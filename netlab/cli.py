"""NetLab's command line: ``python -m netlab`` or ``netlab ARGS``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import netlab


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netlab", description="Build, train and look inside neural networks."
    )
    parser.add_argument("--version", action="version", version=f"netlab {netlab.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("layers", help="list the layer library")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "layers":
        from netlab.catalog_preview import layer_library

        for info in layer_library():
            print(f"{info.name:30} {info.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
