"""Evidence code schemes (mã minh chứng) as the regulations and their guidance define them. Pure functions, no
database; here in frameworks because the scheme belongs to the regime, and every app that shows a text links codes.

- 2018 regime (CV 5932/5942): ``[Hn-a.b-cc]``, e.g. ``[H1-1.1-01]``: n the box (hộp, by default the standard number),
  a.b the criterion the item was first collected for, cc a two-digit sequence. Catalogues made with other tools also
  write it without brackets ("H1-1.1-01") or without the box ("1.1-01"); both are read.
- TT57/2026: ``MC.a.b.cc``, e.g. ``MC.1.3.01`` (a.b the criterion).

A shared item keeps its first code, so the criterion inside a code is not necessarily the one it is cited under.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kiemdinh.core.text import nfc
from kiemdinh.frameworks.choices import Regime

# Hyphens people type between the parts: ASCII, en dash, minus sign.
_DASH = r"\s*[-‐‑–−]\s*"
_CRITERION = r"(?P<{}>\d{{1,2}}\.\d{{1,2}})"

# Box-prefixed 2018 code, with or without brackets, anywhere in a text.
_H_PATTERN = r"\[?\s*H\s*(?P<box>\d{1,2})" + _DASH + _CRITERION.format("crit") + _DASH + r"(?P<seq>\d{1,3})\s*\]?"
# 2018 code without the box; in free text only inside brackets ("[1.1-01]"), bare numbers would be too ambiguous.
_BARE_PATTERN = _CRITERION.format("bcrit") + _DASH + r"(?P<bseq>\d{1,3})"
_MC_PATTERN = r"MC\s*\.\s*(?P<mcstd>\d{1,2})\s*\.\s*(?P<mccrit>\d{1,2})\s*\.\s*(?P<mcseq>\d{1,3})"

CITATION_RE = re.compile(
    r"(?<![\w.])(?:" + _H_PATTERN + r"|\[\s*" + _BARE_PATTERN + r"\s*\]" + r"|" + _MC_PATTERN + r")(?![\d])",
    re.IGNORECASE,
)
"""Finds evidence codes cited in free text; use `find_codes` for the normalised codes."""

_FULL_2018 = re.compile(
    r"\[?\s*(?:H\s*(?P<box>\d{1,2})" + _DASH + r")?" + _CRITERION.format("crit") + _DASH + r"(?P<seq>\d{1,3})\s*\]?",
    re.IGNORECASE,
)
_FULL_TT57 = re.compile(r"\[?\s*" + _MC_PATTERN + r"\s*\]?", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedCode:
    regime: Regime
    box: int | None  # 2018 only; None when the code was written without a box
    criterion_code: str  # "1.1"
    sequence: int

    @property
    def standard_number(self) -> int:
        return int(self.criterion_code.split(".")[0])

    @property
    def canonical(self) -> str:
        return format_code(self.regime, self.criterion_code, self.sequence, box=self.box)


def _criterion(text: str) -> str:
    """ "01.1" → "1.1": codes are compared with the framework's criterion codes."""
    major, minor = text.split(".")
    return f"{int(major)}.{int(minor)}"


def default_box(criterion_code: str) -> int:
    return int(criterion_code.split(".")[0])


def format_code(regime: str, criterion_code: str, sequence: int, box: int | None = None) -> str:
    """The canonical code: "[H1-1.1-01]" (2018; box defaults to the standard number) or "MC.1.3.01" (TT57)."""
    criterion_code = _criterion(criterion_code)
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if regime == Regime.TT57:
        return f"MC.{criterion_code}.{sequence:02d}"
    if regime == Regime.R2018:
        box = default_box(criterion_code) if box is None else box
        return f"[H{box}-{criterion_code}-{sequence:02d}]"
    raise ValueError(f"unknown regime {regime!r}")


def parse_code(text: str) -> ParsedCode | None:
    """A code as typed in a catalogue cell ("[H1-1.1-01]", "H1-1.1-01", "1.1-01", "MC.1.3.01"), or None."""
    text = nfc(text or "").strip()
    match = _FULL_TT57.fullmatch(text)
    if match:
        sequence = int(match["mcseq"])
        if sequence < 1:
            return None
        return ParsedCode(Regime.TT57, None, _criterion(f"{match['mcstd']}.{match['mccrit']}"), sequence)
    match = _FULL_2018.fullmatch(text)
    if match:
        sequence = int(match["seq"])
        if sequence < 1:
            return None
        box = int(match["box"]) if match["box"] is not None else None
        return ParsedCode(Regime.R2018, box, _criterion(match["crit"]), sequence)
    return None


def _parsed_from_match(match: re.Match) -> ParsedCode | None:
    if match["crit"] is not None:
        parsed = ParsedCode(Regime.R2018, int(match["box"]), _criterion(match["crit"]), int(match["seq"]))
    elif match["bcrit"] is not None:
        parsed = ParsedCode(Regime.R2018, None, _criterion(match["bcrit"]), int(match["bseq"]))
    else:
        parsed = ParsedCode(Regime.TT57, None, _criterion(f"{match['mcstd']}.{match['mccrit']}"), int(match["mcseq"]))
    return parsed if parsed.sequence >= 1 else None


def find_codes(text: str) -> list[str]:
    """Canonical codes cited in a free text, in order of first appearance, each once.

    "Quyết định thành lập [H1-1.1-01]; [H1-1.1-02]" → ["[H1-1.1-01]", "[H1-1.1-02]"]; "MC.1.3.01" → ["MC.1.3.01"].
    """
    found: dict[str, None] = {}
    for match in CITATION_RE.finditer(nfc(text or "")):
        parsed = _parsed_from_match(match)
        if parsed is not None:
            found.setdefault(parsed.canonical, None)
    return list(found)


def code_example(regime: str) -> str:
    return format_code(regime, "1.1", 1)


def link_citations(text: str, url_for: Callable[[str], str | None]) -> SafeString:
    """HTML of a text with every cited code turned into a link (url_for(canonical code) → URL), or marked as unknown
    where url_for returns None. Everything else is escaped; line breaks become <br>."""
    text = nfc(text or "")
    parts, cursor = [], 0
    for match in CITATION_RE.finditer(text):
        parsed = _parsed_from_match(match)
        if parsed is None:
            continue
        parts.append(escape(text[cursor : match.start()]))
        shown = escape(match.group(0))
        url = url_for(parsed.canonical)
        if url:
            parts.append(f'<a class="cite" href="{escape(url)}">{shown}</a>')
        else:
            parts.append(
                f'<mark class="cite-unknown" title="Không có minh chứng mang mã này trong danh mục">{shown}</mark>'
            )
        cursor = match.end()
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # every piece of text was escaped above
