"""`python -m sync.server`: the same command line as `reviewapp-server`."""

import sys

from .cli import main

sys.exit(main())
