"""`python -m disclosure_lib.cli …`, the same as `disclosure …`."""

import sys

from . import main

sys.exit(main())
