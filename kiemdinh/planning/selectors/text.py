"""A plan's printed text: its sections' roman numerals, the signer's lines, its short name."""

import re

from kiemdinh.planning.models import AnnualPlan

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def numbered_sections(plan: AnnualPlan, sections) -> list[tuple[str, object]]:
    """The body's sections with their roman numerals: II, III… after "I. Mục đích, yêu cầu", or from I without it."""
    first = 1 if (plan.purpose or plan.requirements) else 0
    return [(ROMAN_NUMERALS[first + i], section) for i, section in enumerate(sections)]


def signer_lines(plan: AnnualPlan) -> list[str]:
    """ "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" → its three printed lines."""
    return [part.strip() for part in re.split(r"\s*/\s*", plan.signer_title or "") if part.strip()]


def plan_short_name(plan: AnnualPlan) -> str:
    """ "Kế hoạch số 20/KH-UBND ngày 04/01/2024 của UBND thị xã Hương Trà", or without number/date when none."""
    parts = ["Kế hoạch"]
    if plan.number:
        parts.append(f"số {plan.number}")
    if plan.issued_on:
        parts.append(f"ngày {plan.issued_on:%d/%m/%Y}")
    parts.append(f"của {plan.issuer}")
    return " ".join(parts)
