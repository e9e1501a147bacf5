"""What the writes of the improvement plan share: the fields of the plan and of its lines with their length limits,
the audit record of a change, the plan's row lock, and the cleaning of texts, tasks, months and costs. The
constants and the cleaning functions were public before the split and are re-exported by the package; the
helpers that were private (record, clean_text, user_or_none, lock_plan, check_criterion, line_data) are not."""

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement.models import ImprovementPlan, PlanLine

LINE_TEXT_FIELDS = (
    "content",
    "target",
    "result_indicator",
    "expected_evidence",
    "lead",
    "collaborators",
    "time_text",
    "funding",
    "support",
    "notes",
)
LINE_FIELDS = (*LINE_TEXT_FIELDS, "tasks", "starts_on", "due_on", "continues", "cost_million")
PLAN_TEXT_FIELDS = (
    "number",
    "place",
    "purpose",
    "bases",
    "organisation",
    "recipients",
    "signer_title",
    "signer_name",
    "report_number",
)
MAX_LENGTHS = {
    "lead": 300,
    "collaborators": 500,
    "time_text": 300,
    "funding": 300,
    "number": 60,
    "place": 120,
    "signer_title": 120,
    "signer_name": 200,
    "report_number": 60,
}
LABELS = {
    "lead": "Chủ trì",
    "collaborators": "Phối hợp",
    "time_text": "Thời gian ghi trong kế hoạch",
    "funding": "Nguồn kinh phí",
    "number": "Số kế hoạch",
    "place": "Địa danh",
    "signer_title": "Chức danh người ký",
    "signer_name": "Người ký",
    "report_number": "Số báo cáo giám sát",
}


def record(*, actor, event_type: Event, obj, plan: ImprovementPlan, data: dict) -> None:
    school = plan.cycle.school
    audit.record(actor=actor, event_type=event_type, obj=obj, unit=school.unit, school=school, data=data)


def clean_text(value, name: str) -> str:
    text = clean(str(value or ""))
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValidationError({name: f"{LABELS.get(name, name)} dài quá {limit} ký tự."})
    return text


def user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def lock_plan(plan: ImprovementPlan) -> ImprovementPlan:
    return (
        ImprovementPlan.objects.select_for_update()
        .select_related("cycle__school__unit", "cycle__framework")
        .get(pk=plan.pk)
    )


def month_start(value: date) -> date:
    return value.replace(day=1)


def month_end(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def clean_tasks(value) -> list[str]:
    """Tasks from a list or from text with one task per line; leading "- " bullets dropped."""
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    tasks = []
    for item in items:
        text = clean(str(item))
        if text.startswith(("- ", "– ", "+ ")) or text in ("-", "–", "+"):  # a bullet left empty is no task
            text = text[2:].strip()
        if text:
            tasks.append(text)
    return tasks


def clean_cost(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"cost_million": "Kinh phí phải là một số (triệu đồng), ví dụ 12,5."}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"cost_million": "Kinh phí không được âm."})
    if amount >= Decimal("100000000000"):
        raise ValidationError({"cost_million": "Kinh phí quá lớn."})
    return amount.quantize(Decimal("0.1"))


def time_label(line: PlanLine) -> str:
    """The "Thời gian thực hiện và hoàn thành" cell (see PlanLine.time_label)."""
    return line.time_label


def cost_label(line: PlanLine) -> str:
    """The "Dự kiến kinh phí (triệu đồng)" cell (see PlanLine.cost_label)."""
    return line.cost_label


def is_tt57(plan: ImprovementPlan) -> bool:
    return plan.cycle.framework.regime == Regime.TT57


def check_criterion(plan: ImprovementPlan, criterion) -> Criterion:
    if criterion is None or not isinstance(criterion, Criterion) or criterion.version_id != plan.cycle.framework_id:
        raise ValidationError({"criterion": "Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá."})
    return criterion


def line_data(line: PlanLine) -> dict:
    return {
        "subject": line.subject_label,
        "target": line.target[:200],
    }
