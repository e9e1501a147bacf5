"""School years ("2024-2025"): reading one as people type it, and the dates the app hangs on it.

A school year (năm học) is named by its two calendar years. Two calendars meet in it, so its dates come in pairs with
distinct names:

- the school year itself, as the Ministry's yearly school calendar (khung kế hoạch thời gian năm học) frames it: it
  opens in September (opening day 5 September) and ends by 31 May — `school_year_start`, `school_year_end`,
  `current_school_year`;
- the reporting year of the education offices, 1 August to 31 July, over which they plan, report and score a school
  year's work — `reporting_year_start`, `reporting_year_end`.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from kiemdinh.core.text import ascii_digits, clean_name

SCHOOL_YEAR_RE = re.compile(r"([0-9]{4})-([0-9]{4})")
# The reporting year starts on 1 August (also in SQL: planning.dashboard names a decision's school year by it).
REPORTING_YEAR_START_MONTH = 8


def normalize_school_year(value: str) -> str:
    """ "2021-2022" (also accepts the seeds' spellings "2019 - 2020", "2019 -2020", an en dash, and digits or dashes
    typed full-width, "２０２２－２０２３", or in another script); else ValidationError on "school_year"."""
    text = re.sub(r"\s*[-‐‑‒–—―−]\s*", "-", ascii_digits(unicodedata.normalize("NFKC", clean_name(value))))
    match = SCHOOL_YEAR_RE.fullmatch(text)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationError(
            {"school_year": f"Năm học “{value}” không hợp lệ: hãy ghi theo dạng 2021-2022 (hai năm liền nhau)."}
        )
    return text


def first_year(school_year: str) -> int:
    """The first calendar year of a normalised school year: "2021-2022" → 2021."""
    return int(school_year[:4])


def school_years_up_to(school_year: str, count: int) -> tuple[str, ...]:
    """The `count` school years ending with this one, oldest first: ("2019-2020", "2020-2021", "2021-2022")."""
    last = first_year(school_year)
    return tuple(f"{y}-{y + 1}" for y in range(last - count + 1, last + 1))


# --- The school year (the Ministry's school calendar) ------------------------------------------------------------


def school_year_start(school_year: str) -> date:
    """1 September of the first year: the school calendar opens the year in September. The day a cycle starts,
    which decides its framework and the amendments in force for it (docs/decisions/0001-framework-revisions.md)."""
    return date(first_year(school_year), 9, 1)


def school_year_end(school_year: str) -> date:
    """31 May of the second year: the Ministry's yearly school calendar ends the school year by 31 May. The due date
    of improvement-plan work carried into a new school year."""
    return date(first_year(school_year) + 1, 5, 31)


def current_school_year(today: date | None = None) -> str:
    """The school year running today (local date), switching on 1 September as `school_year_start` does."""
    today = today or timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{start + 1}"


# --- The reporting year (the education offices' plans, reports and emulation) --------------------------------------


def reporting_year_start(school_year: str) -> date:
    """1 August of the first year: education offices plan and report a school year's work from August (a plan for
    "2019-2020" covers 1/8/2019–31/7/2020), and a recognition signed from that day counts for this school year. The
    app's convention, followed by the seeds' plans; no regulation fixes it."""
    return date(first_year(school_year), REPORTING_YEAR_START_MONTH, 1)


def reporting_year_end(school_year: str) -> date:
    """31 July of the second year, the last day of the reporting year: the day an emulation score table reads a
    school year on (a recognition in force on 31/7)."""
    return date(first_year(school_year) + 1, REPORTING_YEAR_START_MONTH - 1, 31)
