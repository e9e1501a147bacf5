"""The ranges typed numbers and dates must fall in: what the database can hold and what the domain can mean.

A value outside is refused with a Vietnamese message naming the field, before it reaches a computation or the database
(a year 9999 plus five years of validity overflows Python's dates; an integer beyond 64 bits cannot even be bound as a
query parameter on SQLite, and PostgreSQL refuses one beyond its column's type).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

INT32_MAX = 2**31 - 1  # models.IntegerField on every database
INT64_MAX = 2**63 - 1  # models.BigIntegerField, BigAutoField ids
# Dates in the records of Vietnamese schools and authorities: none before the country's founding (2/9/1945), none more
# than YEARS_AHEAD years ahead (a document's validity may run long: a land-use right). Tighter rules of the domain (a
# review not after today, validity after signing) are the services' own, with their own messages.
FIRST_DATE = date(1945, 1, 1)
YEARS_AHEAD = 100


def last_date(today: date | None = None, years_ahead: int = YEARS_AHEAD) -> date:
    return date((today or timezone.localdate()).year + years_ahead, 12, 31)


def date_problem(
    value: date | None, label: str, *, not_after: date | None = None, years_ahead: int = YEARS_AHEAD
) -> str | None:
    """Why the date is out of range (a Vietnamese sentence naming `label`), or None when it is fine."""
    if value is None:
        return None
    latest = not_after or last_date(years_ahead=years_ahead)
    if value < FIRST_DATE or value > latest:
        if not_after is not None and value > not_after and value >= FIRST_DATE:
            return f"{label}: không được sau ngày {not_after:%d/%m/%Y}."
        return f"{label}: hãy nhập một ngày từ năm {FIRST_DATE.year} đến năm {latest.year} (đã nhập {value:%d/%m/%Y})."
    return None


def check_date(value: date | None, *, field: str, label: str, not_after: date | None = None) -> None:
    """ValidationError on `field` when the date is out of range (see date_problem)."""
    problem = date_problem(value, label, not_after=not_after)
    if problem:
        raise ValidationError({field: problem})


def year_problem(year: int, label: str) -> str | None:
    if FIRST_DATE.year <= year <= last_date().year:
        return None
    return f"{label}: năm phải từ {FIRST_DATE.year} đến {last_date().year} (đã nhập {year})."


def as_id(text) -> int | None:
    """An id typed in a form or an address, as an integer: 1 to 19 ASCII digits within 64 bits; None otherwise.
    (str.isdigit() is true for "²" and "٣", which int() refuses or reads as another number.)"""
    if isinstance(text, str) and 0 < len(text) <= 19 and text.isascii() and text.isdigit():
        value = int(text)
        return value if value <= INT64_MAX else None
    return None
