"""Limits on a params file's YAML beyond its size: aliases (`*t`) repeat a node without
repeating its text — a 335 KB file expanded to hundreds of MB — so the node tree, aliases
expanded, may be no larger than a params file may be (`params_read.MAX_BYTES`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ParamsError

MAX_ALIASES = 100
MAX_EXPANDED = 2 * 1024 * 1024  # characters, aliases expanded: params_read.MAX_BYTES


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
