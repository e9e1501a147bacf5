"""Helpers shared by the council's services (not used outside `council.services`): the audit record of a change to a
cycle, a one-line text as stored, the next position in a list, and the acting user as stored on a row."""

from django.core.exceptions import ValidationError
from django.db.models import Max

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean_name
from kiemdinh.selfassessment.models import Cycle


def record(*, actor, event_type: Event, obj, cycle: Cycle, data: dict) -> None:
    audit.record(actor=actor, event_type=event_type, obj=obj, unit=cycle.school.unit, school=cycle.school, data=data)


def clean_text(value, *, field_name: str, max_length: int | None = None, label: str = "", required: str = "") -> str:
    """A one-line text (a name, a title) as stored: see kiemdinh.core.text.clean_name."""
    text = clean_name(value)
    if required and not text:
        raise ValidationError({field_name: required})
    if max_length is not None and len(text) > max_length:
        raise ValidationError({field_name: f"{label} dài quá {max_length} ký tự."})
    return text


def next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
