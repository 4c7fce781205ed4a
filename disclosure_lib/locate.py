"""Finding things: params folders and files for an agency-year, and the bundled notebooks.

The notebooks call these with their parameters (`find_params_dir`, `load_for_notebook`,
`load_history`), so every bad parameter gets a clear message; this module imports only the
standard library and the core at import time, so notebook kernels start fast.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from . import params
from .errors import RenderError
from .identity import check_agency, check_year
from .model import Report

NOTEBOOKS = ("annual_report.ipynb", "summary.ipynb", "explore.ipynb")
# A source checkout keeps the notebooks at the top of the repository, where analysts open
# them; the wheel carries them inside the package (pyproject: force-include).
_CHECKOUT_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(name: str = "annual_report.ipynb") -> Path:
    """The bundled notebook `name`: from the installed package, else from the checkout."""
    if name not in NOTEBOOKS:
        raise RenderError(f"没有名为 {name} 的内置笔记本；可选：{'、'.join(NOTEBOOKS)}")
    packaged = resources.files("disclosure_lib").joinpath("notebooks", name)
    if packaged.is_file():
        return Path(str(packaged))
    return _CHECKOUT_NOTEBOOKS / name


def find_params_dir(params_dir: object = "params") -> Path:
    """The params folder `params_dir`; a relative one is also looked for one level up,
    because Jupyter runs notebooks from `notebooks/` while the params live in the project
    root."""
    if not isinstance(params_dir, str | Path):
        raise RenderError(f"应为目录路径，实际为 {params_dir!r}", field="params_dir")
    path = Path(params_dir)
    if not path.is_dir() and not path.is_absolute() and (Path.cwd().parent / path).is_dir():
        return Path.cwd().parent / path
    if not path.is_dir():
        raise RenderError("参数目录不存在 (params folder not found)", path=path)
    return path


def _listing(found: dict[str, list[int]]) -> str:
    if not found:
        return "该目录下没有任何参数文件"
    return "；".join(f"{a}（{'、'.join(map(str, ys))}）" for a, ys in found.items())


def _agency_year(agency: object, year: object) -> tuple[str, int]:
    return check_agency(agency, error=RenderError), check_year(year, error=RenderError)


def find_params_file(agency: object, year: object, params_dir: object = "params") -> Path:
    """The params file for agency-year, or a RenderError listing the agencies and years found."""
    name, y = _agency_year(agency, year)
    return params_file_for(name, y, find_params_dir(params_dir))


def params_file_for(name: str, y: int, folder: Path) -> Path:
    """`find_params_file` for an agency and year already checked, in an existing folder."""
    path = params.params_path(folder, name, y)
    if path.is_file():
        return path
    found = params.available(folder)
    if name in found and y not in found[name]:
        years = "、".join(map(str, found[name]))
        raise RenderError(f"{name} 没有 {y} 年的参数文件；现有年份：{years}", path=folder)
    if name not in found:
        raise RenderError(f"未找到机关“{name}”的参数文件。现有：{_listing(found)}", path=folder)
    # The agency-year exists, filed under another name: find it.
    for f in params.find_params([folder]):
        report = params.load_report(f)
        if report.agency == name and report.year == y:
            return f
    raise RenderError(f"未找到 {name}{y} 年的参数文件", path=folder)  # pragma: no cover


def load_for_notebook(agency: object, year: object, params_dir: object = "params") -> Report:
    """The report for the notebook's parameters, with clear errors for bad parameters."""
    name, y = _agency_year(agency, year)
    return load_checked(name, y, params_file_for(name, y, find_params_dir(params_dir)))


def load_checked(name: str, y: int, path: Path) -> Report:
    """The report in `path`, which must be agency `name`'s of year `y` (both checked)."""
    report = params.load_report(path)
    if report.agency != name or report.year != y:
        raise RenderError(
            f"参数文件内容是 {report.agency}{report.year} 年，与所请求的不符", path=path
        )
    return report


def load_history(report: Report, params_dir: object = "params") -> list[Report]:
    """Earlier years of the same agency, oldest first (trend chart, cross-year checks)."""
    folder = params.params_path(find_params_dir(params_dir), report.agency, report.year).parent
    earlier: list[Report] = []
    for f in sorted(folder.glob(f"*{params.SUFFIX}")):
        if not f.stem.isdigit() or int(f.stem) >= report.year:
            continue
        r = params.load_report(f)
        if r.agency == report.agency and r.year < report.year:
            earlier.append(r)
    return sorted(earlier, key=lambda r: r.year)
