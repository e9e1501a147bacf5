"""Training events a unit organises (their participants are written by participants.py)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.oversight.models import Training
from kiemdinh.oversight.services.common import TRAINING_TITLE_MAX, bounded_text, signed_in_user
from kiemdinh.units.models import AdministrativeUnit


def _training_values(*, title, starts_on, ends_on, organiser, audience, location, notes) -> dict:
    errors = {}
    title = clean(str(title or ""))
    if not title:
        errors["title"] = "Hãy ghi nội dung tập huấn."
    elif len(title) > TRAINING_TITLE_MAX:
        errors["title"] = f"Nội dung tập huấn dài quá {TRAINING_TITLE_MAX} ký tự."
    if not isinstance(starts_on, date):
        errors["starts_on"] = "Hãy ghi ngày tập huấn."
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "Ngày kết thúc không được trước ngày bắt đầu."
    values = {}
    for name, value in (("organiser", organiser), ("location", location)):
        try:
            values[name] = bounded_text(value, name)
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "title": title,
        "starts_on": starts_on,
        "ends_on": ends_on if ends_on != starts_on else None,
        "audience": clean(str(audience or "")),
        "notes": clean(str(notes or "")),
    }


@transaction.atomic
def training_create(
    *,
    actor,
    unit: AdministrativeUnit,
    title: str,
    starts_on: date | None,
    ends_on: date | None = None,
    organiser: str = "",
    audience: str = "",
    location: str = "",
    notes: str = "",
) -> Training:
    values = _training_values(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser=organiser,
        audience=audience,
        location=location,
        notes=notes,
    )
    training = Training.objects.create(unit=unit, created_by=signed_in_user(actor), **values)
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_TRAINING_CREATED,
        obj=training,
        unit=unit,
        data={"title": training.title, "starts_on": training.starts_on.isoformat()},
    )
    return training


@transaction.atomic
def training_update(
    *,
    actor,
    training: Training,
    title: str,
    starts_on: date | None,
    ends_on: date | None = None,
    organiser: str = "",
    audience: str = "",
    location: str = "",
    notes: str = "",
) -> Training:
    training = Training.objects.select_for_update().select_related("unit").get(pk=training.pk)
    values = _training_values(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser=organiser,
        audience=audience,
        location=location,
        notes=notes,
    )
    for name, value in values.items():
        setattr(training, name, value)
    training.save()
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_TRAINING_UPDATED,
        obj=training,
        unit=training.unit,
        data={"title": training.title, "starts_on": training.starts_on.isoformat()},
    )
    return training


@transaction.atomic
def training_delete(*, actor, training: Training) -> None:
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_TRAINING_DELETED,
        obj=training,
        unit=training.unit,
        data={"title": training.title, "participants": training.participants.count()},
    )
    training.delete()
