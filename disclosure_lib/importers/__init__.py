"""Importers: published reports (text, HTML, PDF) and fill-in workbooks → `Report` → params.

`document` reads one file (`import_file`); `collection` many files and folders, with evidence
across years, and writes the params files (`import_files`). `text`, `html` and `pdf` turn
bytes into prose lines and table rows (`oneline` cuts a page flattened onto one line);
`headings` finds the sections, `tables` reads rows by their official labels (`labels`
normalises them, `cellruns` splits digits that ran together); `evidence` and `infer` decide
what the report's own arithmetic, narrative and other years imply; `excel`/`excel_read` are
the workbook. Importers read the core (format, model, params, checks) and nothing above it.
"""
