"""``workbook_bytes``: every XLSX export saved with its text cells as text, never as live formulas."""

import io

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(book) -> bytes:
    """Save an openpyxl workbook built from data, with every text cell written as text: never a formula (openpyxl
    makes "=…" one) or an error value ("#N/A"), and text Excel would take for a formula when edited (=, +, -, @, tab,
    carriage return first) marked with the quote prefix. None of the exports writes a formula on purpose."""
    for sheet in book.worksheets:
        # _cells holds only the cells written; iter_rows would create every empty cell of the grid.
        for cell in sheet._cells.values():
            value = cell.value
            if isinstance(value, str):
                cell.data_type = "s"
                if value.startswith(FORMULA_TRIGGERS):
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
