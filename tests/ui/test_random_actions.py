"""The window under seeded random actions: no exception, undo and redo exact, views true.

A few hundred actions per seed here; tools/long_checks.py runs ten thousand
(``NETLAB_RANDOM_ACTIONS``, ``NETLAB_RANDOM_SEEDS``) and reports the memory.
The actions and the invariants are in tests/ui/random_actions.py.
"""

import os
import re

import pytest

from tests.ui.random_actions import RandomUser, drive

ACTIONS = int(os.environ.get("NETLAB_RANDOM_ACTIONS", "150"))
SEEDS = [int(s) for s in os.environ.get("NETLAB_RANDOM_SEEDS", "1,2,3").split(",")]


def _rss_mib() -> float:
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


@pytest.mark.parametrize("seed", SEEDS)
def test_random_actions_keep_the_window_and_its_files_sound(make_window, answers, qtbot,
                                                            tmp_path, seed):  # fmt: skip
    user = RandomUser(make_window, answers, qtbot, tmp_path, seed, train=seed == SEEDS[0])
    start = _rss_mib()
    warm = ACTIONS // 10  # the libraries (Keras, for the Inspect tab) are loaded by then
    drive(user, warm, undo_every=1)
    warmed = _rss_mib()
    drive(user, ACTIONS - warm, undo_every=1)
    assert user.count == ACTIONS
    if seed == SEEDS[0]:
        if not user.trained:  # this seed's actions drew no run: one more action trains
            user.train()
            user.check(undo_all=True)
        assert user.trained > 0  # the runs were not all skipped
    print(f"seed {seed}: {ACTIONS} actions, {user.trained} runs, {len(user.saved)} files saved "
          f"and reopened; RSS {start:.0f} MiB at the start, {warmed:.0f} MiB after {warm} "
          f"actions, {_rss_mib():.0f} MiB at the end")
