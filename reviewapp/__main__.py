"""`python -m reviewapp` and the `reviewapp` command."""

import sys

from reviewapp.app import main

if __name__ == "__main__":
    sys.exit(main())
