"""Rendering: an executed report notebook → one layout → HTML, PDF and DOCX, in memory.

`notebook` runs a notebook with papermill and converts it (`convert`); `compose` makes the
report's layout (`layout`) from a `Report` — `grids` the official tables — and the notebook's
cells display it; `html`, `typst_pdf` and `docx_writer` are the writers of that layout;
`exporters` are the nbconvert exporters (`disclosure-html`, `-typst`, `-pdf`, `-docx`);
`charts` draws the figures; `fonts`/`pdf_fonts` find the CJK fonts; `summary` lays out the
yearly summary across agencies (computed in the core, `disclosure_lib.summary`). Writing
into an output folder is `batch`.
"""
