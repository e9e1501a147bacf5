"""What the plan contains: its lines (dòng kế hoạch; for TT57 the actions of Biểu 2 mục V) and TT57's priority issues
(Biểu 2 mục IV) they answer. On an issued plan every change of a line or an issue is an adjustment (điều chỉnh): it
needs a reason, which the history keeps; a change based on an older state of a line is refused (LineConflict)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.frameworks.models import Level4Item
from kiemdinh.improvement.models import ImprovementPlan, PlanLine, PriorityIssue
from kiemdinh.improvement.services.common import (
    LINE_FIELDS,
    LINE_TEXT_FIELDS,
    check_criterion,
    clean_cost,
    clean_tasks,
    clean_text,
    is_tt57,
    line_data,
    lock_plan,
    month_end,
    month_start,
    record,
    user_or_none,
)

# --- priority issues (TT57 Biểu 2 mục IV) ---------------------------------------------------------------------------


def _issue_values(plan, criterion, current_state, limitation, cause) -> dict:
    if not is_tt57(plan):
        raise ValidationError("Vấn đề ưu tiên (mục IV Biểu 2) chỉ dùng cho kế hoạch theo Thông tư 57/2026.")
    limitation = clean(limitation or "")
    if not limitation:
        raise ValidationError({"limitation": "Hãy ghi hạn chế cần cải tiến."})
    return {
        "criterion": check_criterion(plan, criterion),
        "current_state": clean(current_state or ""),
        "limitation": limitation,
        "cause": clean(cause or ""),
    }


@transaction.atomic
def issue_create(
    *, actor, plan: ImprovementPlan, criterion, limitation: str, current_state="", cause=""
) -> PriorityIssue:
    plan = lock_plan(plan)
    values = _issue_values(plan, criterion, current_state, limitation, cause)
    position = (plan.issues.aggregate(m=Max("position"))["m"] or 0) + 1
    issue = PriorityIssue.objects.create(plan=plan, position=position, **values)
    record(
        actor=actor, event_type=Event.IMPROVEMENT_ISSUE_ADDED, obj=issue, plan=plan, data={"criterion": criterion.code}
    )
    return issue


@transaction.atomic
def issue_update(
    *, actor, issue: PriorityIssue, criterion, limitation: str, current_state="", cause="", reason=""
) -> PriorityIssue:
    plan = lock_plan(issue.plan)
    values = _issue_values(plan, criterion, current_state, limitation, cause)
    reason = _adjustment_reason(plan, reason)
    for name, value in values.items():
        setattr(issue, name, value)
    issue._change_reason = reason
    issue.save()
    issue.lines.update(criterion=values["criterion"])
    record(actor=actor, event_type=Event.IMPROVEMENT_ISSUE_UPDATED, obj=issue, plan=plan, data={"reason": reason})
    return issue


@transaction.atomic
def issue_delete(*, actor, issue: PriorityIssue) -> None:
    plan = lock_plan(issue.plan)
    if issue.lines.exists():
        raise ValidationError("Vấn đề này còn hành động cải tiến; hãy xóa hoặc chuyển các hành động trước.")
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_ISSUE_DELETED,
        obj=issue,
        plan=plan,
        data={"limitation": issue.limitation},
    )
    issue.delete()


# --- lines ----------------------------------------------------------------------------------------------------------


def _adjustment_reason(plan: ImprovementPlan, reason: str) -> str:
    reason = clean(reason or "")
    if plan.is_issued and not reason:
        raise ValidationError({"reason": "Kế hoạch đã ban hành: hãy ghi lý do điều chỉnh."})
    return reason


def _line_values(plan: ImprovementPlan, values: dict) -> dict:
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"unknown line fields: {sorted(unknown)}")
    clean = {name: clean_text(values.get(name, ""), name) for name in LINE_TEXT_FIELDS}
    clean["tasks"] = clean_tasks(values.get("tasks"))
    clean["cost_million"] = clean_cost(values.get("cost_million"))
    clean["continues"] = bool(values.get("continues"))
    starts_on, due_on = values.get("starts_on"), values.get("due_on")
    clean["starts_on"] = month_start(starts_on) if starts_on else None
    clean["due_on"] = month_end(due_on) if due_on else None
    errors = {}
    if not clean["target"]:
        errors["target"] = "Hãy ghi kết quả cần đạt." if not is_tt57(plan) else "Hãy ghi mục tiêu."
    if not clean["tasks"]:
        errors["tasks"] = "Hãy ghi ít nhất một công việc hoặc giải pháp."
    if not clean["lead"]:
        errors["lead"] = "Hãy ghi người hoặc bộ phận chủ trì."
    if clean["starts_on"] and clean["due_on"] and clean["due_on"] < clean["starts_on"]:
        errors["due_on"] = "Tháng hoàn thành phải sau tháng bắt đầu."
    if not (clean["starts_on"] or clean["due_on"] or clean["time_text"]):
        errors["due_on"] = "Hãy ghi thời gian thực hiện: tháng bắt đầu, tháng hoàn thành hoặc cách ghi trong kế hoạch."
    if errors:
        raise ValidationError(errors)
    return clean


def _line_subject(plan: ImprovementPlan, criterion, level4_item, issue) -> dict:
    if is_tt57(plan):
        if issue is None or issue.plan_id != plan.pk:
            raise ValidationError({"issue": "Hãy chọn vấn đề ưu tiên mà hành động này giải quyết."})
        return {"issue": issue, "criterion": issue.criterion, "level4_item": None}
    if (criterion is None) == (level4_item is None):
        raise ValidationError({"criterion": "Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4."})
    if criterion is not None:
        return {"criterion": check_criterion(plan, criterion), "level4_item": None, "issue": None}
    if not isinstance(level4_item, Level4Item) or level4_item.version_id != plan.cycle.framework_id:
        raise ValidationError({"level4_item": "Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá."})
    return {"criterion": None, "level4_item": level4_item, "issue": None}


@transaction.atomic
def line_create(
    *,
    actor,
    plan: ImprovementPlan,
    criterion=None,
    level4_item=None,
    issue=None,
    carried_from=None,
    reason: str = "",
    **values,
) -> PlanLine:
    """A new line. On an issued plan a new line is an adjustment too: it needs a reason (a carried-over line has one)."""
    plan = lock_plan(plan)
    reason = "Chuyển tiếp từ kế hoạch năm trước" if carried_from else _adjustment_reason(plan, reason)
    subject = _line_subject(plan, criterion, level4_item, issue)
    clean = _line_values(plan, values)
    position = (plan.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = PlanLine(
        plan=plan, position=position, updated_by=user_or_none(actor), carried_from=carried_from, **subject, **clean
    )
    line._change_reason = reason
    line.save()
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINE_ADDED,
        obj=line,
        plan=plan,
        data={**line_data(line), "reason": reason},
    )
    return line


class LineConflict(Exception):
    """A change based on an older state of the line: someone else saved it in between. Carries the line as it is
    now, the fields where the refused change differs from it, and the refused (cleaned) values."""

    def __init__(self, current: PlanLine, fields: list[str], mine: dict):
        super().__init__("line changed since it was opened")
        self.current = current
        self.fields = fields
        self.mine = mine


@transaction.atomic
def line_update(
    *,
    actor,
    line: PlanLine,
    reason: str = "",
    criterion=None,
    level4_item=None,
    issue=None,
    base_updated_at=None,
    **values,
) -> PlanLine:
    """Change a line. On an issued plan this is an adjustment: the reason is required and kept in the history.

    `base_updated_at` is the line's `updated_at` when the editor opened it (optimistic locking): if the line was
    saved since, the change is refused with LineConflict instead of overwriting the other person's values. The check
    runs under the plan's row lock, so two changes based on the same state cannot both pass. None skips the check.
    """
    plan = lock_plan(line.plan)
    line = PlanLine.objects.select_for_update().get(pk=line.pk)
    reason = _adjustment_reason(plan, reason)
    subject = _line_subject(plan, criterion, level4_item, issue)
    clean = _line_values(plan, values)
    changed = sorted(name for name, value in {**subject, **clean}.items() if getattr(line, name) != value)
    if not changed:
        return line  # what was sent is what is stored: nothing to lose, whoever saved it
    if base_updated_at is not None and line.updated_at != base_updated_at:
        raise LineConflict(line, changed, {**subject, **clean})
    for name, value in {**subject, **clean}.items():
        setattr(line, name, value)
    line.updated_by = user_or_none(actor)
    line._change_reason = reason
    line.save()
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINE_ADJUSTED if plan.is_issued else Event.IMPROVEMENT_LINE_UPDATED,
        obj=line,
        plan=plan,
        data={**line_data(line), "changed": changed, "reason": reason},
    )
    return line


@transaction.atomic
def line_delete(*, actor, line: PlanLine) -> None:
    plan = lock_plan(line.plan)
    if line.reviews.exists():
        raise ValidationError(
            "Dòng này đã có kết quả giám sát nên không xóa được; hãy điều chỉnh dòng (trạng thái “Điều chỉnh”)."
        )
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã ban hành: không xóa dòng, hãy điều chỉnh dòng và ghi lý do.")
    record(actor=actor, event_type=Event.IMPROVEMENT_LINE_DELETED, obj=line, plan=plan, data=line_data(line))
    line.delete()
