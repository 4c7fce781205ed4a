"""Rendering: an executed report notebook → HTML and PDF, with charts, in memory.

`notebook` runs a notebook with papermill and converts it; `html` writes the report body in
the official table layout, `charts` draws the figures, `exporters` are the nbconvert
exporters (`disclosure-html`, `disclosure-pdf`), `fonts`/`pdf_fonts` find the CJK fonts,
`rollup` is the yearly summary across agencies. Writing into an output folder is `batch`.
"""
