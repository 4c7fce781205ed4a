"""Names that become file names or go into files: agency names and titles.

`check_name` refuses text that cannot be a name (control characters, including the ESC that
starts terminal escape sequences, and line breaks), wherever a name enters: `new`, import,
params loading. `agency_dirname` makes a name safe as one path component.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ParamsError

# C0 and C1 control characters and DEL; line and paragraph separators; bidi overrides, which
# make a name display differently from what it is
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def check_name(
    text: str,
    what: str = "机关名称",
    *,
    path: Path | str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> str:
    """`text` stripped, or a ParamsError when it is empty or holds a control character."""
    bad = _CONTROL.search(text)
    if bad is not None:
        raise ParamsError(
            f"{what}含有控制字符 U+{ord(bad.group()):04X}，不能使用 (control character in name)",
            path=path,
            line=line,
            field=field,
        )
    name = text.strip()
    if not name:
        raise ParamsError(f"{what}不能为空 (empty name)", path=path, line=line, field=field)
    return name


def agency_dirname(agency: str) -> str:
    """A folder name for `agency` that is safe as a single path component."""
    name = _UNSAFE.sub("_", agency).strip().strip(".")
    name = name[:100]
    return name or "_"
