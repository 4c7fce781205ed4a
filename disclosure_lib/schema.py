"""JSON Schema of params files, generated from the format data (for editors' live validation).

Point an editor at it, e.g. a first line `# yaml-language-server: $schema=params.schema.json`.
Each table's layout is a `$defs` entry per format (`proactive-2019`, …); which one applies is
decided per table by if/then/else on `format` and `table_formats` (a mixed page).
"""

from __future__ import annotations

from typing import Any

from . import format as fmt
from . import formats
from .identity import YEARS
from .names import CONTROL_CLASS
from .params_layout import FORMATS, table_layout
from .params_read import REQUIRED_KEYS

SCHEMA_ID = "https://disclosure-lib.invalid/params.schema.json"
COUNT = {
    "type": ["integer", "null"],
    "minimum": 0,
    "description": "件数：不小于 0 的整数；空白为 null",
}
# a name: not blank, no control character (names.check_name)
NAME_PATTERN = rf"^[^{CONTROL_CLASS}]*[^\s{CONTROL_CLASS}][^{CONTROL_CLASS}]*$"
DATE_PATTERN = r"^\d{4}(-|年)\d{1,2}(-|月)\d{1,2}日?$"
AMOUNT = {"type": ["number", "null"], "minimum": 0, "description": "金额（万元），不小于 0"}


SIGNED = {"type": ["integer", "null"], "description": "增减数：整数，可为负；空白为 null"}


def _cell_schema(table: fmt.Table, row: str, column: str) -> dict[str, Any]:
    if table.is_amount(row, column):
        return AMOUNT
    return SIGNED if (row, column) in formats.signed_cells(table) else COUNT


def _row_schema(table: fmt.Table, row: fmt.Row) -> dict[str, Any]:
    columns = table.row_columns(row)
    if row.columns:
        props = {c.label: _cell_schema(table, row.key, c.key) for c in columns}
        return _object(props, row.label)
    return {
        "type": "array",
        "description": f"{row.label}：" + "、".join(c.label for c in columns),
        "prefixItems": [_cell_schema(table, row.key, c.key) for c in columns],
        "items": False,
        "minItems": len(columns),
        "maxItems": len(columns),
    }


def _object(props: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


def _level_schema(table: fmt.Table, level: dict[str, object]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for label, child in level.items():
        if isinstance(child, dict):
            props[label] = _level_schema(table, child)
        else:
            assert isinstance(child, fmt.Row)
            props[label] = _row_schema(table, child)
    return _object(props)


def _narrative_schema() -> dict[str, Any]:
    paragraph = {
        "type": "object",
        "properties": {"heading": {"type": "string"}, "text": {"type": ["string", "null"]}},
        "additionalProperties": False,
    }
    props = {s.heading: {"type": "array", "items": paragraph} for s in fmt.NARRATIVE_SECTIONS}
    return {"type": "object", "properties": props, "additionalProperties": False}


def params_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a params file."""
    props: dict[str, Any] = {
        "agency": {"type": "string", "pattern": NAME_PATTERN, "description": "机关全称"},
        "year": {
            "type": "integer",
            "minimum": YEARS.start,
            "maximum": YEARS.stop - 1,
            "description": "报告年度",
        },
        "title": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "description": "报告标题（默认为规范标题）",
        },
        "issued": {
            "type": ["string", "null"],  # null: `new` leaves it to be filled in
            "pattern": DATE_PATTERN,
            "description": "落款日期，如 2025-01-20",
        },
        "charts": {"type": "boolean", "description": "正式版是否附统计图表"},
        "format": {"enum": _format_values(), "description": "报告格式（2021 为现行格式）"},
        "table_formats": {
            "type": "object",
            "properties": {t.key: {"enum": _format_values()} for t in fmt.TABLES},
            "additionalProperties": False,
            "description": "与报告格式不同的表格的格式（新旧格式混排的报告）",
        },
        "contact": {
            "type": "object",
            "properties": {
                k: {"type": ["string", "null"], "description": v} for k, v in fmt.CONTACT_FIELDS
            },
            "additionalProperties": False,
        },
        "narrative": _narrative_schema(),
        "acknowledged": {
            "type": "array",
            "description": "已核实的校验结果：代码与位置 → 理由、核实人、日期",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "校验代码，如 R8-IN-FORCE"},
                    "cell": {"type": "string", "description": "位置，照 check 的输出；空为全部"},
                    "reason": {"type": "string", "description": "核实理由"},
                    "by": {"type": "string", "description": "核实人"},
                    "date": {
                        "type": "string",
                        "pattern": DATE_PATTERN,
                        "description": "核实日期",
                    },
                },
                "required": ["code", "reason", "by", "date"],
                "additionalProperties": False,
            },
        },
        "notes": {
            "type": "object",
            "properties": {s.heading: {"type": "string"} for s in fmt.SECTIONS if not s.narrative},
            "additionalProperties": False,
        },
    }
    defs: dict[str, Any] = {}
    for format_id in FORMATS:
        for t in formats.tables(format_id):
            schema = _level_schema(t, table_layout(t))
            schema["description"] = f"{t.section}、{t.title}（{formats.DOCS[format_id]}）"
            defs[_def_name(t.key, format_id)] = schema
    for t in fmt.TABLES:
        props[t.key] = {"description": f"{t.section}、{t.title}"}  # the layout: see allOf
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "政府信息公开工作年度报告参数文件",
        "type": "object",
        "properties": props,
        "required": list(REQUIRED_KEYS),
        "additionalProperties": False,
        "allOf": [_table_choice(t.key) for t in fmt.TABLES],
        "$defs": defs,
    }


def _format_values() -> list[str | int]:
    """A format id as text or as the bare number YAML reads `format: 2019` as."""
    return [*FORMATS, *(int(f) for f in FORMATS)]


def _def_name(table_key: str, format_id: str) -> str:
    return f"{table_key}-{format_id}"


def _in_format(table_key: str, format_id: str) -> dict[str, Any]:
    """Schema true when `table_key` is laid out in `format_id`: named in `table_formats`, or
    the report's `format` with no override for it."""
    ids = [format_id, int(format_id)]
    override = {
        "required": ["table_formats"],
        "properties": {
            "table_formats": {"required": [table_key], "properties": {table_key: {"enum": ids}}}
        },
    }
    own = {
        "required": ["format"],
        "properties": {
            "format": {"enum": ids},
            "table_formats": {"not": {"required": [table_key]}},
        },
    }
    return {"anyOf": [override, own]}


def _table_choice(table_key: str) -> dict[str, Any]:
    """if/then/else over the formats: the table's layout in the format it is kept in (the
    current format when neither `format` nor `table_formats` says otherwise)."""

    def layout(format_id: str) -> dict[str, Any]:
        return {"properties": {table_key: {"$ref": f"#/$defs/{_def_name(table_key, format_id)}"}}}

    choice = layout(fmt.FORMAT_ID)
    for format_id in reversed([f for f in FORMATS if f != fmt.FORMAT_ID]):
        choice = {"if": _in_format(table_key, format_id), "then": layout(format_id), "else": choice}
    return choice
