"""Vietnamese text helpers."""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def clean(value) -> str:
    """A typed value as stored: NFC, without surrounding whitespace ("" for None)."""
    return nfc(value or "").strip()


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Chiến lược  ĐỘI NGŨ" → "chien luoc doi ngu".

    Stored next to searchable text and applied to queries, so search ignores diacritics on every database.
    """
    return " ".join(_strip_marks(text or "").lower().split())


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_char(ch: str) -> str:
    return _strip_marks(ch).lower()


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where fold(query) occurs in fold(text), as (start, end) slices of the original text, without overlaps.

    Search filters on the folded column; this maps each folded match back to the characters a reader sees, so
    "chien luoc" finds and marks "chiến lược" (and "CHIẾN  LƯỢC" across a double space).
    """
    needle = fold(query)
    text = text or ""
    if not needle:
        return []
    folded: list[str] = []
    origin: list[int] = []  # origin[k] = index in text of the character that produced folded[k]
    space_at = None
    for index, ch in enumerate(text):
        piece = _fold_char(ch)
        if not piece:
            continue  # a combining mark: it belongs to the preceding character
        if piece.isspace():
            if folded and space_at is None:
                space_at = index
            continue
        if space_at is not None:
            folded.append(" ")
            origin.append(space_at)
            space_at = None
        for part in piece:
            folded.append(part)
            origin.append(index)
    haystack = "".join(folded)
    if haystack != fold(text):  # context-dependent case mapping (e.g. a final sigma): find nothing rather than mismark
        return []
    spans = []
    start = haystack.find(needle)
    while start != -1:
        last = origin[start + len(needle) - 1]
        end = last + 1
        while end < len(text) and not _fold_char(text[end]):
            end += 1  # keep trailing combining marks inside the match
        spans.append((origin[start], end))
        start = haystack.find(needle, start + len(needle))
    return spans


def highlight(text: str, query: str) -> SafeString:
    """HTML-escaped text with every diacritic-insensitive match of query wrapped in <mark>."""
    text = text or ""
    parts, cursor = [], 0
    for start, end in match_spans(text, query):
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # every piece of text was escaped above


def diff_html(old: str, new: str) -> SafeString:
    """Word-level difference of two texts as HTML: removed words in <del>, added words in <ins> (all escaped)."""
    import difflib
    import re

    old_words = re.findall(r"\S+|\s+", old or "")
    new_words = re.findall(r"\S+|\s+", new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # every piece of text was escaped above
