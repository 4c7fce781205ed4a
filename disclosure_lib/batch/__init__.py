"""Batch: output folders. `render` writes one report, `build` every agency × year.

`build` plans the units and drives the workers (`worker`), records what each output was made
from (`manifest`), shows progress (`progress`) and writes `index.html` (`site`). The private
`_fork` package holds the warm fork pool; each unit's cells run through the papermill engine
of `disclosure_lib.engine`.
"""
