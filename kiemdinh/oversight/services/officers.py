"""The officers in charge of each school level of a unit: who a school contacts, with their phone and e-mail."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max

from kiemdinh.accounts.access import user_scope
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel
from kiemdinh.oversight.services.common import bounded_text
from kiemdinh.units.models import AdministrativeUnit


def _officer_values(*, unit, school_level, full_name, title, phone, email, user) -> dict:
    errors = {}
    values = {}
    for name, value in (("full_name", full_name), ("title", title), ("phone", phone), ("email", email)):
        try:
            values[name] = bounded_text(value, name)
        except ValidationError as e:
            errors.update(e.message_dict)
    if school_level not in SchoolLevel.values:
        errors["school_level"] = "Hãy chọn cấp học phụ trách."
    if not values.get("full_name") and "full_name" not in errors:
        errors["full_name"] = "Hãy ghi họ và tên cán bộ phụ trách."
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = f"Địa chỉ thư điện tử “{values['email']}” không hợp lệ."
    if user is not None and not user_scope(user).covers_path(unit.path):
        errors["user"] = f"Tài khoản {user.display_name} không phải cán bộ của {unit.name} hoặc cấp trên."
    if errors:
        raise ValidationError(errors)
    return {**values, "school_level": school_level, "user": user}


@transaction.atomic
def officer_add(
    *,
    actor,
    unit: AdministrativeUnit,
    school_level: str,
    full_name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    user=None,
) -> OfficerInCharge:
    values = _officer_values(
        unit=unit, school_level=school_level, full_name=full_name, title=title, phone=phone, email=email, user=user
    )
    position = (OfficerInCharge.objects.filter(unit=unit).aggregate(m=Max("position"))["m"] or 0) + 1
    officer = OfficerInCharge.objects.create(unit=unit, position=position, **values)
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_OFFICER_ADDED,
        obj=officer,
        unit=unit,
        data={"level": officer.school_level, "name": officer.full_name},
    )
    return officer


@transaction.atomic
def officer_update(
    *,
    actor,
    officer: OfficerInCharge,
    school_level: str,
    full_name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    user=None,
) -> OfficerInCharge:
    officer = OfficerInCharge.objects.select_for_update().select_related("unit").get(pk=officer.pk)
    values = _officer_values(
        unit=officer.unit,
        school_level=school_level,
        full_name=full_name,
        title=title,
        phone=phone,
        email=email,
        user=user,
    )
    for name, value in values.items():
        setattr(officer, name, value)
    officer.save()
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_OFFICER_UPDATED,
        obj=officer,
        unit=officer.unit,
        data={"level": officer.school_level, "name": officer.full_name},
    )
    return officer


@transaction.atomic
def officer_delete(*, actor, officer: OfficerInCharge) -> None:
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_OFFICER_DELETED,
        obj=officer,
        unit=officer.unit,
        data={"level": officer.school_level, "name": officer.full_name},
    )
    officer.delete()
