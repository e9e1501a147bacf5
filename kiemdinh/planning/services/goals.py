"""A plan's targets (chỉ tiêu): what share or number of schools should reach what, by when."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.planning.models import (
    AnnualPlan,
    GoalMeasure,
    GoalMetric,
    GoalScope,
    PlanGoal,
)
from kiemdinh.planning.periods import normalise_period
from kiemdinh.planning.services.common import next_position, record
from kiemdinh.units.models import SchoolType


@dataclass(frozen=True)
class GoalInput:
    text: str
    metric: str
    measure: str
    target_value: Decimal | None
    scope: str = GoalScope.UNIT
    school_types: tuple[str, ...] = ()
    level: int | None = None
    school_year: str = ""
    deadline: date | None = None


LEVEL_METRICS = {GoalMetric.ACCREDITED: (1, 4), GoalMetric.NATIONAL_STANDARD: (1, 2)}
SELF_ASSESSMENT_METRICS = (GoalMetric.SELF_ASSESSMENT_SUBMITTED, GoalMetric.SELF_ASSESSMENT_ACCEPTED)


def _goal_values(plan: AnnualPlan, data: GoalInput) -> dict:
    errors = {}
    text = clean(data.text)
    if not text:
        errors["text"] = "Hãy ghi chỉ tiêu như trong kế hoạch."
    if data.metric not in GoalMetric.values:
        errors["metric"] = "Hãy chọn cách đo chỉ tiêu."
    if data.measure not in GoalMeasure.values:
        errors["measure"] = "Hãy chọn tỉ lệ hay số trường."
    if data.scope not in GoalScope.values:
        errors["scope"] = "Hãy chọn tính trên mọi trường hay các trường trong danh sách."
    if data.target_value is None:
        errors["target_value"] = "Hãy ghi giá trị chỉ tiêu."
    elif data.target_value <= 0 or (data.measure == GoalMeasure.PERCENT and data.target_value > 100):
        errors["target_value"] = "Tỉ lệ từ trên 0 đến 100%; số trường phải lớn hơn 0."
    elif data.measure == GoalMeasure.COUNT and data.target_value != int(data.target_value):
        errors["target_value"] = "Số trường là số nguyên."
    unknown = [t for t in data.school_types if t not in SchoolType.values]
    if unknown:
        errors["school_types"] = "Loại trường không hợp lệ: " + ", ".join(unknown)
    if data.metric in LEVEL_METRICS and data.level is not None:
        low, high = LEVEL_METRICS[GoalMetric(data.metric)]
        if not low <= data.level <= high:
            errors["level"] = f"Cấp độ/mức độ từ {low} đến {high}."
    school_year = clean(data.school_year)
    if data.metric in SELF_ASSESSMENT_METRICS:
        if not school_year:
            errors["school_year"] = "Hãy ghi năm học tự đánh giá, ví dụ 2023-2024."
        elif normalise_period(school_year) != school_year or len(school_year) != 9:
            errors["school_year"] = "Năm học ghi dạng 2023-2024."
        elif int(school_year[5:]) != int(school_year[:4]) + 1:
            errors["school_year"] = "Năm học ghi hai năm liền nhau, ví dụ 2023-2024."
    if data.metric == GoalMetric.TARGETS_REACHED and data.scope != GoalScope.TARGETS:
        errors["scope"] = "Chỉ tiêu “đạt mục tiêu đăng ký” tính trên các trường trong danh sách."
    if errors:
        raise ValidationError(errors)
    return {
        "text": text,
        "metric": data.metric,
        "measure": data.measure,
        "target_value": data.target_value,
        "scope": data.scope,
        "school_types": ",".join(t for t in SchoolType.values if t in data.school_types),
        "level": data.level if data.metric in LEVEL_METRICS else None,
        "school_year": school_year if data.metric in SELF_ASSESSMENT_METRICS else "",
        "deadline": data.deadline,
    }


@transaction.atomic
def goal_save(*, actor, plan: AnnualPlan, data: GoalInput, goal: PlanGoal | None = None) -> PlanGoal:
    values = _goal_values(plan, data)
    if goal is None:
        goal = PlanGoal(plan=plan, position=next_position(plan.goals))
    for name, value in values.items():
        setattr(goal, name, value)
    goal.save()
    record(actor, Event.PLAN_GOAL_SAVED, plan, obj=goal, text=goal.text)
    return goal


@transaction.atomic
def goal_delete(*, actor, goal: PlanGoal) -> None:
    record(actor, Event.PLAN_GOAL_DELETED, goal.plan, text=goal.text)
    goal.delete()
