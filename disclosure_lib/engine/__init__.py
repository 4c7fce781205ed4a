"""The papermill engine ``disclosure``: a notebook's cells run in a forked child by an IPython
shell whose outputs are the ones a Jupyter kernel would send, without starting a kernel.

    papermill --engine disclosure in.ipynb out.ipynb -p name value
    papermill.execute_notebook(src, dst, engine_name="disclosure", execution_timeout=60)

`DisclosureEngine` is registered under `ENGINE_NAME` through the ``papermill.engine`` entry
point (pyproject.toml); `batch` runs every report with it. It needs nothing else of the package.
"""

from __future__ import annotations

from .papermill_engine import ENGINE_NAME, DisclosureEngine

__all__ = ["ENGINE_NAME", "DisclosureEngine"]
