"""Vietnamese text helpers."""

import difflib
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bidirectional embedding, override and isolate controls, and the direction marks: Vietnamese never needs them, and in a
# name they make the screen show something else than what is stored ("‮ahn gnourT" reads "Trường nha").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that print as nothing although they are not format characters (Unicode category Cf): Hangul fillers, the
# braille blank, the combining grapheme joiner, Khmer inherent vowels, Mongolian variation selectors.
_BLANK_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f")
_DROP_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def invisible(ch: str) -> bool:
    """Does this character print as nothing: whitespace, a control or format character (zero-width space, joiners,
    bidirectional controls, soft hyphen, byte order mark), a variation selector or a blank filler?"""
    return (
        ch.isspace()
        or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")
        or ch in _BLANK_EXTRA
        or "\ufe00" <= ch <= "\ufe0f"
    )


def blank(text: str) -> bool:
    """True when the text shows nothing: empty, or only invisible characters."""
    return all(invisible(ch) for ch in text or "")


def clean(value) -> str:
    """A typed text as stored: NFC, without bidirectional controls, without surrounding whitespace; "" for None and for
    a text that shows nothing (only invisible characters), so that a required text made of them counts as missing."""
    text = nfc(value or "").translate(_DROP_BIDI).strip()
    return "" if blank(text) else text


def clean_name(value) -> str:
    """A one-line text as stored (a name, a title, a number, a code): as `clean`, and without any invisible character
    inside but the plain space (zero-width spaces and joiners, soft hyphens, controls, tabs and line breaks), with runs of
    spaces made one: "Nguyễn\u200b  Văn\tAn" → "Nguyễn Văn An"."""
    text = nfc(value or "")
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or not invisible(ch))
    return " ".join(kept.split())


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit ("２０２２" and "٢٠٢٢" → "2022"): for numbers and years typed with a full-width
    or another script's digits, which regular expressions' \\d and int() accept but which would be stored as typed."""
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.decimal(ch, None) is not None else ch
        for ch in text
    )


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), drop invisible format characters (zero-width spaces and joiners, soft
    hyphens, bidirectional controls) and collapse spaces: "Chiến lược  ĐỘI NGŨ" → "chien luoc doi ngu".

    Stored next to searchable text and applied to queries, so search ignores diacritics on every database, and a query
    or a name with a zero-width character inside still matches.
    """
    return " ".join(_strip_marks(text or "").lower().split())


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


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
