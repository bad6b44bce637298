"""``python -m crlqas`` runs the same command line as ``crlqas``."""

import sys

from crlqas.cli import main

sys.exit(main())
