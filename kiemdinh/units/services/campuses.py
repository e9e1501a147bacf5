"""A school's sites (điểm trường, phân hiệu), and schools merged into another (issue #21 §3). Every write is audited;
a merger is recorded with its deciding document and changes nothing when refused."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, clean_name
from kiemdinh.units.models import Campus, CampusKind, School, SchoolMerger
from kiemdinh.units.services import DecidingDocument


@dataclass(frozen=True)
class CampusInput:
    name: str
    kind: str = CampusKind.SITE
    address: str = ""
    pupils: int | None = None
    classes: int | None = None


def _checked(data: CampusInput) -> dict:
    errors = {}
    name = clean_name(data.name or "")
    if not name:
        errors["name"] = "Hãy ghi tên điểm trường."
    if data.kind not in CampusKind.values:
        errors["kind"] = "Loại điểm trường không hợp lệ."
    for field in ("pupils", "classes"):
        value = getattr(data, field)
        if value is not None and not 0 <= value <= 100_000:
            errors[field] = "Số không hợp lệ."
    if errors:
        raise ValidationError(errors)
    return {"name": name[:200], "kind": data.kind, "address": clean(data.address or "")[:300],
            "pupils": data.pupils, "classes": data.classes}  # fmt: skip


def _ensure_one_main(school: School, campus: Campus) -> None:
    if campus.kind == CampusKind.MAIN:
        school.campuses.filter(kind=CampusKind.MAIN).exclude(pk=campus.pk).update(kind=CampusKind.SITE)


@transaction.atomic
def campus_save(*, actor, school: School, data: CampusInput, campus: Campus | None = None) -> Campus:
    """Add a site, or change one; one main site per school (naming another main makes the old one a site)."""
    values = _checked(data)
    if campus is not None and campus.school_id != school.pk:
        raise ValidationError("Điểm trường không thuộc trường này.")
    if school.campuses.filter(name=values["name"]).exclude(pk=getattr(campus, "pk", None)).exists():
        raise ValidationError({"name": f"Trường đã có điểm trường “{values['name']}”."})
    if campus is None:
        position = (school.campuses.aggregate(m=Max("position"))["m"] or 0) + 1
        campus = Campus(school=school, position=position)
    for field, value in values.items():
        setattr(campus, field, value)
    try:
        with transaction.atomic():
            campus.save()
    except IntegrityError as exc:  # a double click adding the same name
        raise ValidationError({"name": f"Trường đã có điểm trường “{values['name']}”."}) from exc
    _ensure_one_main(school, campus)
    audit.record(
        actor=actor, event_type=Event.CAMPUS_SAVED, obj=campus, unit=school.unit, school=school,
        data={"name": campus.name, "kind": campus.kind, "pupils": campus.pupils},
    )  # fmt: skip
    return campus


@transaction.atomic
def campus_delete(*, actor, campus: Campus) -> None:
    """Remove a site entered by mistake; a merged school's site (its predecessor) is kept: mark it closed instead."""
    if campus.predecessor_id:
        raise ValidationError("Điểm trường này là trường trước sáp nhập: không xóa được, hãy đánh dấu ngừng hoạt động.")
    school = campus.school
    audit.record(
        actor=actor, event_type=Event.CAMPUS_DELETED, obj=school, unit=school.unit, school=school,
        data={"name": campus.name},
    )  # fmt: skip
    campus.delete()


def _former_line(school: School) -> str:
    return f"{school.code} {school.name}"


@transaction.atomic
def school_merge(
    *,
    actor,
    predecessors: list[School],
    successor: School,
    on: date,
    document: DecidingDocument,
    note: str = "",
) -> list[SchoolMerger]:
    """Merge schools into `successor` from `on`: each predecessor stops and goes on as a site of the successor (its
    name, address), its code and name are kept among the successor's former names (and find it), and its cycles,
    evidence and decisions stay its own, readable under the successor. Nothing changes when refused."""
    document = document.checked()
    predecessors = [p for p in predecessors if p is not None]
    if not predecessors:
        raise ValidationError({"predecessors": "Hãy chọn trường được sáp nhập."})
    if any(p.pk == successor.pk for p in predecessors):
        raise ValidationError({"predecessors": "Trường sau sáp nhập không thể là trường được sáp nhập."})
    if not successor.is_active:
        raise ValidationError({"successor": f"{successor.name} đã ngừng hoạt động."})
    done = SchoolMerger.objects.filter(predecessor__in=predecessors).select_related("predecessor", "successor").first()
    if done is not None:
        when = f"{done.effective_on:%d/%m/%Y}"
        raise ValidationError(
            {"predecessors": f"{done.predecessor.name} đã sáp nhập vào {done.successor.name} từ {when}."}
        )
    if not successor.campuses.exists():
        Campus.objects.create(school=successor, name=successor.name, kind=CampusKind.MAIN, address=successor.address,
                              position=1)  # fmt: skip
    rows, former = [], [line for line in successor.former_names.splitlines() if line.strip()]
    for predecessor in predecessors:
        rows.append(
            SchoolMerger.objects.create(
                predecessor=predecessor, successor=successor, effective_on=on,
                **document.recorded(actor=actor, note=note),
            )
        )  # fmt: skip
        name = predecessor.name
        if successor.campuses.filter(name=name).exists():
            name = f"{name} ({predecessor.code})"[:200]
        position = (successor.campuses.aggregate(m=Max("position"))["m"] or 0) + 1
        Campus.objects.create(
            school=successor, name=name, kind=CampusKind.SITE, address=predecessor.address, predecessor=predecessor,
            position=position,
        )  # fmt: skip
        predecessor.is_active = False
        predecessor.save()
        former.append(_former_line(predecessor))
        audit.record(
            actor=actor, event_type=Event.SCHOOL_MERGED, obj=successor, unit=successor.unit, school=successor,
            data={"predecessor": _former_line(predecessor), "on": on.isoformat(),
                  "decision": f"{document.number} ngày {document.date:%d/%m/%Y} của {document.body}"},
        )  # fmt: skip
    successor.former_names = "\n".join(dict.fromkeys(former))
    successor.save()
    return rows
