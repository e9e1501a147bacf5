"""Plan periods and task deadlines as dates: "2024", "2019-2020", "2021-2025"; "quý II năm 2024", "tháng 12/2023"."""

import calendar
import re
from datetime import date

from kiemdinh.core.schoolyear import reporting_year_end, reporting_year_start
from kiemdinh.planning.models import DeadlineKind, PlanKind

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


class PeriodError(ValueError):
    pass


def period_bounds(kind: str, period: str) -> tuple[date, date]:
    """The first and last day a plan covers. Raises PeriodError with a Vietnamese message."""
    match = _YEARS.match(period or "")
    if not match:
        raise PeriodError("Hãy ghi năm (2024), năm học (2019-2020) hoặc giai đoạn (2021-2025).")
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    if kind == PlanKind.YEAR:
        if last != first:
            raise PeriodError("Kế hoạch năm ghi một năm, ví dụ 2024.")
        return date(first, 1, 1), date(first, 12, 31)
    if kind == PlanKind.SCHOOL_YEAR:
        if last != first + 1:
            raise PeriodError("Năm học ghi hai năm liền nhau, ví dụ 2019-2020.")
        school_year = f"{first}-{last}"
        return reporting_year_start(school_year), reporting_year_end(school_year)
    if kind == PlanKind.ROADMAP:
        if last <= first:
            raise PeriodError("Lộ trình ghi năm đầu và năm cuối, ví dụ 2021-2025.")
        return date(first, 1, 1), date(last, 12, 31)
    raise PeriodError("Hãy chọn loại kế hoạch.")


def normalise_period(period: str) -> str:
    """ "2019 –2020" → "2019-2020"."""
    match = _YEARS.match(period or "")
    if not match:
        return (period or "").strip()
    return match[1] + (f"-{match[2]}" if match[2] else "")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


_ROMAN_QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4}
_QUARTER = re.compile(r"^\s*quý\s+(IV|III|II|I|[1-4])\s*(?:/|năm)?\s*(\d{4})\s*$", re.IGNORECASE)
_MONTH = re.compile(r"^\s*(?:tháng\s+)?(\d{1,2})\s*/\s*(\d{4})\s*$", re.IGNORECASE)
_DAY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")


def parse_deadline(text: str) -> tuple[DeadlineKind, date | None]:
    """ "quý II năm 2024" → ("quarter", 30/06/2024); "tháng 12/2023" or "12/2023" → ("month", 31/12/2023);
    "20/01/2024" → ("date", 20/01/2024); "" → ("", None). Raises PeriodError otherwise."""
    text = (text or "").strip()
    if not text:
        return DeadlineKind.NONE, None
    try:
        if m := _QUARTER.match(text):
            q = m[1].upper()
            quarter = _ROMAN_QUARTERS[q] if q in _ROMAN_QUARTERS else int(q)
            return DeadlineKind.QUARTER, quarter_end(int(m[2]), quarter)
        if m := _DAY.match(text):
            return DeadlineKind.DATE, date(int(m[3]), int(m[2]), int(m[1]))
        if m := _MONTH.match(text):
            month = int(m[1])
            if 1 <= month <= 12:
                return DeadlineKind.MONTH, month_end(int(m[2]), month)
    except ValueError:
        pass
    raise PeriodError(
        f"Không hiểu hạn “{text}”. Hãy ghi một ngày (20/01/2024), một tháng (tháng 12/2023) hoặc một quý (quý II năm 2024)."
    )
