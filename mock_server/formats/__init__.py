"""File formats the mock's APIs exchange besides JSON, shared by every API that has them.

| module | its one job |
|---|---|
| `csv_files.py` | CSV: an uploaded file read into its header and rows, a row's cells by column, rows as a download |
| `pdf.py` | PDF: a one-page document of text lines (fpdf2) |

What a file means (its columns, how a row becomes a record, how the API words a refusal) stays with the API's
behaviour (`mock_server/behaviours/`).
"""
