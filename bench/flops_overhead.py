"""What counting FLOPs adds to the analysis that runs on every edit.

The baseline, in the same process and interleaved rep by rep, is the same analysis
with the FLOPs count switched off (``LayerSpec.multiply_adds`` returning 0): a fresh
pass (a file just opened) and a pass after an edit (``previous`` given, as the editor
runs it; each node's count is reused when its parameters and inputs are unchanged).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/flops_overhead.py
"""

from __future__ import annotations

import statistics
import time

from netlab import templates
from netlab.catalog.spec import LayerSpec
from netlab.graph.analysis import analyse
from netlab.graph.commands import SetParam

REPS = 60
COUNT = LayerSpec.multiply_adds


def _off(self: LayerSpec, *args: object) -> int:
    return 0


def _edit_pass(graph, node_id: str, previous, step: int):  # type: ignore[no-untyped-def]
    SetParam(node_id, "units", 1000 + step % 2).do(graph)  # the classifier: one node changes
    return analyse(graph, previous)


def main() -> None:
    print(f"{'graph':20} {'nodes':>5} {'fresh ms':>9} {'no FLOPs':>9} {'ratio':>6} "
          f"{'edit ms':>8} {'no FLOPs':>9} {'ratio':>6}")
    for name in ("resnet34", "resnet34-expanded", "densenet121", "vit-b16"):
        graph = templates.from_template(name)
        head = next(n.id for n in graph.nodes.values() if n.key == "Dense")
        times: dict[tuple[str, bool], list[float]] = {}
        previous = analyse(graph)
        for step in range(REPS):
            for on in (True, False) if step % 2 else (False, True):
                LayerSpec.multiply_adds = COUNT if on else _off  # type: ignore[method-assign]
                start = time.perf_counter()
                analyse(graph)
                times.setdefault(("fresh", on), []).append(time.perf_counter() - start)
                start = time.perf_counter()
                previous = _edit_pass(graph, head, previous, step)
                times.setdefault(("edit", on), []).append(time.perf_counter() - start)
        LayerSpec.multiply_adds = COUNT  # type: ignore[method-assign]
        ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
        print(f"{name:20} {len(graph.nodes):>5} {ms['fresh', True]:>9.2f} "
              f"{ms['fresh', False]:>9.2f} {ms['fresh', True] / ms['fresh', False]:>6.2f} "
              f"{ms['edit', True]:>8.2f} {ms['edit', False]:>9.2f} "
              f"{ms['edit', True] / ms['edit', False]:>6.2f}")


if __name__ == "__main__":
    main()
