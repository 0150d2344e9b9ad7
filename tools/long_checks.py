"""The long versions of the window's random-action test and the kill-during-save test.

    .venv/bin/python tools/long_checks.py [--actions 10000] [--seeds 11,12] [--kills 100]

Runs tests/ui/test_random_actions.py with many more actions (memory at the start
and the end of each seed is printed) and the kill-during-save test with many
more kills. CI runs the short versions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000, help="actions per seed")
    parser.add_argument("--seeds", default="11", help="comma-separated seeds")
    parser.add_argument("--kills", type=int, default=100, help="kills of a saving process")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KERAS_BACKEND": "tensorflow",
           "NETLAB_RANDOM_ACTIONS": str(args.actions), "NETLAB_RANDOM_SEEDS": args.seeds,
           "NETLAB_SAVE_KILLS": str(args.kills)}  # fmt: skip
    tests = ["tests/ui/test_random_actions.py",
             "tests/netlab/project/test_project_file.py::"
             "test_killing_a_saving_process_never_leaves_a_broken_file"]  # fmt: skip
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                            *tests], cwd=ROOT, env=env)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
