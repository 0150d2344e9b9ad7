"""``python -m netlab ARGS``: the command line (the app opens with ``netlab`` alone)."""

import os
import sys

if __name__ == "__main__":  # importing this module (tests import every module) runs nothing
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from netlab.cli import main

    sys.exit(main())
