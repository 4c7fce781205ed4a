"""Limits on a params file: its size, the length of a figure, and its YAML beyond its size —
aliases (`*t`) repeat a node without repeating its text (a 335 KB file expanded to hundreds
of MB), so the node tree, aliases expanded, may be no larger than a params file may be."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ParamsError

MAX_BYTES = 2 * 1024 * 1024  # a params file is ≈ 10 KB; anything this large is not one
MAX_DIGITS = 20  # characters of a figure: counts and amounts far beyond any real report
MAX_ALIASES = 100
MAX_EXPANDED = MAX_BYTES  # characters, aliases expanded


def too_many_digits(n: int) -> str:
    return f"数字过长（{n} 位），最多 {MAX_DIGITS} 位 (number too long)"


def too_large(size: int, path: Path | None) -> ParamsError:
    return ParamsError(
        f"文件过大（{size / 1024 / 1024:.1f} MB），参数文件不超过 {MAX_BYTES // 1024 // 1024} MB "
        "(file too large for a params file)",
        path=path,
    )


def check_expansion(root: yaml.Node, path: Path | None) -> None:
    """Refuse a node tree whose aliases repeat too often or expand it past `MAX_EXPANDED`
    characters (a recursive alias too): walked with the budget, so the walk itself is bounded."""
    seen: set[int] = set()
    aliases = size = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, repeated = stack.pop()
        if not repeated and id(node) in seen:  # an alias: its subtree again
            aliases, repeated = aliases + 1, True
            if aliases > MAX_ALIASES:
                raise ParamsError(
                    f"YAML 别名（*）超过 {MAX_ALIASES} 个，不予展开 (too many aliases)",
                    path=path, line=node.start_mark.line + 1,
                )  # fmt: skip
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            size += len(node.value) + 1
        elif isinstance(node, yaml.SequenceNode):
            size += 1
            stack.extend((child, repeated) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += 1
            stack.extend((part, repeated) for pair in node.value for part in pair)
        if size > MAX_EXPANDED:
            raise ParamsError(
                f"YAML 别名展开后超过 {MAX_EXPANDED // 1024 // 1024} MB，不予读取 "
                "(aliases expand past the size limit)",
                path=path, line=node.start_mark.line + 1,
            )  # fmt: skip
