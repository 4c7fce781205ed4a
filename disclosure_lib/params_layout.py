"""How a table is laid out in a params file, in the format it is kept in.

A table's layout mirrors the official form of its format (`format.py`, `format2019.py`): 二 is
nested by 第二十条 item, 三 by its headings, 四 by 行政诉讼; each figure row is a leaf. The
reader, the writer and the JSON Schema all walk this one tree. `FORMATS` are the values
`format:` and `table_formats:` may take.
"""

from __future__ import annotations

import functools

import yaml

from . import format as fmt
from . import formats

FORMATS = tuple(formats.FORMATS)  # ("2021", "2019")


def table_layout(table: fmt.Table) -> dict[str, object]:
    """Nested {label: subtree | Row} layout of a table in a params file."""
    tree: dict[str, object] = {}
    for row in table.rows:
        level = tree
        if row.group is not None:
            level = level.setdefault(row.group, {})  # type: ignore[assignment]
        for ancestor in table.row_path(row)[:-1]:
            level = level.setdefault(ancestor, {})  # type: ignore[assignment]
        if row.figures:
            level[row.label] = row
        else:
            level.setdefault(row.label, {})
    return tree


@functools.cache
def layout_labels(table: fmt.Table) -> frozenset[str]:
    """Every label a table's layout uses as a key: groups, headings, rows, 二's column labels."""
    out: set[str] = set()

    def walk(level: dict[str, object]) -> None:
        for label, child in level.items():
            out.add(label)
            if isinstance(child, dict):
                walk(child)
            else:
                assert isinstance(child, fmt.Row)
                if child.columns:  # 二's rows are mappings of column label → figure
                    out.update(c.label for c in table.row_columns(child))

    walk(table_layout(table))
    return frozenset(out)


def node_labels(node: yaml.Node) -> frozenset[str]:
    """Every mapping key in a composed YAML node tree (the labels a table's YAML uses)."""
    if not isinstance(node, yaml.MappingNode):
        return frozenset()
    out: set[str] = set()
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            out.add(str(key.value).strip())
        out |= node_labels(value)
    return frozenset(out)


def formats_laid_out(table_key: str, node: yaml.Node) -> list[str]:
    """The formats whose layout of table `table_key` uses exactly the labels of `node`."""
    found = node_labels(node)
    return [f for f in FORMATS if layout_labels(formats.table(f, table_key)) == found]
