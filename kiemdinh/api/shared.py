"""What every resource of the API uses: the bounds of ids and pages, the error schema, the NUL check."""

from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import Field

# Integers a parameter may hold: ids of rows (BigAutoField: 64-bit) and positions in a list. A value outside is bad input
# (422) before anything reaches the database, which would fail on it (SQLite cannot bind an integer beyond 64 bits,
# PostgreSQL refuses one beyond bigint).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_PAGE = 500


class ErrorOut(Schema):
    detail: str


def no_nul(value: str, field: str) -> str:
    """PostgreSQL text cannot hold NUL; a query with one fails in the database. Refuse it as bad input (422)."""
    if "\x00" in value:
        raise ValidationError({field: "Không được chứa ký tự NUL."})
    return value
