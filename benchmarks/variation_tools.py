"""What `bench_corpus_mutate.py` and its `variations_*.py` modules share: the page a variation
returns and where a corpus page's tables are."""

from __future__ import annotations

import re

from disclosure_lib import format as fmt

Page = tuple[list[str], str]  # (header lines, body)
TABLES_START = re.compile(rf"[二三]、\s*{fmt.section('二').title}")
# the section on problems, whatever its numbering (五, or 六/七 after an extra section)
TABLES_END = re.compile(r"[五六七]、\s*(?:政府信息公开工作)?(?:当前)?存在")


def tables_span(body: str) -> tuple[int, int]:
    """Where the tables are: from 主动公开政府信息情况 to 存在的主要问题 (whatever the
    numbering), or (-1, -1); the prose before and after is not a table's."""
    start = TABLES_START.search(body)
    if start is None:
        return -1, -1
    end = TABLES_END.search(body, start.end())
    return start.start(), (len(body) if end is None else end.start())
