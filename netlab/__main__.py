"""``python -m netlab ARGS``: the command line (the app opens with ``netlab`` alone)."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from netlab.cli import main  # noqa: E402  (after the environment TensorFlow reads)

sys.exit(main())
