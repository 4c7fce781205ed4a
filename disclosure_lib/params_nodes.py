"""Reading a params file's YAML nodes: typed scalars (text, date, flag, figure), mappings
with their allowed keys, and errors collected with file, line and field (`NodeReader`) — what
`params_read` builds the report's parts from."""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import ParamsError
from .model import Value
from .names import text_control
from .params_limits import MAX_DIGITS, too_many_digits

MAX_ERRORS = 20  # errors reported per file; past that the file is hardly a params file
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_STR = "tag:yaml.org,2002:str"
_WHOLE = re.compile(r"[-+]?[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_DATE = re.compile(r"(?P<y>\d{4})(?:-|年)(?P<m>\d{1,2})(?:-|月)(?P<d>\d{1,2})日?")


def parse_date(raw: str) -> datetime.date | None:
    """A date written 2025-01-20 or 2025年1月20日 (the 落款), or None if `raw` is not one."""
    m = _DATE.fullmatch(raw.strip())
    if m is None:
        return None
    try:
        return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


class TooMany(Exception):
    """`MAX_ERRORS` reached: stop reading the file."""


class NodeReader:
    """Typed values out of YAML nodes, every error located (file, line, field) and collected.

    Each part that can be read on its own is read inside `attempt()`, so one error does not
    hide the others in the same file.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lines: dict[tuple[str, str, str], int] = {}
        self.errors: list[ParamsError] = []
        # tables whose format is not known (a bad `format`/`table_formats`): not read, so
        # the one error says what is wrong instead of every row of another layout
        self.unread: set[str] = set()

    def fail(self, node: yaml.Node | None, field: str, message: str) -> ParamsError:
        line = node.start_mark.line + 1 if node is not None else None
        return ParamsError(message, path=self.path, line=line, field=field or None)

    def note(self, error: ParamsError) -> None:
        self.errors.append(error)
        if len(self.errors) >= MAX_ERRORS:
            raise TooMany

    @contextlib.contextmanager
    def attempt(self) -> Iterator[None]:
        try:
            yield
        except ParamsError as exc:
            self.note(exc)

    def mapping(
        self, node: yaml.Node, field: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The mapping's items; unknown and duplicate keys are noted and left out."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "应为映射 key: value (expected a mapping)")
        allowed_list = None if allowed is None else list(allowed)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.note(self.fail(key_node, field, "键应为文字 (expected a text key)"))
                continue
            key = str(key_node.value).strip()
            sub = f"{field}.{key}" if field else key
            if key in out:
                self.note(self.fail(key_node, sub, "重复的键 (duplicate key)"))
            elif allowed_list is not None and key not in allowed_list:
                expected = "、".join(allowed_list)
                self.note(
                    self.fail(key_node, sub, f"未知的键，应为其中之一：{expected} (unknown key)")
                )
            else:
                out[key] = (key_node, value_node)
        return out

    def require(
        self,
        node: yaml.Node,
        items: dict[str, tuple[yaml.Node, yaml.Node]],
        field: str,
        keys: Iterable[str],
    ) -> None:
        for key in keys:
            if key not in items:
                where = f"{field}.{key}" if field else key
                self.note(self.fail(node, where, "缺少此项 (missing)"))

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT, _FLOAT):
            if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
                return ""
            raise self.fail(node, field, "应为文字 (expected text)")
        value = str(node.value)
        bad = text_control(value)
        if bad is not None:  # an escape sequence would act on a terminal, a NUL end a page
            error = self.fail(
                node, field, f"含有控制字符 U+{ord(bad):04X}，不能使用 (control character in text)"
            )
            if node.style == "|" and error.line is not None:  # a literal block: its own line
                error.line += value[: value.index(bad)].count("\n") + 1
            raise error
        return value

    def date(self, node: yaml.Node, field: str) -> datetime.date | None:
        """A date as 2025-01-20 or 2025年1月20日; null for none."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        raw = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        date = parse_date(raw)
        if date is not None:
            return date
        raise self.fail(
            node,
            field,
            f"应为日期，如 2025-01-20 或 2025年1月20日，而不是 {raw!r} (expected a date)",
        )

    def flag(self, node: yaml.Node, field: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            raise self.fail(node, field, "应为 true 或 false (expected true or false)")
        return str(node.value).strip().lower() in ("true", "yes", "on")

    def number(self, node: yaml.Node, field: str, amount: bool, signed: bool = False) -> Value:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field, "应为数字 (expected a number)")
        raw = str(node.value).strip()
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            raise self.fail(
                node, field, f"应为数字，而不是 {raw} (expected a number, not a boolean)"
            )
        if amount:
            if node.tag not in (_INT, _FLOAT):
                raise self.fail(
                    node, field, f"应为金额（万元）数字，而不是 {raw!r} (expected an amount)"
                )
            try:
                value = Decimal(raw.replace("_", ""))
            except InvalidOperation:
                raise self.fail(node, field, f"应为金额数字，而不是 {raw!r}") from None
            if not value.is_finite() or value.is_signed():  # -0.0 too
                raise self.fail(node, field, f"金额应 ≥ 0，而不是 {raw} (expected an amount ≥ 0)")
            if len(raw) > MAX_DIGITS:
                raise self.fail(node, field, too_many_digits(len(raw)))
            return value
        if node.tag != _INT or not _WHOLE.fullmatch(raw):
            raise self.fail(
                node, field, f"应为不小于 0 的整数，而不是 {raw!r} (expected a whole number ≥ 0)"
            )
        if _LEADING_ZERO.match(raw):  # YAML 1.1 reads 017 as octal 15: neither is meant
            raise self.fail(node, field, f"整数不能以 0 开头：{raw} (leading zero)")
        if len(raw) > MAX_DIGITS:  # int() of > 4,300 digits raises; no count is that large
            raise self.fail(node, field, too_many_digits(len(raw)))
        count = int(raw)
        if count < 0 and not signed:  # (signed: 2019's 本年增/减, a change)
            raise self.fail(node, field, f"应为不小于 0 的整数，而不是 {raw} (negative)")
        return count

    def where(self, node: yaml.Node, field: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": node.start_mark.line + 1}
        if field is not None:
            out["field"] = field
        return out

    def line(self, key: tuple[str, str, str], node: yaml.Node) -> None:
        self.lines[key] = node.start_mark.line + 1
