"""Cell values as the user sees them, header cells matched loosely, and values quoted back in messages."""

from datetime import date, datetime

from kiemdinh.core.text import fold, nfc


def cell_text(value) -> str:
    """A cell as the text the user sees: whole numbers without ".0", dates as dd/mm/yyyy, NFC, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(nfc(str(value)).replace("\xa0", " ").split())


def header_key(text: str) -> str:
    """Header cells are matched loosely: case, diacritics, spaces, a trailing "*" and a "(…)" note are ignored."""
    text = fold(cell_text(text)).rstrip("*").strip()
    if "(" in text:
        text = text.split("(", 1)[0]
    return " ".join(text.split())


def shown(text: str, limit: int = 80) -> str:
    """A value quoted back in a message or a preview, cut to `limit` characters ("…" marks the cut)."""
    return text if len(text) <= limit else text[:limit] + "…"
