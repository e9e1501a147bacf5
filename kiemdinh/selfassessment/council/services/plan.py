"""Writes of the self-assessment plan (Phụ lục 1): its texts, and its timeline of activities, one per step of Điều 23
when proposed. Each service is keyword-only, atomic, with one audit event."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.selfassessment.council.constants import SEVEN_STEPS
from kiemdinh.selfassessment.council.services._common import clean_text, next_position, record, user_or_none
from kiemdinh.selfassessment.models import AssessmentPlan, Cycle, PlanActivity
from kiemdinh.selfassessment.services import ensure_editable


def _ddmmyyyy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@transaction.atomic
def plan_update(
    *,
    actor,
    cycle: Cycle,
    number: str = "",
    issued_on: date | None = None,
    purpose: str = "",
    scope: str = "",
    tools: str = "",
    resources: str = "",
    hired_experts: str = "",
    evidence_collection: str = "",
) -> AssessmentPlan:
    """Save the texts of the self-assessment plan (created on first save); every field is replaced."""
    ensure_editable(cycle)
    if issued_on is not None and not isinstance(issued_on, date):
        raise ValidationError({"issued_on": "Ngày ban hành không hợp lệ."})
    values = {
        "number": clean_text(number, field_name="number", max_length=64, label="Số kế hoạch"),
        "issued_on": issued_on,
        "purpose": (purpose or "").strip(),
        "scope": (scope or "").strip(),
        "tools": (tools or "").strip(),
        "resources": (resources or "").strip(),
        "hired_experts": (hired_experts or "").strip(),
        "evidence_collection": (evidence_collection or "").strip(),
    }
    plan = AssessmentPlan.objects.filter(cycle=cycle).first() or AssessmentPlan(cycle=cycle)
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_by = user_or_none(actor)
    plan.save()
    record(actor=actor, event_type=Event.PLAN_UPDATED, obj=plan, cycle=cycle, data={"changed": changed})
    return plan


def _clean_activity(*, title, step, starts_on, ends_on, owner, note) -> dict:
    title = clean_text(
        title, field_name="title", max_length=500, label="Tên hoạt động", required="Hãy nhập tên hoạt động."
    )
    if step in ("", None):
        step = None
    elif isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= len(SEVEN_STEPS):
        raise ValidationError({"step": "Bước phải là một trong bảy bước tự đánh giá (từ 1 đến 7)."})
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is not None and not isinstance(value, date):
            raise ValidationError({name: "Ngày không hợp lệ."})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": f"Ngày kết thúc ({_ddmmyyyy(ends_on)}) phải bằng hoặc sau ngày bắt đầu "
                f"({_ddmmyyyy(starts_on)})."
            }
        )
    owner = clean_text(owner, field_name="owner", max_length=300, label="Người/bộ phận thực hiện")
    return {
        "title": title,
        "step": step,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "owner": owner,
        "note": (note or "").strip(),
    }


def _activity_data(activity: PlanActivity) -> dict:
    return {
        "title": activity.title,
        "step": activity.step,
        "starts_on": activity.starts_on.isoformat() if activity.starts_on else None,
        "ends_on": activity.ends_on.isoformat() if activity.ends_on else None,
        "owner": activity.owner,
    }


@transaction.atomic
def plan_activity_create(
    *,
    actor,
    cycle: Cycle,
    title: str,
    step: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    owner: str = "",
    note: str = "",
) -> PlanActivity:
    ensure_editable(cycle)
    values = _clean_activity(title=title, step=step, starts_on=starts_on, ends_on=ends_on, owner=owner, note=note)
    activity = PlanActivity.objects.create(
        cycle=cycle, position=next_position(PlanActivity.objects.filter(cycle=cycle)), **values
    )
    record(actor=actor, event_type=Event.PLAN_ACTIVITY_ADDED, obj=activity, cycle=cycle, data=_activity_data(activity))
    return activity


@transaction.atomic
def plan_activity_update(
    *,
    actor,
    activity: PlanActivity,
    title: str,
    step: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    owner: str = "",
    note: str = "",
) -> PlanActivity:
    cycle = activity.cycle
    ensure_editable(cycle)
    values = _clean_activity(title=title, step=step, starts_on=starts_on, ends_on=ends_on, owner=owner, note=note)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(values))
    record(
        actor=actor, event_type=Event.PLAN_ACTIVITY_UPDATED, obj=activity, cycle=cycle, data=_activity_data(activity)
    )
    return activity


@transaction.atomic
def plan_activity_delete(*, actor, activity: PlanActivity) -> None:
    cycle = activity.cycle
    ensure_editable(cycle)
    record(
        actor=actor, event_type=Event.PLAN_ACTIVITY_REMOVED, obj=activity, cycle=cycle, data=_activity_data(activity)
    )
    activity.delete()


@transaction.atomic
def plan_activities_propose(*, actor, cycle: Cycle) -> list[PlanActivity]:
    """“Tạo lịch mẫu”: one activity per step of Điều 23, dates left empty; only while the timeline is empty."""
    ensure_editable(cycle)
    if PlanActivity.objects.filter(cycle=cycle).exists():
        raise ValidationError("Chỉ tạo được lịch mẫu khi kế hoạch chưa có hoạt động nào.")
    activities = PlanActivity.objects.bulk_create(
        [PlanActivity(cycle=cycle, step=n, title=title, position=n) for n, title in enumerate(SEVEN_STEPS, start=1)]
    )
    record(actor=actor, event_type=Event.PLAN_TIMELINE_PROPOSED, obj=cycle, cycle=cycle, data={"activities": 7})
    return activities
