"""Writes of the administrative tree and schools, and its dated changes (rename, move, dissolve, a school moved)."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, clean_name
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, Ownership, School, SchoolType, UnitChange, UnitKind

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
    established_on=None,
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
        established_on=established_on,
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


# --- Dated changes of the tree (issue #21): each with its deciding document, kept as a UnitChange ----------------------


@dataclass(frozen=True)
class DecidingDocument:
    """The document that decided a change: its number, date and issuing body (all required)."""

    number: str
    date: date
    body: str

    def checked(self) -> "DecidingDocument":
        number, body = clean_name(self.number or ""), clean_name(self.body or "")
        if not number or not body or not isinstance(self.date, date):
            raise ValidationError({"decision": "Hãy ghi số, ngày và cơ quan ban hành văn bản quyết định thay đổi này."})
        return DecidingDocument(number[:100], self.date, body[:200])

    def recorded(self, *, actor, note: str = "") -> dict:
        """The fields of a DecidedChange row for this document (units.models.DecidedChange)."""
        return {
            "decision_number": self.number,
            "decision_date": self.date,
            "decision_body": self.body,
            "note": clean_name(note or "")[:300],
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        }


def _change(*, actor, kind: str, on: date, document: DecidingDocument, note: str = "", **values) -> UnitChange:
    return UnitChange.objects.create(kind=kind, effective_on=on, **document.recorded(actor=actor, note=note), **values)


def _ensure_in_force(unit: AdministrativeUnit) -> None:
    if unit.dissolved_on:
        raise ValidationError({"unit": f"{unit.name} đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}."})


def _document_data(document: DecidingDocument, on: date) -> dict:
    return {"on": on.isoformat(), "decision": f"{document.number} ngày {document.date:%d/%m/%Y} của {document.body}"}


@transaction.atomic
def unit_rename(
    *,
    actor,
    unit: AdministrativeUnit,
    name: str,
    on: date,
    document: DecidingDocument,
    education_office: str | None = None,
    note: str = "",
) -> UnitChange:
    """A new name from `on` (Thừa Thiên Huế → thành phố Huế, 1/1/2025), and the education office's new name when
    given (blank or None: unchanged). Documents dated before `on` keep printing the old names (TreeOn)."""
    document = document.checked()
    _ensure_in_force(unit)
    name = required_text(name, "name", "Thiếu tên mới của đơn vị.")
    office = clean_name(education_office or "") or unit.education_office
    if name == unit.name and office == unit.education_office:
        raise ValidationError({"name": "Tên mới trùng tên hiện tại."})
    change = _change(
        actor=actor, kind=ChangeKind.RENAME, on=on, document=document, note=note, unit=unit,
        old_name=unit.name, new_name=name, old_office=unit.education_office, new_office=office,
    )  # fmt: skip
    unit.name = name
    unit.education_office = office
    unit.save()
    audit.record(
        actor=actor, event_type=Event.UNIT_RENAMED, obj=unit, unit=unit,
        data={"old_name": change.old_name, "name": name, "office": office, **_document_data(document, on)},
    )  # fmt: skip
    return change


@transaction.atomic
def unit_establish(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: AdministrativeUnit,
    on: date,
    document: DecidingDocument,
    education_office: str = "",
    note: str = "",
) -> AdministrativeUnit:
    """A unit that comes into being on `on` (a commune formed by the 2025 reform), recorded with its deciding
    document; before that date it is not in the tree."""
    document = document.checked()
    if parent.dissolved_on and parent.dissolved_on <= on:
        raise ValidationError({"parent": f"{parent.name} đã giải thể từ ngày {parent.dissolved_on:%d/%m/%Y}."})
    unit = unit_create(
        actor=actor, code=code, name=name, kind=kind, parent=parent, education_office=education_office,
        established_on=on,
    )  # fmt: skip
    _change(
        actor=actor, kind=ChangeKind.ESTABLISH, on=on, document=document, note=note, unit=unit,
        new_name=unit.name, new_parent=parent,
    )  # fmt: skip
    return unit


@transaction.atomic
def unit_merge(
    *,
    actor,
    units: list[AdministrativeUnit],
    code: str,
    name: str,
    on: date,
    document: DecidingDocument,
    note: str = "",
) -> AdministrativeUnit:
    """Several units of one parent and level merged into a new one (three communes into a ward): the new unit is
    established on `on` and each merged unit is dissolved into it, its schools and units moving with it."""
    if len(units) < 2:
        raise ValidationError({"units": "Hãy chọn ít nhất hai đơn vị để sáp nhập."})
    parents, kinds = {u.parent_id for u in units}, {u.kind for u in units}
    if len(parents) != 1 or len(kinds) != 1:
        raise ValidationError({"units": "Chỉ sáp nhập được các đơn vị cùng cấp, cùng đơn vị cấp trên."})
    first = units[0]
    merged = unit_establish(
        actor=actor, code=code, name=name, kind=first.kind, parent=first.parent, on=on, document=document, note=note
    )
    for unit in units:
        unit_dissolve(actor=actor, unit=unit, on=on, document=document, successor=merged, note=note)
    return merged


def _rewrite_paths(unit: AdministrativeUnit, old_path: str) -> None:
    """After a move: every unit below gets the new path prefix (the path is what scopes are computed from)."""
    for below in AdministrativeUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("path"):
        AdministrativeUnit.objects.filter(pk=below.pk).update(path=unit.path + below.path[len(old_path) :])


@transaction.atomic
def unit_move(
    *, actor, unit: AdministrativeUnit, parent: AdministrativeUnit, on: date, document: DecidingDocument, note: str = ""
) -> UnitChange:
    """The unit (with everything below it) now reports to `parent`, e.g. a commune to its province on 1/7/2025."""
    document = document.checked()
    _ensure_in_force(unit)
    validate_unit_parent(unit.kind, parent)
    if parent.pk == unit.parent_id:
        raise ValidationError({"parent": "Đơn vị đã trực thuộc đơn vị này."})
    if parent.path.startswith(unit.path):
        raise ValidationError({"parent": "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."})
    change = _change(
        actor=actor,
        kind=ChangeKind.MOVE,
        on=on,
        document=document,
        note=note,
        unit=unit,
        old_parent=unit.parent,
        new_parent=parent,
    )
    old_path = unit.path
    unit.parent = parent
    unit.save()
    _rewrite_paths(unit, old_path)
    audit.record(
        actor=actor, event_type=Event.UNIT_MOVED, obj=unit, unit=parent,
        data={"unit": unit.name, "from": change.old_parent.name if change.old_parent else "", "to": parent.name,
              **_document_data(document, on)},
    )  # fmt: skip
    return change


@transaction.atomic
def school_move(
    *, actor, school: School, unit: AdministrativeUnit, on: date, document: DecidingDocument, note: str = ""
) -> UnitChange:
    """The school is now managed by `unit` (its old records keep showing the unit of their date)."""
    document = document.checked()
    if unit.pk == school.unit_id:
        raise ValidationError({"unit": "Trường đã thuộc đơn vị này."})
    if unit.dissolved_on and unit.dissolved_on <= on:
        raise ValidationError({"unit": f"{unit.name} đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}."})
    change = _change(
        actor=actor, kind=ChangeKind.SCHOOL_MOVE, on=on, document=document, note=note, school=school,
        old_parent=school.unit, new_parent=unit,
    )  # fmt: skip
    school.unit = unit
    school.save()
    audit.record(
        actor=actor, event_type=Event.SCHOOL_MOVED, obj=school, unit=unit, school=school,
        data={"from": change.old_parent.name, "to": unit.name, **_document_data(document, on)},
    )  # fmt: skip
    return change


@transaction.atomic
def unit_dissolve(
    *,
    actor,
    unit: AdministrativeUnit,
    on: date,
    document: DecidingDocument,
    successor: AdministrativeUnit,
    successors: dict | None = None,
    note: str = "",
) -> UnitChange:
    """Dissolve a unit (a district on 1/7/2025; communes merged into a new one): each unit and school below it first
    moves to its named successor (`successors`: {unit or school: new unit}), the rest to `successor`; a merge is the
    dissolution of each merged unit into the new one, a split names a successor per child."""
    document = document.checked()
    if unit.dissolved_on:
        raise ValidationError({"unit": f"{unit.name} đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}."})
    if successor.pk == unit.pk or successor.path.startswith(unit.path):
        raise ValidationError({"successor": "Đơn vị kế thừa phải là một đơn vị khác, không thuộc đơn vị giải thể."})
    successors = successors or {}
    for child in list(unit.children.filter(dissolved_on__isnull=True)):  # the dissolved stay where they ended
        unit_move(actor=actor, unit=child, parent=successors.get(child, successor), on=on, document=document, note=note)
    for school in list(unit.schools.all()):
        school_move(
            actor=actor, school=school, unit=successors.get(school, successor), on=on, document=document, note=note
        )
    change = _change(
        actor=actor, kind=ChangeKind.DISSOLVE, on=on, document=document, note=note, unit=unit, successor=successor
    )
    unit.dissolved_on = on
    unit.save()
    audit.record(
        actor=actor, event_type=Event.UNIT_DISSOLVED, obj=unit, unit=unit,
        data={"successor": successor.name, **_document_data(document, on)},
    )  # fmt: skip
    return change
