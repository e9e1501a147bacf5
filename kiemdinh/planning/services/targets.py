"""The schools a plan lists (target schools) with what each should reach, and the suggestions set aside."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.planning.models import (
    AnnualPlan,
    PlanTarget,
    SuggestionDismissal,
)
from kiemdinh.planning.services.common import lock_plan, next_position, record
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.selectors import school_under


@dataclass(frozen=True)
class TargetInput:
    accreditation_grade: int | None = None
    national_standard_level: int | None = None
    external_evaluation: bool = True
    recognition_round: str = ""
    evaluation_period: str = ""
    note: str = ""
    reason: str = ""


def _target_values(data: TargetInput) -> dict:
    errors = {}
    if data.accreditation_grade is not None and not 1 <= data.accreditation_grade <= 4:
        errors["accreditation_grade"] = "Cấp độ kiểm định từ 1 đến 4."
    if data.national_standard_level is not None and not 1 <= data.national_standard_level <= 2:
        errors["national_standard_level"] = "Mức độ chuẩn quốc gia là 1 hoặc 2."
    if data.recognition_round not in ("", *RecognitionRound.values):
        errors["recognition_round"] = "Hãy chọn công nhận lần đầu hay công nhận lại."
    if not (data.accreditation_grade or data.national_standard_level or data.external_evaluation):
        errors["accreditation_grade"] = "Hãy ghi cấp độ, mức độ hoặc đánh dấu đánh giá ngoài."
    if errors:
        raise ValidationError(errors)
    return {
        "accreditation_grade": data.accreditation_grade,
        "national_standard_level": data.national_standard_level,
        "external_evaluation": data.external_evaluation,
        "recognition_round": data.recognition_round,
        "evaluation_period": clean(data.evaluation_period),
        "note": clean(data.note),
        "reason": clean(data.reason),
    }


def _check_school(plan: AnnualPlan, school) -> None:
    if not school_under(school, plan.unit, plan.dated_on):
        raise ValidationError({"school": f"{school.name} không thuộc {plan.unit.name}."})
    if plan.targets.filter(school=school).exists():
        raise ValidationError({"school": f"{school.name} đã có trong danh sách của kế hoạch."})


@transaction.atomic
def target_add(*, actor, plan: AnnualPlan, school, data: TargetInput) -> PlanTarget:
    plan = lock_plan(plan)
    _check_school(plan, school)
    values = _target_values(data)
    target = PlanTarget.objects.create(plan=plan, school=school, position=next_position(plan.targets), **values)
    SuggestionDismissal.objects.filter(plan=plan, school=school).delete()
    record(actor, Event.PLAN_TARGET_ADDED, plan, obj=target, school=school.code, target=target.target_label)
    return target


@transaction.atomic
def targets_accept(*, actor, plan: AnnualPlan, proposals: list[tuple]) -> list[PlanTarget]:
    """Accept several suggestions at once: (school, TargetInput) pairs, listed in the order given."""
    plan = lock_plan(plan)
    errors = []
    for school, _ in proposals:
        try:
            _check_school(plan, school)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if not proposals:
        errors.append("Hãy chọn ít nhất một trường được đề xuất.")
    if errors:
        raise ValidationError(errors)
    position = next_position(plan.targets)
    created = []
    for offset, (school, data) in enumerate(proposals):
        created.append(
            PlanTarget.objects.create(plan=plan, school=school, position=position + offset, **_target_values(data))
        )
    SuggestionDismissal.objects.filter(plan=plan, school__in=[s for s, _ in proposals]).delete()
    record(actor, Event.PLAN_SUGGESTIONS_ACCEPTED, plan, schools=[s.code for s, _ in proposals])
    return created


@transaction.atomic
def target_update(*, actor, target: PlanTarget, data: TargetInput) -> PlanTarget:
    values = _target_values(data)
    before = target.target_label
    for name, value in values.items():
        setattr(target, name, value)
    target.save()
    record(actor, Event.PLAN_TARGET_UPDATED, target.plan, obj=target, before=before, after=target.target_label)
    return target


@transaction.atomic
def target_remove(*, actor, target: PlanTarget) -> None:
    plan = target.plan
    record(actor, Event.PLAN_TARGET_REMOVED, plan, school=target.school.code, target=target.target_label)
    target.delete()
    for position, item in enumerate(plan.targets.order_by("position"), start=1):
        if item.position != position:
            PlanTarget.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def target_move(*, actor, target: PlanTarget, offset: int) -> None:
    siblings = list(target.plan.targets.order_by("position"))
    index = next(i for i, t in enumerate(siblings) if t.pk == target.pk)
    other = index + offset
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    # Two passes so the (plan, position) pairs never collide mid-way.
    for item in siblings:
        PlanTarget.objects.filter(pk=item.pk).update(position=item.position + 10000)
    for position, item in enumerate(siblings, start=1):
        PlanTarget.objects.filter(pk=item.pk).update(position=position)
    record(actor, Event.PLAN_TARGET_MOVED, target.plan, obj=target, offset=offset)


@transaction.atomic
def suggestion_dismiss(*, actor, plan: AnnualPlan, school, reason: str) -> SuggestionDismissal:
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do không đưa trường vào kế hoạch."})
    if not school_under(school, plan.unit, plan.dated_on):
        raise ValidationError(f"{school.name} không thuộc {plan.unit.name}.")
    dismissal, _ = SuggestionDismissal.objects.update_or_create(
        plan=plan,
        school=school,
        defaults={"reason": reason, "dismissed_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    record(actor, Event.PLAN_SUGGESTION_DISMISSED, plan, obj=dismissal, school=school.code, reason=reason)
    return dismissal


@transaction.atomic
def suggestion_restore(*, actor, dismissal: SuggestionDismissal) -> None:
    plan = dismissal.plan
    record(actor, Event.PLAN_SUGGESTION_RESTORED, plan, school=dismissal.school.code, reason=dismissal.reason)
    dismissal.delete()
