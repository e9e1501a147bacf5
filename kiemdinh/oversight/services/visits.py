"""Consultation and inspection visits of a unit's schools, and the follow-up actions each visit leaves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.oversight.models import Visit, VisitAction, VisitKind
from kiemdinh.oversight.services.common import bounded_text, item_lines, signed_in_user, unit_covers
from kiemdinh.units.models import AdministrativeUnit, School


def _visit_values(*, unit, school, kind, visited_on, plan, members, findings) -> dict:
    errors = {}
    if school is None:
        errors["school"] = "Hãy chọn trường được kiểm tra, tư vấn."
    elif not unit_covers(unit, school):
        errors["school"] = f"{school.name} không thuộc {unit.name}; chỉ được kiểm tra, tư vấn các trường thuộc đơn vị."
    if kind not in VisitKind.values:
        errors["kind"] = "Hãy chọn hình thức: tư vấn, kiểm tra hoặc kiểm tra tính xác thực của báo cáo tự đánh giá."
    if not isinstance(visited_on, date):
        errors["visited_on"] = "Hãy ghi ngày làm việc của đoàn."
    if plan is not None and school is not None and not unit_covers(plan.unit, school):
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
        "members": item_lines(members),
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
    visit = Visit.objects.create(unit=unit, created_by=signed_in_user(actor), **values)
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
        responsible = bounded_text(responsible, "responsible")
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
    action.done_by = signed_in_user(actor)
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
