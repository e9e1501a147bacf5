"""The limits an upload is read under, and numbers and sizes written as Vietnamese messages write them."""

from dataclasses import dataclass

from django.conf import settings

ALLOWED_SUFFIXES = (".xlsx", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS_PER_DATA_ROW = 3  # rows read (empty ones included) before giving up, per row of data allowed
EXCEL_MAX_COLUMNS = 16384


@dataclass(frozen=True)
class Caps:
    """The limits one upload is read under (settings ``KIEMDINH_IMPORT_*``; see .env.example)."""

    max_bytes: int
    max_unzipped_bytes: int
    max_rows: int  # rows holding data (one more is allowed for the header)
    max_columns: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls) -> "Caps":
        return cls(
            max_bytes=settings.KIEMDINH_IMPORT_MAX_BYTES,
            max_unzipped_bytes=settings.KIEMDINH_IMPORT_MAX_UNZIPPED_BYTES,
            max_rows=settings.KIEMDINH_IMPORT_MAX_ROWS,
            max_columns=settings.KIEMDINH_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.KIEMDINH_IMPORT_MAX_CELL_CHARS,
        )

    @property
    def max_sheet_rows(self) -> int:
        """Rows read, empty or not, before the file is refused: stops a sheet of millions of empty rows early."""
        return self.max_rows * SHEET_ROWS_PER_DATA_ROW

    @property
    def max_cells(self) -> int:
        """Cells read, empty or not (a formatted empty cell is an element too): as many as `max_rows` full rows."""
        return self.max_rows * self.max_columns


def number(value: int) -> str:
    """5000 → "5.000", as Vietnamese writes it."""
    return f"{value:,}".replace(",", ".")


def megabytes(size: int) -> str:
    """5242880 → "5", 1572864 → "1,5"."""
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def max_size_text() -> str:
    return f"{megabytes(settings.KIEMDINH_IMPORT_MAX_BYTES)} MB"
