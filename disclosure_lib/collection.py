"""The office's collection file `params/collection.yaml`: which agencies are expected each
year, which report is the 人民政府's own, and the due dates of 《政府信息公开条例》第四十九条.

A 县级以上人民政府部门 submits its report on year Y by 1月31日 of Y + 1; the 县级以上地方人民政府's
own report (`government:`) is due by 3月31日. `deadlines:` overrides one agency's date for one
year. `check` then warns P2-LATE when a report's `issued` is after its due date.

An agency set up or dissolved (机构改革) is expected only in some years: `agencies:` lists it
as `{name: …, from: 2019}` (its first year) or `{name: …, until: 2018}` (its last), or both;
a plain name is expected every year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ParamsError
from .findings import Finding, make_finding
from .model import Report
from .params import COLLECTION_FILE

FILE_NAME = COLLECTION_FILE
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEYS = ("government", "agencies", "deadlines")
_AGENCY_KEYS = ("name", "from", "until")


@dataclass
class Collection:
    """What the office expects: `agencies` (each year, unless `spans` limits one to its
    first and last years, None: open), `government` (the 人民政府's own report, also expected),
    and `overrides[(agency, year)]` = a due date set by hand."""

    path: Path | None = None
    government: str | None = None
    agencies: list[str] = field(default_factory=list)
    overrides: dict[tuple[str, int], datetime.date] = field(default_factory=dict)
    spans: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def expected(self, year: int | None = None) -> list[str]:
        """The agencies expected on `year` (None: in any year), the government first if named."""
        names = [self.government] if self.government else []
        names += [a for a in self.agencies if a != self.government]
        return names if year is None else [a for a in names if self.expects(a, year)]

    def expects(self, agency: str, year: int) -> bool:
        """Whether `agency` (listed) is to report on `year`, within its `from`/`until`."""
        first, last = self.spans.get(agency, (None, None))
        return (first is None or year >= first) and (last is None or year <= last)

    def due(self, agency: str, year: int) -> datetime.date:
        """When the report of `agency` on `year` is due (第四十九条, unless overridden)."""
        if (agency, year) in self.overrides:
            return self.overrides[(agency, year)]
        month = 3 if agency == self.government else 1
        day = 31
        return datetime.date(year + 1, month, day)

    def missing(self, agency_years: Iterable[tuple[str, int]], year: int) -> list[str]:
        """Agencies expected on `year` with no report on it among `agency_years`."""
        present = {a for a, y in agency_years if y == year}
        return [a for a in self.expected(year) if a not in present]


def _fail(path: Path, node: yaml.Node | None, field_name: str, message: str) -> ParamsError:
    line = node.start_mark.line + 1 if node is not None else None
    return ParamsError(message, path=path, line=line, field=field_name)


def _scalar(path: Path, node: yaml.Node, field_name: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(path, node, field_name, "应为非空文字 (expected a non-empty text)")
    return str(node.value).strip()


def _date(path: Path, node: yaml.Node, field_name: str) -> datetime.date:
    text = _scalar(path, node, field_name)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _fail(path, node, field_name, f"日期应写作 2025-01-31，而不是 {text!r}") from None


def _year(path: Path, node: yaml.Node, field_name: str) -> int:
    text = _scalar(path, node, field_name)
    if not text.isdigit() or len(text) != 4:
        raise _fail(path, node, field_name, f"年度应为四位数字，而不是 {text!r}")
    return int(text)


def _mapping(path: Path, node: yaml.Node, field_name: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, field_name, "应为映射 (expected a mapping: 名称: 值)")
    return list(node.value)


def load_collection(path: Path | str) -> Collection:
    """Read a collection file; a bad one raises ParamsError naming file, line and field."""
    path = Path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise ParamsError(f"无法读取 (cannot read): {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ParamsError("YAML 语法错误 (YAML syntax error)", path=path, line=line) from None
    out = Collection(path=path)
    if root is None:
        return out
    for key_node, value in _mapping(path, root, "collection"):
        key = _scalar(path, key_node, "collection")
        if key == "government":
            out.government = _scalar(path, value, key)
        elif key == "agencies":
            if not isinstance(value, yaml.SequenceNode):
                raise _fail(path, value, key, "应为机关名称列表 (expected a list of agencies)")
            names = [_agency(path, item, out) for item in value.value]
            for n, (item, name) in enumerate(zip(value.value, names, strict=True)):
                if name in names[:n]:  # the repeat is the mistake, not the first listing
                    raise _fail(path, item, key, f"机关 {name} 重复列出")
            out.agencies = names
        elif key == "deadlines":
            for year_node, per_agency in _mapping(path, value, key):
                year = _year(path, year_node, key)
                for agency_node, date_node in _mapping(path, per_agency, f"{key}.{year}"):
                    agency = _scalar(path, agency_node, f"{key}.{year}")
                    out.overrides[(agency, year)] = _date(path, date_node, f"{key}.{year}.{agency}")
        else:
            allowed = "、".join(_KEYS)
            raise _fail(path, key_node, key, f"未知的键（可用：{allowed}）")
    return out


def _agency(path: Path, node: yaml.Node, out: Collection) -> str:
    """One item of `agencies:`: a name, or `{name, from, until}` (its span kept in `out`)."""
    if not isinstance(node, yaml.MappingNode):
        return _scalar(path, node, "agencies")
    found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value in node.value:
        key = _scalar(path, key_node, "agencies")
        if key not in _AGENCY_KEYS:
            allowed = "、".join(_AGENCY_KEYS)
            raise _fail(path, key_node, f"agencies.{key}", f"未知的键（可用：{allowed}）")
        found[key] = (key_node, value)
    if "name" not in found:
        raise _fail(path, node, "agencies", "缺少 name（机关名称）")
    name = _scalar(path, found["name"][1], "agencies.name")
    first, last = (_year(path, found[k][1], f"agencies.{name}.{k}") if k in found else None
                   for k in ("from", "until"))  # fmt: skip
    if first is not None and last is not None and first > last:
        raise _fail(path, found["until"][1], f"agencies.{name}.until",
                    f"截止年度 {last} 早于起始年度 {first}")  # fmt: skip
    if first is not None or last is not None:
        out.spans[name] = (first, last)
    return name


def find_collection(paths: Iterable[Path | str]) -> Path | None:
    """The collection file of the params named by `paths`: in a named folder, or two levels
    above a named file (`params/<agency>/<year>.yaml` → `params/collection.yaml`)."""
    for p in map(Path, paths):
        try:
            c = p / FILE_NAME if p.is_dir() else p.parent.parent / FILE_NAME
            if c.is_file():
                return c
        except OSError:  # a folder that cannot be searched: the params scan reports it
            continue
    return None


def check_due(report: Report, collection: Collection) -> list[Finding]:
    """P2-LATE: the report's `issued` is after its due date (a missing date is P2-ISSUED)."""
    if report.issued is None:
        return []
    due = collection.due(report.agency, report.year)
    if report.issued <= due:
        return []
    late = (report.issued - due).days
    finding = make_finding(
        report,
        "P2-LATE",
        "warning",
        (),
        f"不晚于 {due.isoformat()}",
        report.issued.isoformat(),
        f"逾期：落款日期 {report.issued.isoformat()} 晚于应报送日期 {due.isoformat()}"
        f"（《政府信息公开条例》第四十九条），逾期 {late} 天",
        table="（落款）",
    )
    finding.line = report.lines.get(("issued", "", ""))
    return [finding]
