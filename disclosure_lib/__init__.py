"""disclosure_lib: 政府信息公开工作年度报告 — model, checks, rendering, batch build, import.

The public API, importable from here::

    import disclosure_lib as dl

    report = dl.load_report("params/硚口区企业服务中心/2024.yaml")
    findings = dl.check_report(report)
    frame = dl.collection_frame(["params"])
    dl.render("硚口区企业服务中心", 2024)
    summary = dl.build(["params"], year=2024)
    dl.preview("硚口区企业服务中心", 2024)   # a live page on 127.0.0.1, until Ctrl-C
    result = dl.import_file("report.html")

Names are loaded on first use (module `__getattr__`), so `import disclosure_lib` stays light:
it imports none of pandas, papermill, matplotlib or nbconvert.

Layers (a lower one never imports a higher one; `tests/test_layers.py` keeps it so):
the core at the top of the package (`format`, `model`, `params`, `checks`, `tidy`, …), then
`importers/` (published reports and workbooks → params) and `rendering/` (notebook → HTML,
PDF, charts), then `batch/` (outputs folders: render one report, build many), then `cli`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# public name -> module that defines it
_API: dict[str, str] = {
    # model and errors
    "Report": "model",
    "Contact": "model",
    "Paragraph": "model",
    "Acknowledgement": "model",
    "DisclosureError": "errors",
    "ParamsError": "errors",
    "RenderError": "errors",
    "BuildError": "errors",
    "ImportFailed": "errors",
    "NotebookFailed": "errors",
    "ReportBlocked": "errors",
    "OutputError": "errors",
    # params files
    "load_report": "params",
    "loads_report": "params_read",
    "load_reports": "params",
    "find_params": "params",
    "params_path": "params",
    "dump_report": "params_write",
    "save_report": "params_write",
    "new_params_file": "params_write",
    "next_year": "nextyear",
    "diff_reports": "diff",
    # finding params and notebooks (what the notebooks call)
    "find_params_dir": "locate",
    "find_params_file": "locate",
    "load_for_notebook": "locate",
    "load_history": "locate",
    "notebook_path": "locate",
    # checks and tidy data
    "Finding": "findings",
    "check_report": "checks",
    "check_reports": "checks",
    "check_paths": "checks",
    "collection_frame": "tidy",
    "pivot_figures": "tidy",
    "integer_counts": "tidy",
    "export": "tidy",
    # the yearly summary across agencies
    "year_summary": "summary",
    "YearSummary": "summary",
    "read_summary": "summary",
    "cached_collection": "collection_cache",
    "CollectionCache": "collection_cache",
    "summary_parts": "rendering.summary",
    # import
    "import_file": "importers.document",
    "import_files": "importers.collection",
    "write_template": "importers.excel",
    # building blocks of the bundled notebooks
    "report_body": "rendering.compose",
    "charts_section": "rendering.compose",
    "checks_section": "rendering.compose",
    "run_checks": "rendering.compose",
    "check_profile": "rendering.notebook",
    "report_charts": "rendering.charts",
    "matplotlib_cjk_family": "rendering.fonts",
    # render and build
    "render": "batch.render",
    "RenderResult": "batch.render",
    "build": "batch.build",
    "BuildSummary": "batch.build",
    "preview": "batch.preview",
    "Preview": "batch.preview",
}

# public name -> module it stands for (explore notebook: key figures, rankings, totals)
_MODULES: dict[str, str] = {"summary": "summary"}

__all__ = ["__version__", *_API, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    elif name in _API:
        value = getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    else:
        raise AttributeError(f"module 'disclosure_lib' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, *_MODULES})


if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from . import summary
    from .batch.build import BuildSummary, build
    from .batch.preview import Preview, preview
    from .batch.render import RenderResult, render
    from .checks import check_paths, check_report, check_reports
    from .collection_cache import CollectionCache, cached_collection
    from .diff import diff_reports
    from .errors import (
        BuildError,
        DisclosureError,
        ImportFailed,
        NotebookFailed,
        OutputError,
        ParamsError,
        RenderError,
        ReportBlocked,
    )
    from .findings import Finding
    from .importers.collection import import_files
    from .importers.document import import_file
    from .importers.excel import write_template
    from .locate import (
        find_params_dir,
        find_params_file,
        load_for_notebook,
        load_history,
        notebook_path,
    )
    from .model import Acknowledgement, Contact, Paragraph, Report
    from .nextyear import next_year
    from .params import find_params, load_report, load_reports, params_path
    from .params_read import loads_report
    from .params_write import dump_report, new_params_file, save_report
    from .rendering.charts import report_charts
    from .rendering.compose import charts_section, checks_section, report_body, run_checks
    from .rendering.fonts import matplotlib_cjk_family
    from .rendering.notebook import check_profile
    from .rendering.summary import summary_parts
    from .summary import YearSummary, read_summary, year_summary
    from .tidy import collection_frame, export, integer_counts, pivot_figures
