"""Writes of the administrative tree and schools."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, clean_name
from kiemdinh.units.models import AdministrativeUnit, Ownership, School, SchoolType, UnitKind

ALLOWED_PARENT_KINDS = {
    UnitKind.PROVINCE: set(),
    UnitKind.DISTRICT: {UnitKind.PROVINCE},
    # A commune sits under a district (before 1/7/2025) or directly under its province (two-level government).
    UnitKind.COMMUNE: {UnitKind.DISTRICT, UnitKind.PROVINCE},
}
CODE_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def validate_code(code: str, label: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": f"Thiếu {label}."})
    if len(code) > 32 or not set(code) <= CODE_ALLOWED:
        raise ValidationError(
            {
                "code": f"{label.capitalize()} “{code}” chỉ được gồm chữ không dấu, số và các dấu - _ . (tối đa 32 ký tự)."
            }
        )
    return code


def required_text(value: str, field: str, missing: str) -> str:
    """A name as stored (kiemdinh.core.text.clean_name: NFC, no invisible characters) and not empty (else a Vietnamese
    error on the field): a name of zero-width spaces only is missing."""
    value = clean_name(value)
    if not value:
        raise ValidationError({field: missing})
    return value


def validate_ownership(ownership: str) -> None:
    if ownership not in Ownership.values:
        raise ValidationError({"ownership": f"Loại hình không hợp lệ: {ownership}."})


def validate_unit_parent(kind: str, parent: AdministrativeUnit | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[UnitKind(kind)]
    if not allowed and parent is not None:
        raise ValidationError({"parent": "Tỉnh/thành phố không có đơn vị cấp trên."})
    if allowed and parent is None:
        raise ValidationError({"parent": f"{UnitKind(kind).label} phải có đơn vị cấp trên."})
    if parent is not None and parent.kind not in allowed:
        raise ValidationError(
            {"parent": f"{UnitKind(kind).label} không thể trực thuộc {UnitKind(parent.kind).label.lower()}."}
        )


@transaction.atomic
def unit_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: AdministrativeUnit | None = None,
    education_office: str = "",
    dissolved_on=None,
) -> AdministrativeUnit:
    code = validate_code(code, "mã đơn vị")
    if kind not in UnitKind.values:
        raise ValidationError({"kind": f"Cấp đơn vị không hợp lệ: {kind}."})
    validate_unit_parent(kind, parent)
    if AdministrativeUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Mã đơn vị “{code}” đã tồn tại."})
    name = required_text(name, "name", "Thiếu tên đơn vị.")
    unit = AdministrativeUnit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        education_office=clean_name(education_office),
        dissolved_on=dissolved_on,
    )
    unit.save()
    audit.record(actor=actor, event_type=Event.UNIT_CREATED, obj=unit, unit=unit, data={"code": code, "name": name})
    return unit


@transaction.atomic
def school_create(
    *,
    actor,
    code: str,
    name: str,
    school_type: str,
    unit: AdministrativeUnit,
    ownership: str = Ownership.CONG_LAP,
    address: str = "",
    phone: str = "",
    founded_year: int | None = None,
) -> School:
    code = validate_code(code, "mã trường")
    if school_type not in SchoolType.values:
        raise ValidationError({"school_type": f"Loại trường không hợp lệ: {school_type}."})
    validate_ownership(ownership)
    if School.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Mã trường “{code}” đã tồn tại."})
    name = required_text(name, "name", "Thiếu tên trường.")
    school = School(
        code=code,
        name=name,
        school_type=school_type,
        ownership=ownership,
        unit=unit,
        address=clean(address),
        phone=phone.strip(),
        founded_year=founded_year,
    )
    school.save()
    audit.record(
        actor=actor,
        event_type=Event.SCHOOL_CREATED,
        obj=school,
        unit=unit,
        school=school,
        data={"code": code, "name": name},
    )
    return school


SCHOOL_EDITABLE_FIELDS = ("name", "address", "phone", "founded_year", "ownership")


@transaction.atomic
def school_update(*, actor, school: School, **changes) -> School:
    """Change a school's master data (name, address, phone, founded year, ownership)."""
    unknown = set(changes) - set(SCHOOL_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"Không được sửa các trường: {', '.join(sorted(unknown))}."})
    if "ownership" in changes:
        validate_ownership(changes["ownership"])
    if "name" in changes:
        changes["name"] = required_text(changes["name"], "name", "Thiếu tên trường.")
    if "address" in changes:
        changes["address"] = clean(changes["address"])
    before = {field: getattr(school, field) for field in changes}
    for field, value in changes.items():
        setattr(school, field, value)
    school.save()
    audit.record(
        actor=actor,
        event_type=Event.SCHOOL_UPDATED,
        obj=school,
        unit=school.unit,
        school=school,
        data={"before": before, "after": changes},
    )
    return school
