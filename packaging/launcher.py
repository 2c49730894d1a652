"""The bundle's entry point: the same `main` as the `reviewapp` command.

A separate script (rather than `reviewapp/__main__.py`) because PyInstaller puts the entry script's folder on the
import path, and `reviewapp/` on the path would let its modules (`app`, `demo`, `logs`) shadow top-level names.
"""

import multiprocessing
import sys

from reviewapp.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen Windows app must say so before anything could start a child process
    sys.exit(main())
