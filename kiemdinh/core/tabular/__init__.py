"""Tabular files in and out: uploads read with caps, and spreadsheets written without live formulas.

Reading (every Excel/CSV import goes through ``read_table``). An upload is hostile until read: a 100 KB XLSX can hold
a 100 MB string or six million empty rows. So the file is refused as early and as cheaply as possible, always with a
Vietnamese message naming the cap it broke:

1. the name (.xlsx or .csv) and the upload size (``KIEMDINH_IMPORT_MAX_MB``);
2. for XLSX, the zip's table of contents before anything is decompressed: the number of members, each member's and the
   total uncompressed size (``KIEMDINH_IMPORT_MAX_UNZIPPED_MB``) and each large member's compression ratio — a member
   cannot yield more than its declared size (zipfile stops there and checks the CRC), so what follows is bounded;
3. the first sheet streamed through expat (no DOCTYPE, so no entity expansion), never built as a tree: its declared
   dimension, then, as each element arrives, the sheet rows read (empty ones included; ``max_sheet_rows``), the cells
   read (``max_cells``), the columns holding data (``KIEMDINH_IMPORT_MAX_COLUMNS``), each cell's length
   (``KIEMDINH_IMPORT_MAX_CELL_CHARS``; shared strings keep at most that many characters) and the rows holding data
   (``KIEMDINH_IMPORT_MAX_ROWS``). A sheet of six million empty rows stops at row 15,001 (or at its dimension) after
   reading a few hundred kilobytes;
4. CSV likewise (UTF-8, at most the same rows, columns and cell length).

Empty rows are skipped without counting against the data rows, so trailing formatted rows do not make a short list
"too long"; they only count against the larger ``max_sheet_rows``, which exists to stop reading early.

Writing (every XLSX export saves through ``workbook_bytes``). openpyxl stores a text starting with "=" as a formula,
and a cell written as text but starting with =, +, -, @, a tab or a carriage return becomes a formula again when a
person edits it in Excel. ``workbook_bytes`` writes every text cell as text and marks those with Excel's quote prefix
(shown as plain text, kept as text when edited). The project has no CSV export; one would put an apostrophe before
such text (OWASP's advice for CSV, which has no cell types).

The modules: ``reading`` (``read_table``), ``caps`` (the limits, numbers and sizes in messages), ``refusals`` (the
messages, ``ImportPending``), ``cells`` (cell texts, loose header keys, ``shown``), ``xlsx_parts`` (the zip and the
parts around the first sheet), ``xlsx_sheet`` (the first sheet streamed), ``csv_rows`` and ``writing``
(``workbook_bytes``). The names every import and export uses are re-exported here: this package's public face is
``from kiemdinh.core.tabular import read_table, workbook_bytes, …``.
"""

from kiemdinh.core.tabular.caps import XLSX_CONTENT_TYPE, Caps, max_size_text, megabytes, number
from kiemdinh.core.tabular.cells import cell_text, header_key, shown
from kiemdinh.core.tabular.reading import read_table
from kiemdinh.core.tabular.refusals import UNREADABLE_CSV, UNREADABLE_XLSX, ImportPending
from kiemdinh.core.tabular.writing import workbook_bytes

__all__ = [
    "UNREADABLE_CSV",
    "UNREADABLE_XLSX",
    "XLSX_CONTENT_TYPE",
    "Caps",
    "ImportPending",
    "cell_text",
    "header_key",
    "max_size_text",
    "megabytes",
    "number",
    "read_table",
    "shown",
    "workbook_bytes",
]
