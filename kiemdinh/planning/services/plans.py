"""A plan itself: its header and text, issuing and reopening it, and the sections of its body."""

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, nfc
from kiemdinh.planning.models import (
    AnnualPlan,
    PlanSection,
    PlanStatus,
)
from kiemdinh.planning.periods import PeriodError, normalise_period, period_bounds
from kiemdinh.planning.services.common import lock_plan, next_position, record


@dataclass(frozen=True)
class PlanInput:
    kind: str
    period: str
    title: str
    issuer: str = ""
    issuer_parent: str = ""
    number: str = ""
    issued_on: date | None = None
    place: str = ""
    preamble: str = ""
    purpose: str = ""
    requirements: str = ""
    closing: str = ""
    recipients: str = ""
    signer_title: str = ""
    signer_name: str = ""
    report_every_months: int | None = None


PLAN_TEXT_FIELDS = tuple(
    f.name for f in fields(PlanInput) if f.name not in ("kind", "period", "issued_on", "report_every_months")
)


def _plan_values(unit, data: PlanInput) -> dict:
    errors: dict[str, str] = {}
    values = {name: clean(getattr(data, name)) for name in PLAN_TEXT_FIELDS}
    period = normalise_period(data.period)
    values.update(kind=data.kind, period=period, issued_on=data.issued_on)
    values["report_every_months"] = data.report_every_months
    try:
        values["starts_on"], values["ends_on"] = period_bounds(data.kind, period)
    except PeriodError as exc:
        errors["period"] = str(exc)
    if not values["title"]:
        errors["title"] = "Hãy ghi trích yếu của kế hoạch."
    if not values["issuer"]:
        values["issuer"] = unit.education_office or f"UBND {unit.name}"
    if data.report_every_months is not None and not 1 <= data.report_every_months <= 12:
        errors["report_every_months"] = "Kỳ báo cáo từ 1 đến 12 tháng một lần."
    if data.issued_on and "starts_on" in values and data.issued_on.year > values["ends_on"].year:
        errors["issued_on"] = "Ngày ban hành nằm sau thời gian của kế hoạch."
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def plan_create(*, actor, unit, data: PlanInput) -> AnnualPlan:
    values = _plan_values(unit, data)
    # A dissolved district keeps its old plans (and may have them entered now); it makes none for later periods.
    if unit.dissolved_on and values["starts_on"] >= unit.dissolved_on:
        raise ValidationError(
            {
                "period": f"{unit.name} đã giải thể từ {unit.dissolved_on:%d/%m/%Y}: kế hoạch cho thời gian sau đó "
                "do xã, phường hoặc tỉnh ban hành."
            }
        )
    plan = AnnualPlan.objects.create(
        unit=unit, created_by=actor if getattr(actor, "is_authenticated", False) else None, **values
    )
    record(actor, Event.PLAN_CREATED, plan, number=plan.number, period=plan.period)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: AnnualPlan, data: PlanInput) -> AnnualPlan:
    plan = lock_plan(plan)
    values = _plan_values(plan.unit, data)
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    record(actor, Event.PLAN_UPDATED, plan, changed=changed)
    return plan


def issue_problems(plan: AnnualPlan) -> list[str]:
    problems = []
    if not plan.number:
        problems.append("Chưa có số kế hoạch.")
    if not plan.issued_on:
        problems.append("Chưa có ngày ban hành.")
    if not plan.signer_name:
        problems.append("Chưa có người ký.")
    if not (plan.targets.exists() or plan.goals.exists() or plan.tasks.exists()):
        problems.append("Kế hoạch chưa có trường, chỉ tiêu hay nhiệm vụ nào.")
    return problems


@transaction.atomic
def plan_issue(*, actor, plan: AnnualPlan) -> AnnualPlan:
    plan = lock_plan(plan)
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã được ban hành.")
    problems = issue_problems(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.ISSUED
    plan.save(update_fields=["status", "updated_at"])
    record(actor, Event.PLAN_ISSUED, plan)
    return plan


@transaction.atomic
def plan_reopen(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    plan = lock_plan(plan)
    reason = clean(reason)
    if not plan.is_issued:
        raise ValidationError("Kế hoạch chưa ban hành.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do điều chỉnh kế hoạch đã ban hành."})
    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    record(actor, Event.PLAN_REOPENED, plan, reason=reason)
    return plan


@transaction.atomic
def section_save(
    *, actor, plan: AnnualPlan, heading: str, body: str, section: PlanSection | None = None
) -> PlanSection:
    heading = clean(heading)
    if not heading:
        raise ValidationError({"heading": "Hãy ghi tiêu đề của mục."})
    if section is None:
        section = PlanSection(plan=plan, position=next_position(plan.sections))
    elif section.plan_id != plan.pk:
        raise ValidationError("Mục này không thuộc kế hoạch.")
    section.heading = heading
    section.body = nfc(body or "").strip("\n")
    section.save()
    record(actor, Event.PLAN_SECTION_SAVED, plan, obj=section, heading=heading)
    return section


@transaction.atomic
def section_delete(*, actor, section: PlanSection) -> None:
    plan = section.plan
    record(actor, Event.PLAN_SECTION_DELETED, plan, heading=section.heading, body=section.body)
    section.delete()


@transaction.atomic
def section_move(*, actor, section: PlanSection, offset: int) -> None:
    """Move a section one place up (-1) or down (+1)."""
    siblings = list(section.plan.sections.all())
    index = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
    target = index + offset
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    record(actor, Event.PLAN_SECTION_MOVED, section.plan, obj=section, offset=offset)
