"""NetLab from the source tree: ``python main.py [FILE | COMMAND ...]``, as the ``netlab`` command.

Installed NetLab runs the same code as ``netlab`` (see ``ui/launcher.py``).
"""

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
