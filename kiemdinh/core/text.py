"""Vietnamese text helpers."""

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Chiến lược  ĐỘI NGŨ" → "chien luoc doi ngu".

    Stored next to searchable text and applied to queries, so search ignores diacritics on every database.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
