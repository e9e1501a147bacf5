"""Writes of visits, officers in charge and trainings. Keyword-only, one transaction, one audit event each.

Every check raises a ValidationError keyed by the field it concerns, with a Vietnamese message, before anything is
written, so refused input changes nothing.
"""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import number, shown
from kiemdinh.core.text import clean, fold, nfc
from kiemdinh.oversight.models import (
    OfficerInCharge,
    SchoolLevel,
    Training,
    TrainingParticipant,
    Visit,
    VisitAction,
    VisitKind,
)
from kiemdinh.units.models import AdministrativeUnit, School
from kiemdinh.units.selectors import SchoolLookupError, school_by_code_or_name

MAX_LENGTHS = {
    "responsible": 200,
    "full_name": 200,
    "title": 200,
    "phone": 40,
    "email": 200,
    "job_title": 200,
    "organiser": 200,
    "location": 300,
}
LABELS = {
    "responsible": "Người, bộ phận thực hiện",
    "full_name": "Họ và tên",
    "title": "Chức vụ",
    "phone": "Điện thoại",
    "email": "Thư điện tử",
    "job_title": "Chức vụ",
    "organiser": "Đơn vị tổ chức",
    "location": "Địa điểm",
    "training_title": "Nội dung tập huấn",
}
TRAINING_TITLE_MAX = 300


# --- helpers ----------------------------------------------------------------------------------------------------------


def _text(value, name: str = "") -> str:
    text = clean(str(value or ""))
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValidationError({name: f"{LABELS.get(name, name)} dài quá {limit} ký tự."})
    return text


def _lines(value) -> str:
    """Text kept one item a line: lines trimmed, empty lines dropped."""
    return "\n".join(line.strip() for line in nfc(str(value or "")).splitlines() if line.strip())


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _covers(unit: AdministrativeUnit, school: School) -> bool:
    return school.unit.path.startswith(unit.path)


# --- visits -----------------------------------------------------------------------------------------------------------


def _visit_values(*, unit, school, kind, visited_on, plan, members, findings) -> dict:
    errors = {}
    if school is None:
        errors["school"] = "Hãy chọn trường được kiểm tra, tư vấn."
    elif not _covers(unit, school):
        errors["school"] = f"{school.name} không thuộc {unit.name}; chỉ được kiểm tra, tư vấn các trường thuộc đơn vị."
    if kind not in VisitKind.values:
        errors["kind"] = "Hãy chọn hình thức: tư vấn, kiểm tra hoặc kiểm tra tính xác thực của báo cáo tự đánh giá."
    if not isinstance(visited_on, date):
        errors["visited_on"] = "Hãy ghi ngày làm việc của đoàn."
    if plan is not None and school is not None and not _covers(plan.unit, school):
        errors["plan"] = (
            f"Kế hoạch của {plan.unit.name} không áp dụng cho {school.name}; hãy chọn kế hoạch của đơn vị "
            "hoặc của cấp trên."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "school": school,
        "kind": kind,
        "visited_on": visited_on,
        "plan": plan,
        "members": _lines(members),
        "findings": clean(str(findings or "")),
    }


def _visit_data(visit: Visit) -> dict:
    return {"school": visit.school_id, "kind": visit.kind, "visited_on": visit.visited_on.isoformat()}


@transaction.atomic
def visit_create(
    *,
    actor,
    unit: AdministrativeUnit,
    school: School | None,
    kind: str,
    visited_on: date | None,
    plan=None,
    members: str = "",
    findings: str = "",
) -> Visit:
    values = _visit_values(
        unit=unit, school=school, kind=kind, visited_on=visited_on, plan=plan, members=members, findings=findings
    )
    visit = Visit.objects.create(unit=unit, created_by=_user(actor), **values)
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_VISIT_CREATED,
        obj=visit,
        unit=unit,
        school=visit.school,
        data=_visit_data(visit),
    )
    return visit


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: Visit,
    school: School | None,
    kind: str,
    visited_on: date | None,
    plan=None,
    members: str = "",
    findings: str = "",
) -> Visit:
    visit = Visit.objects.select_for_update().select_related("unit").get(pk=visit.pk)
    values = _visit_values(
        unit=visit.unit,
        school=school,
        kind=kind,
        visited_on=visited_on,
        plan=plan,
        members=members,
        findings=findings,
    )
    before = _visit_data(visit)
    for name, value in values.items():
        setattr(visit, name, value)
    visit.save()
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_VISIT_UPDATED,
        obj=visit,
        unit=visit.unit,
        school=visit.school,
        data={"before": before, "after": _visit_data(visit)},
    )
    return visit


@transaction.atomic
def visit_delete(*, actor, visit: Visit) -> None:
    data = {**_visit_data(visit), "actions": visit.actions.count()}
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_VISIT_DELETED,
        obj=visit,
        unit=visit.unit,
        school=visit.school,
        data=data,
    )
    visit.delete()


# --- follow-up actions ----------------------------------------------------------------------------------------------------


@transaction.atomic
def action_add(*, actor, visit: Visit, content: str, responsible: str = "", due_on: date | None = None) -> VisitAction:
    visit = Visit.objects.select_for_update().select_related("unit", "school").get(pk=visit.pk)
    content = clean(str(content or ""))
    errors = {}
    if not content:
        errors["content"] = "Hãy ghi nội dung việc cần thực hiện."
    try:
        responsible = _text(responsible, "responsible")
    except ValidationError as e:
        errors.update(e.message_dict)
    if due_on is not None and due_on < visit.visited_on:
        errors["due_on"] = f"Hạn hoàn thành không được trước ngày làm việc của đoàn ({visit.visited_on:%d/%m/%Y})."
    if errors:
        raise ValidationError(errors)
    position = (visit.actions.aggregate(m=Max("position"))["m"] or 0) + 1
    action = VisitAction.objects.create(
        visit=visit, position=position, content=content, responsible=responsible, due_on=due_on
    )
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_ACTION_ADDED,
        obj=action,
        unit=visit.unit,
        school=visit.school,
        data={"visit": visit.pk, "content": content[:200]},
    )
    return action


@transaction.atomic
def action_complete(*, actor, action: VisitAction, done_on: date | None = None, note: str = "") -> VisitAction:
    """The school (or the officer) reports an action done, on a date (today when not given), with what was done."""
    action = VisitAction.objects.select_for_update().select_related("visit__unit", "visit__school").get(pk=action.pk)
    if action.is_done:
        raise ValidationError("Việc này đã được ghi là hoàn thành.")
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": "Ngày hoàn thành không được sau hôm nay."})
    if done_on < action.visit.visited_on:
        raise ValidationError(
            {
                "done_on": f"Ngày hoàn thành không được trước ngày làm việc của đoàn ({action.visit.visited_on:%d/%m/%Y})."
            }
        )
    action.is_done = True
    action.done_on = done_on
    action.done_note = clean(str(note or ""))
    action.done_by = _user(actor)
    action.save(update_fields=["is_done", "done_on", "done_note", "done_by"])
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_ACTION_COMPLETED,
        obj=action,
        unit=action.visit.unit,
        school=action.visit.school,
        data={"visit": action.visit_id, "done_on": done_on.isoformat(), "note": action.done_note[:200]},
    )
    return action


@transaction.atomic
def action_delete(*, actor, action: VisitAction) -> None:
    visit = action.visit
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_ACTION_DELETED,
        obj=action,
        unit=visit.unit,
        school=visit.school,
        data={"visit": visit.pk, "content": action.content[:200]},
    )
    action.delete()


# --- officers in charge -----------------------------------------------------------------------------------------------


def _officer_values(*, unit, school_level, full_name, title, phone, email, user) -> dict:
    errors = {}
    values = {}
    for name, value in (("full_name", full_name), ("title", title), ("phone", phone), ("email", email)):
        try:
            values[name] = _text(value, name)
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


# --- trainings --------------------------------------------------------------------------------------------------------


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
            values[name] = _text(value, name)
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
    training = Training.objects.create(unit=unit, created_by=_user(actor), **values)
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


# --- participants -----------------------------------------------------------------------------------------------------

# "Họ tên – chức vụ – trường": parts split at an en or em dash, a hyphen between spaces, a tab (pasted from a
# spreadsheet) or a vertical bar. A hyphen inside a word ("Nguyễn Thị Thu-Hà") stays part of it.
_PART_SEPARATOR = re.compile(r"\s*[–—\t|]\s*|\s+-\s+")


def _school_in_unit(unit: AdministrativeUnit, text: str) -> School:
    """The school named `text` (code or name) among the unit's schools; SchoolLookupError with a Vietnamese message."""
    try:
        school = school_by_code_or_name(text)
    except SchoolLookupError as e:
        school, error = None, e
    else:
        if school.unit.path.startswith(unit.path):
            return school
        error = SchoolLookupError(f"{school.name} không thuộc {unit.name}.")
    # A name may be ambiguous (or match elsewhere) across the country yet name exactly one school of the unit.
    folded = fold(text)
    within = list(School.objects.within(unit).filter(search_text__contains=folded))
    exact = [s for s in within if fold(s.name) == folded]
    if len(exact) == 1 or len(within) == 1:
        return (exact or within)[0]
    raise error


def parse_participants(unit: AdministrativeUnit, text: str) -> tuple[list[dict], list[str]]:
    """Rows {full_name, job_title, school} from one "Họ tên – chức vụ – trường" a line, and the Vietnamese errors,
    each naming its line (number and text, quoted short).

    A pasted list is a tabular import: at most KIEMDINH_IMPORT_MAX_ROWS lines (refused whole, before any line is
    looked at) of at most KIEMDINH_IMPORT_MAX_CELL_CHARS characters each."""
    lines = nfc(str(text or "")).splitlines()
    max_rows, max_chars = settings.KIEMDINH_IMPORT_MAX_ROWS, settings.KIEMDINH_IMPORT_MAX_CELL_CHARS
    if sum(1 for line in lines if line.strip()) > max_rows:
        raise ValidationError(
            {
                "text": f"Danh sách có hơn {number(max_rows)} dòng. Mỗi lần chỉ thêm được tối đa {number(max_rows)} "
                "người; hãy chia thành nhiều lần."
            }
        )
    rows, errors = [], []
    schools: dict[str, School] = {}
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"Dòng {line_number} (“{shown(line)}”)"
        if len(line) > max_chars:
            errors.append(
                f"{where}: dài {number(len(line))} ký tự, vượt quá giới hạn {number(max_chars)} ký tự mỗi dòng."
            )
            continue
        parts = [p.strip() for p in _PART_SEPARATOR.split(line)]
        if len(parts) > 3:
            errors.append(f"{where}: có hơn ba phần; hãy ghi theo dạng “Họ tên – chức vụ – trường”.")
            continue
        full_name, job_title, school_text = [*parts, "", ""][:3]
        if not full_name:
            errors.append(f"{where}: thiếu họ tên.")
            continue
        if len(full_name) > MAX_LENGTHS["full_name"] or len(job_title) > MAX_LENGTHS["job_title"]:
            errors.append(f"{where}: họ tên hoặc chức vụ dài quá 200 ký tự.")
            continue
        school = None
        if school_text:
            key = fold(school_text)
            if key not in schools:
                try:
                    schools[key] = _school_in_unit(unit, school_text)
                except SchoolLookupError as e:
                    errors.append(f"{where}: {e}")
                    continue
            school = schools[key]
        rows.append({"full_name": full_name, "job_title": job_title, "school": school, "line": line_number})
    return rows, errors


def participants_add(*, actor, training: Training, text: str, attended: bool = True) -> list[TrainingParticipant]:
    """Add the participants listed in `text` (one "Họ tên – chức vụ – trường" a line). One bad line refuses all.

    The list is read and its schools looked up before the transaction (a long list takes a while; nobody's write
    should wait for it); the transaction only checks duplicates against the locked training and writes."""
    unit = AdministrativeUnit.objects.get(pk=training.unit_id)
    rows, errors = parse_participants(unit, text)
    with transaction.atomic():
        return _participants_write(actor=actor, training=training, rows=rows, errors=errors, attended=attended)


def _participants_write(*, actor, training: Training, rows: list[dict], errors: list[str], attended: bool):
    training = Training.objects.select_for_update().select_related("unit").get(pk=training.pk)
    seen = {(fold(name), school_id) for name, school_id in training.participants.values_list("full_name", "school_id")}
    for row in rows:
        key = (fold(row["full_name"]), row["school"].pk if row["school"] else None)
        if key in seen:
            where = f"{row['full_name']}" + (f" ({row['school'].name})" if row["school"] else "")
            errors.append(f"Dòng {row['line']}: {where} đã có trong danh sách.")
        seen.add(key)
    if errors:
        raise ValidationError({"text": errors})
    if not rows:
        raise ValidationError({"text": "Hãy ghi ít nhất một người, mỗi dòng “Họ tên – chức vụ – trường”."})
    start = training.participants.aggregate(m=Max("position"))["m"] or 0
    created = TrainingParticipant.objects.bulk_create(
        [
            TrainingParticipant(
                training=training,
                position=start + i,
                full_name=row["full_name"],
                job_title=row["job_title"],
                school=row["school"],
                attended=attended,
            )
            for i, row in enumerate(rows, start=1)
        ]
    )
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANTS_ADDED,
        obj=training,
        unit=training.unit,
        data={"count": len(created), "names": [row["full_name"] for row in rows][:50]},
    )
    return created


@transaction.atomic
def participant_set_attended(*, actor, participant: TrainingParticipant, attended: bool) -> TrainingParticipant:
    participant.attended = bool(attended)
    participant.save(update_fields=["attended"])
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANT_ATTENDANCE,
        obj=participant,
        unit=participant.training.unit,
        school=participant.school,
        data={"training": participant.training_id, "attended": participant.attended},
    )
    return participant


@transaction.atomic
def participant_delete(*, actor, participant: TrainingParticipant) -> None:
    audit.record(
        actor=actor,
        event_type=Event.OVERSIGHT_PARTICIPANT_DELETED,
        obj=participant,
        unit=participant.training.unit,
        school=participant.school,
        data={"training": participant.training_id, "name": participant.full_name},
    )
    participant.delete()
