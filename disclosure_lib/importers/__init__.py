"""Importers: published reports (text, HTML) and fill-in workbooks → `Report` → params files.

`document` is the entry point (`import_file`, `import_files`); `text` and `html` turn bytes
into prose lines and table rows, `tables` reads rows by their official labels (`labels`
normalises them, `cellruns` splits digits that ran together), `excel` is the workbook.
Importers read the core (format, model, params, checks) and nothing above it.
"""
