"""disclosure_lib: 政府信息公开工作年度报告 — model, checks, rendering, batch build, import."""

__version__ = "0.1.0"
