"""Writes of the improvement plan and its monitoring. Keyword-only, one transaction, one audit event each.

The plan is the school's work after the report (step 7): it stays editable after the cycle is submitted or accepted.
Once the plan is issued (ban hành), a change of a line is an adjustment (điều chỉnh) and needs a reason, which the
line's history keeps.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import first_year, school_year_end, school_year_start
from kiemdinh.core.text import clean
from kiemdinh.evidence.models import Evidence
from kiemdinh.evidence.services import evidence_create, evidence_link_existing, evidence_record
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.improvement.models import (
    CoverageNote,
    ImprovementPlan,
    LineReview,
    LineStatus,
    MonitoringMember,
    MonitorRole,
    PlanLine,
    PlanStatus,
    PriorityIssue,
    Review,
    ReviewKind,
)
from kiemdinh.improvement.selectors import Coverage, coverage, results_summary
from kiemdinh.selfassessment.models import CouncilRole, Cycle

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


# --- helpers --------------------------------------------------------------------------------------------------------


def _record(*, actor, event_type: Event, obj, plan: ImprovementPlan, data: dict) -> None:
    school = plan.cycle.school
    audit.record(actor=actor, event_type=event_type, obj=obj, unit=school.unit, school=school, data=data)


def _clean_text(value, name: str) -> str:
    text = clean(str(value or ""))
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValidationError({name: f"{LABELS.get(name, name)} dài quá {limit} ký tự."})
    return text


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_plan(plan: ImprovementPlan) -> ImprovementPlan:
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


# --- the plan -------------------------------------------------------------------------------------------------------


def default_texts(cycle: Cycle) -> dict[str, str]:
    """Starting texts for a new plan (the user edits them); the wording follows the Thanh Chấn seed's sections."""

    year = cycle.school_year.replace("-", " - ")
    circular = cycle.framework.circular
    # 2018 plans carry the results as item 3 of their bases (the seed's layout); TT57's Biểu 2 has its own section.
    results = results_summary(cycle) if cycle.framework.regime != Regime.TT57 else []
    return {
        "purpose": (
            f"1. Xây dựng kế hoạch cải tiến chất lượng giáo dục để thực hiện trong năm học {year} nhằm đưa ra các giải "
            "pháp phát huy điểm mạnh, khắc phục điểm yếu, từng bước nâng cao chất lượng giáo dục.\n"
            "2. Kế hoạch phải cụ thể, khả thi, phù hợp với điều kiện thực tế của nhà trường và địa phương."
        ),
        "bases": "\n".join(
            [
                f"1. Báo cáo tự đánh giá năm học {cycle.school_year} của trường.",
                f"2. {circular} và các văn bản hướng dẫn hiện hành.",
                *([f"3. Kết quả tự đánh giá của nhà trường năm học {cycle.school_year}:", *results] if results else []),
            ]
        ),
        "organisation": (
            "1. Hiệu trưởng chỉ đạo, phân công thực hiện và kiểm tra, giám sát việc thực hiện kế hoạch.\n"
            "2. Tổ giám sát kế hoạch cải tiến chất lượng báo cáo định kỳ và kiến nghị dựa trên kết quả giám sát.\n"
            "3. Cán bộ, giáo viên, nhân viên thực hiện các nhiệm vụ được phân công theo đúng tiến độ."
        ),
        "recipients": "- Phòng GDĐT (để b/c);\n- Lưu VT.",
        "place": cycle.school.unit.name.split(" ", 1)[-1] if cycle.school.unit_id else "",
    }


@transaction.atomic
def plan_create(*, actor, cycle: Cycle) -> ImprovementPlan:
    """The cycle's plan with starting texts, or the existing one (one plan per cycle)."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    existing = ImprovementPlan.objects.filter(cycle=cycle).first()
    if existing:
        return existing
    principal = cycle.council_members.filter(role=CouncilRole.CHAIR).values_list("full_name", flat=True).first()
    plan = ImprovementPlan.objects.create(cycle=cycle, signer_name=principal or "", **default_texts(cycle))
    _record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_CREATED, obj=plan, plan=plan, data={"cycle": cycle.pk})
    return plan


UNCHANGED = object()  # plan_update: issued_on not given keeps the date (texts are partial too)


@transaction.atomic
def plan_update(*, actor, plan: ImprovementPlan, issued_on: date | None = UNCHANGED, **texts) -> ImprovementPlan:
    plan = _lock_plan(plan)
    unknown = set(texts) - set(PLAN_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan fields: {sorted(unknown)}")
    changed = {}
    for name, value in texts.items():
        value = _clean_text(value, name)
        if name == "signer_title" and not value:
            raise ValidationError({name: "Hãy ghi chức danh người ký, ví dụ HIỆU TRƯỞNG."})
        if getattr(plan, name) != value:
            changed[name] = value
            setattr(plan, name, value)
    if issued_on is not UNCHANGED and issued_on != plan.issued_on:
        changed["issued_on"] = issued_on.isoformat() if issued_on else None
        plan.issued_on = issued_on
    if plan.is_issued and not plan.number:
        raise ValidationError({"number": "Kế hoạch đã ban hành phải có số."})
    if plan.is_issued and not plan.issued_on:
        raise ValidationError({"issued_on": "Kế hoạch đã ban hành phải có ngày ban hành."})
    if changed:
        plan.save()
        _record(
            actor=actor,
            event_type=Event.IMPROVEMENT_PLAN_UPDATED,
            obj=plan,
            plan=plan,
            data={"changed": sorted(changed)},
        )
    return plan


def issue_problems(plan: ImprovementPlan) -> list[str]:
    """What stops the plan from being issued (ban hành)."""

    problems = []
    if not plan.number:
        problems.append("Chưa ghi số kế hoạch.")
    if not plan.issued_on:
        problems.append("Chưa ghi ngày ban hành.")
    if not plan.lines.exists():
        problems.append("Kế hoạch chưa có dòng nào.")
    uncovered = [row.label for row in coverage(plan) if row.state == Coverage.UNCOVERED]
    if uncovered:
        problems.append("Còn điểm yếu chưa có dòng kế hoạch hoặc lý do không lập: " + ", ".join(uncovered) + ".")
    return problems


@transaction.atomic
def plan_issue(*, actor, plan: ImprovementPlan) -> ImprovementPlan:
    plan = _lock_plan(plan)
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã được ban hành.")
    problems = issue_problems(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.ISSUED
    plan.issued_at = timezone.now()
    plan.issued_by = _user(actor)
    plan.save()
    _record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_ISSUED, obj=plan, plan=plan, data={"number": plan.number})
    return plan


@transaction.atomic
def plan_reopen(*, actor, plan: ImprovementPlan, reason: str) -> ImprovementPlan:
    """Back to draft (e.g. to restructure the plan); the reason is recorded."""
    plan = _lock_plan(plan)
    reason = clean(reason or "")
    if not plan.is_issued:
        raise ValidationError("Kế hoạch đang là dự thảo.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do đưa kế hoạch về dự thảo."})
    plan.status = PlanStatus.DRAFT
    plan._change_reason = reason
    plan.save()
    _record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_REOPENED, obj=plan, plan=plan, data={"reason": reason})
    return plan


# --- priority issues (TT57 Biểu 2 mục IV) ----------------------------------------------------------------------------


def _check_criterion(plan: ImprovementPlan, criterion) -> Criterion:
    if criterion is None or not isinstance(criterion, Criterion) or criterion.version_id != plan.cycle.framework_id:
        raise ValidationError({"criterion": "Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá."})
    return criterion


def _issue_values(plan, criterion, current_state, limitation, cause) -> dict:
    if not is_tt57(plan):
        raise ValidationError("Vấn đề ưu tiên (mục IV Biểu 2) chỉ dùng cho kế hoạch theo Thông tư 57/2026.")
    limitation = clean(limitation or "")
    if not limitation:
        raise ValidationError({"limitation": "Hãy ghi hạn chế cần cải tiến."})
    return {
        "criterion": _check_criterion(plan, criterion),
        "current_state": clean(current_state or ""),
        "limitation": limitation,
        "cause": clean(cause or ""),
    }


@transaction.atomic
def issue_create(
    *, actor, plan: ImprovementPlan, criterion, limitation: str, current_state="", cause=""
) -> PriorityIssue:
    plan = _lock_plan(plan)
    values = _issue_values(plan, criterion, current_state, limitation, cause)
    position = (plan.issues.aggregate(m=Max("position"))["m"] or 0) + 1
    issue = PriorityIssue.objects.create(plan=plan, position=position, **values)
    _record(
        actor=actor, event_type=Event.IMPROVEMENT_ISSUE_ADDED, obj=issue, plan=plan, data={"criterion": criterion.code}
    )
    return issue


@transaction.atomic
def issue_update(
    *, actor, issue: PriorityIssue, criterion, limitation: str, current_state="", cause="", reason=""
) -> PriorityIssue:
    plan = _lock_plan(issue.plan)
    values = _issue_values(plan, criterion, current_state, limitation, cause)
    reason = _adjustment_reason(plan, reason)
    for name, value in values.items():
        setattr(issue, name, value)
    issue._change_reason = reason
    issue.save()
    issue.lines.update(criterion=values["criterion"])
    _record(actor=actor, event_type=Event.IMPROVEMENT_ISSUE_UPDATED, obj=issue, plan=plan, data={"reason": reason})
    return issue


@transaction.atomic
def issue_delete(*, actor, issue: PriorityIssue) -> None:
    plan = _lock_plan(issue.plan)
    if issue.lines.exists():
        raise ValidationError("Vấn đề này còn hành động cải tiến; hãy xóa hoặc chuyển các hành động trước.")
    _record(
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
    clean = {name: _clean_text(values.get(name, ""), name) for name in LINE_TEXT_FIELDS}
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
        return {"criterion": _check_criterion(plan, criterion), "level4_item": None, "issue": None}
    if not isinstance(level4_item, Level4Item) or level4_item.version_id != plan.cycle.framework_id:
        raise ValidationError({"level4_item": "Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá."})
    return {"criterion": None, "level4_item": level4_item, "issue": None}


def _line_data(line: PlanLine) -> dict:
    return {
        "subject": line.subject_label,
        "target": line.target[:200],
    }


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
    plan = _lock_plan(plan)
    reason = "Chuyển tiếp từ kế hoạch năm trước" if carried_from else _adjustment_reason(plan, reason)
    subject = _line_subject(plan, criterion, level4_item, issue)
    clean = _line_values(plan, values)
    position = (plan.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = PlanLine(
        plan=plan, position=position, updated_by=_user(actor), carried_from=carried_from, **subject, **clean
    )
    line._change_reason = reason
    line.save()
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINE_ADDED,
        obj=line,
        plan=plan,
        data={**_line_data(line), "reason": reason},
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
    plan = _lock_plan(line.plan)
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
    line.updated_by = _user(actor)
    line._change_reason = reason
    line.save()
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINE_ADJUSTED if plan.is_issued else Event.IMPROVEMENT_LINE_UPDATED,
        obj=line,
        plan=plan,
        data={**_line_data(line), "changed": changed, "reason": reason},
    )
    return line


@transaction.atomic
def line_delete(*, actor, line: PlanLine) -> None:
    plan = _lock_plan(line.plan)
    if line.reviews.exists():
        raise ValidationError(
            "Dòng này đã có kết quả giám sát nên không xóa được; hãy điều chỉnh dòng (trạng thái “Điều chỉnh”)."
        )
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã ban hành: không xóa dòng, hãy điều chỉnh dòng và ghi lý do.")
    _record(actor=actor, event_type=Event.IMPROVEMENT_LINE_DELETED, obj=line, plan=plan, data=_line_data(line))
    line.delete()


# --- coverage of the weaknesses -------------------------------------------------------------------------------------


@transaction.atomic
def coverage_note_save(*, actor, plan: ImprovementPlan, reason: str, criterion=None, level4_item=None) -> CoverageNote:
    """Record why a weakness gets no line (e.g. "đã đưa vào dòng của tiêu chí 1.10")."""
    plan = _lock_plan(plan)
    reason = clean(reason or "")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do không lập dòng kế hoạch cho điểm yếu này."})
    if (criterion is None) == (level4_item is None):
        raise ValidationError("Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4.")
    if criterion is not None:
        _check_criterion(plan, criterion)
        lookup = {"criterion": criterion}
    else:
        if level4_item.version_id != plan.cycle.framework_id:
            raise ValidationError("Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá.")
        lookup = {"level4_item": level4_item}
    note, _ = CoverageNote.objects.update_or_create(
        plan=plan, **lookup, defaults={"reason": reason, "created_by": _user(actor)}
    )
    subject = criterion.code if criterion else f"Mức 4 tiêu chí {level4_item.code}"
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_COVERAGE_NOTED,
        obj=note,
        plan=plan,
        data={"subject": subject, "reason": reason},
    )
    return note


@transaction.atomic
def coverage_note_delete(*, actor, note: CoverageNote) -> None:
    plan = _lock_plan(note.plan)
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_COVERAGE_NOTE_DELETED,
        obj=note,
        plan=plan,
        data={"reason": note.reason},
    )
    note.delete()


# --- monitoring team and reviews ------------------------------------------------------------------------------------


@transaction.atomic
def monitor_add(
    *, actor, plan: ImprovementPlan, full_name: str, job_title: str = "", role: str = MonitorRole.MEMBER, user=None
) -> MonitoringMember:
    plan = _lock_plan(plan)
    full_name = clean(full_name or "") or (user.display_name if user else "")
    if not full_name:
        raise ValidationError({"full_name": "Hãy ghi họ và tên thành viên tổ giám sát."})
    if role not in MonitorRole.values:
        raise ValidationError({"role": "Nhiệm vụ không hợp lệ."})
    if role == MonitorRole.LEADER and plan.monitors.filter(role=MonitorRole.LEADER).exists():
        raise ValidationError({"role": "Tổ giám sát đã có tổ trưởng."})
    if user is not None:
        if not user_scope(user).roles_at_school(plan.cycle.school_id):
            raise ValidationError({"user": "Tài khoản này không thuộc trường."})
        if plan.monitors.filter(user=user).exists():
            raise ValidationError({"user": "Tài khoản này đã có trong tổ giám sát."})
    position = (plan.monitors.aggregate(m=Max("position"))["m"] or 0) + 1
    member = MonitoringMember.objects.create(
        plan=plan,
        full_name=full_name,
        job_title=clean(job_title or "")[:200],
        role=role,
        user=user,
        position=position,
    )
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_MONITOR_ADDED,
        obj=member,
        plan=plan,
        data={"name": full_name, "role": role},
    )
    return member


@transaction.atomic
def monitor_remove(*, actor, member: MonitoringMember) -> None:
    plan = _lock_plan(member.plan)
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_MONITOR_REMOVED,
        obj=member,
        plan=plan,
        data={"name": member.full_name},
    )
    member.delete()


def _review_date(plan: ImprovementPlan, value) -> date:
    if not isinstance(value, date):
        raise ValidationError({"scheduled_on": "Hãy chọn ngày rà soát."})
    start = school_year_start(plan.cycle.school_year)
    if not (date(start.year - 1, 1, 1) <= value <= date(start.year + 6, 12, 31)):
        raise ValidationError({"scheduled_on": "Ngày rà soát nằm quá xa năm học của kế hoạch."})
    return value


@transaction.atomic
def review_schedule(
    *, actor, plan: ImprovementPlan, scheduled_on: date, title: str = "", kind: str = ReviewKind.OTHER
) -> Review:
    plan = _lock_plan(plan)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "Loại rà soát không hợp lệ."})
    scheduled_on = _review_date(plan, scheduled_on)
    title = clean(title or "")[:200] or f"{ReviewKind(kind).label} ({scheduled_on:%m/%Y})"
    if plan.reviews.filter(scheduled_on=scheduled_on).exists():
        raise ValidationError({"scheduled_on": f"Đã có đợt rà soát ngày {scheduled_on:%d/%m/%Y}."})
    review = Review.objects.create(plan=plan, kind=kind, title=title, scheduled_on=scheduled_on)
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_REVIEW_SCHEDULED,
        obj=review,
        plan=plan,
        data={"date": scheduled_on.isoformat()},
    )
    return review


def preset_dates(plan: ImprovementPlan, preset: str) -> list[tuple[str, str, date]]:
    """(kind, title, date) of a schedule preset for the plan's school year: "monthly" (end of each month, October to
    April, plus the end of term I and of the year) or "terms" (end of term I, end of the year: TT57's minimum)."""
    first = first_year(plan.cycle.school_year)
    term_i = (ReviewKind.TERM_I, "Sơ kết cuối học kỳ I", date(first + 1, 1, 15))
    year_end = (ReviewKind.YEAR_END, "Tổng kết cuối năm học", date(first + 1, 5, 25))
    if preset == "terms":
        return [term_i, year_end]
    if preset == "monthly":
        months = [(first, m) for m in (10, 11, 12)] + [(first + 1, m) for m in (2, 3, 4)]
        monthly = [
            (ReviewKind.MONTHLY, f"Sơ kết tháng {m:02d}/{y}", date(y, m, calendar.monthrange(y, m)[1]))
            for y, m in months
        ]
        return sorted([*monthly, term_i, year_end], key=lambda row: row[2])
    raise ValidationError({"preset": "Lịch mẫu không hợp lệ."})


@transaction.atomic
def review_schedule_preset(*, actor, plan: ImprovementPlan, preset: str) -> list[Review]:
    """Add the preset's reviews that the plan does not have yet (same date or same kind for the terms)."""
    plan = _lock_plan(plan)
    have_dates = set(plan.reviews.values_list("scheduled_on", flat=True))
    have_kinds = set(
        plan.reviews.filter(kind__in=[ReviewKind.TERM_I, ReviewKind.YEAR_END]).values_list("kind", flat=True)
    )
    created = []
    for kind, title, on in preset_dates(plan, preset):
        if on in have_dates or kind in have_kinds:
            continue
        created.append(Review.objects.create(plan=plan, kind=kind, title=title, scheduled_on=on))
    if created:
        _record(
            actor=actor,
            event_type=Event.IMPROVEMENT_REVIEWS_SCHEDULED,
            obj=plan,
            plan=plan,
            data={"preset": preset, "dates": [r.scheduled_on.isoformat() for r in created]},
        )
    return created


@transaction.atomic
def review_delete(*, actor, review: Review) -> None:
    plan = _lock_plan(review.plan)
    review = Review.objects.select_for_update().get(pk=review.pk)  # the caller's copy may predate its recording
    if review.is_held:
        raise ValidationError("Đợt rà soát đã có kết quả nên không xóa được.")
    _record(
        actor=actor, event_type=Event.IMPROVEMENT_REVIEW_DELETED, obj=review, plan=plan, data={"title": review.title}
    )
    review.delete()


@dataclass
class EntryInput:
    """One line's result at a review, as the form gives it."""

    status: str
    progress: str = ""
    adjustment: str = ""
    new_due_on: date | None = None
    evidence_ids: list[int] = field(default_factory=list)
    files: list = field(default_factory=list)  # uploaded files → a new evidence item of the school


def _refresh_status(line: PlanLine) -> None:
    latest = (
        LineReview.objects.filter(line=line, review__held_on__isnull=False)
        .order_by("-review__held_on", "-review__scheduled_on", "-id")
        .first()
    )
    status = latest.status if latest else LineStatus.NOT_STARTED
    if line.status != status:
        line.status = status
        line._change_reason = f"Kết quả rà soát: {LineStatus(status).label}"
        line.save(update_fields=["status", "updated_at"])


@transaction.atomic
def review_record(*, actor, review: Review, held_on: date, summary: str, entries: dict[int, EntryInput]) -> Review:
    """Record (or correct) a review: every line's status, progress note, adjustment and evidence.

    An adjustment (status "Điều chỉnh") needs its content; a new completion month is applied to the line with the
    adjustment as the reason, so the line's history shows what changed and why. Lines not given keep their status.
    """
    plan = _lock_plan(review.plan)
    review = Review.objects.select_for_update().get(pk=review.pk)
    errors = []
    if not isinstance(held_on, date):
        raise ValidationError({"held_on": "Hãy ghi ngày thực hiện rà soát."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Ngày thực hiện rà soát không được sau hôm nay."})
    lines = {line.pk: line for line in plan.lines.select_related("criterion", "level4_item")}
    school = plan.cycle.school
    for line_id, entry in entries.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError("Dòng kế hoạch không thuộc kế hoạch này.")
        label = _line_data(line)["subject"]
        if entry.status not in LineStatus.values:
            errors.append(f"{label}: trạng thái không hợp lệ.")
        if entry.status == LineStatus.ADJUSTED and not clean(entry.adjustment):
            errors.append(f"{label}: trạng thái “Điều chỉnh” cần ghi nội dung điều chỉnh.")
        if entry.new_due_on and not clean(entry.adjustment):
            errors.append(f"{label}: đổi thời gian hoàn thành cần ghi nội dung điều chỉnh.")
        if entry.new_due_on and line.starts_on and month_end(entry.new_due_on) < line.starts_on:
            errors.append(f"{label}: tháng hoàn thành mới phải sau tháng bắt đầu.")
        if entry.evidence_ids:
            found = Evidence.objects.filter(pk__in=entry.evidence_ids, school=school).count()
            if found != len(set(entry.evidence_ids)):
                errors.append(f"{label}: minh chứng không thuộc trường.")
    if errors:
        raise ValidationError(errors)
    review.held_on = held_on
    review.summary = clean(summary or "")
    review.recorded_by = _user(actor)
    review.recorded_at = timezone.now()
    review.save()
    for line_id, entry in entries.items():
        line = lines[line_id]
        row, _ = LineReview.objects.update_or_create(
            review=review,
            line=line,
            defaults={
                "status": entry.status,
                "progress": clean(entry.progress or ""),
                "adjustment": clean(entry.adjustment or ""),
            },
        )
        evidence_ids = set(entry.evidence_ids)
        if entry.files:
            item = evidence_record(
                actor=actor,
                school=school,
                name=f"Minh chứng thực hiện kế hoạch cải tiến — {_line_data(line)['subject']} ({review.title})",
                issue_ref=f"{held_on:%d/%m/%Y}",
                issued_by=school.name,
                files=entry.files,
            )
            evidence_ids.add(item.pk)
        row.evidence.set(evidence_ids)
        if entry.new_due_on and month_end(entry.new_due_on) != line.due_on:
            line.due_on = month_end(entry.new_due_on)
            line.time_text = ""
            line._change_reason = f"Điều chỉnh tại {review.title}: {clean(entry.adjustment)}"
            line.save(update_fields=["due_on", "time_text", "updated_at"])
        _refresh_status(line)
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_REVIEW_RECORDED,
        obj=review,
        plan=plan,
        data={"title": review.title, "held_on": held_on.isoformat(), "lines": len(entries)},
    )
    return review


# --- next cycle: unfinished lines carry over, finished ones become evidence -----------------------------------------


@dataclass
class CarryReport:
    carried: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _same_subject(target: ImprovementPlan, line: PlanLine) -> dict:
    """The line's criterion (or Mức 4 item) in the target plan, by code; {} when it has none there. Only within one
    framework version: under another circular the same code is another criterion."""
    version = target.cycle.framework
    if line.criterion_id:
        criterion = Criterion.objects.filter(version=version, code=line.criterion.code).first()
        return {"criterion": criterion} if criterion else {}
    item = Level4Item.objects.filter(version=version, code=line.level4_item.code).first()
    return {"level4_item": item} if item else {}


@transaction.atomic
def lines_carry_over(*, actor, plan: ImprovementPlan, source: ImprovementPlan) -> CarryReport:
    """Copy the source plan's unfinished lines into this plan, each linked to its origin (so its reviews stay
    visible). A line already carried over is not carried again."""
    plan = _lock_plan(plan)
    if source.cycle.school_id != plan.cycle.school_id or source.cycle.school_year >= plan.cycle.school_year:
        raise ValidationError("Chỉ chuyển tiếp từ kế hoạch của một năm học trước của cùng trường.")
    report = CarryReport()
    already = set(plan.lines.filter(carried_from__isnull=False).values_list("carried_from_id", flat=True))
    tt57 = is_tt57(plan)
    other_circular = source.cycle.framework_id != plan.cycle.framework_id
    lines = source.lines.select_related("criterion", "level4_item", "issue").exclude(status=LineStatus.DONE)
    for line in lines:
        label = _line_data(line)["subject"]
        if line.pk in already:
            continue
        if other_circular:
            report.skipped.append(
                f"{label} (bộ tiêu chuẩn khác: lập lại theo tiêu chí của {plan.cycle.framework.circular})"
            )
            continue
        subject = _same_subject(plan, line)
        if not subject:
            report.skipped.append(f"{label} (không có trong bộ tiêu chuẩn mới)")
            continue
        if tt57:
            old_issue = line.issue
            issue = plan.issues.filter(criterion=subject["criterion"]).first() or issue_create(
                actor=actor,
                plan=plan,
                criterion=subject["criterion"],
                limitation=old_issue.limitation if old_issue else line.target,
                current_state=old_issue.current_state if old_issue else "",
                cause=old_issue.cause if old_issue else "",
            )
            subject = {"issue": issue}
        values = {name: getattr(line, name) for name in LINE_FIELDS}
        year_start = school_year_start(plan.cycle.school_year)
        if line.due_on and line.due_on < year_start:
            # The work goes on in the new school year: from its start to its end (the old months stay in history).
            values["due_on"] = school_year_end(plan.cycle.school_year)
            values["starts_on"] = year_start if line.starts_on and line.starts_on < year_start else line.starts_on
            values["time_text"] = ""
        line_create(actor=actor, plan=plan, carried_from=line, **subject, **values)
        report.carried.append(label)
    _record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINES_CARRIED_OVER,
        obj=plan,
        plan=plan,
        data={"from": source.pk, "carried": report.carried, "skipped": report.skipped},
    )
    return report


@transaction.atomic
def line_result_to_evidence(*, actor, cycle: Cycle, line: PlanLine, criterion: Criterion):
    """A finished action of an earlier plan becomes evidence of `criterion` in this cycle: one item recording the
    result (kept on the line, so it is offered once), plus the evidence its reviews collected, linked not copied."""

    # Re-read with a lock: a stale or concurrent copy would create the result item twice.
    line = (
        PlanLine.objects.select_for_update(of=("self",))
        .select_related("plan__cycle", "result_evidence")
        .get(pk=line.pk)
    )
    source = line.plan
    if source.cycle.school_id != cycle.school_id or source.cycle.school_year >= cycle.school_year:
        raise ValidationError("Chỉ dùng kết quả của kế hoạch một năm học trước của cùng trường.")
    if line.status != LineStatus.DONE:
        raise ValidationError("Chỉ dùng làm minh chứng những hành động đã hoàn thành.")
    last = (
        LineReview.objects.filter(line=line, review__held_on__isnull=False)
        .select_related("review")
        .order_by("-review__held_on")
        .first()
    )
    if line.result_evidence_id:
        link = evidence_link_existing(actor=actor, cycle=cycle, evidence=line.result_evidence, criterion=criterion)
    else:
        subject = _line_data(line)["subject"]
        plan_ref = f"Kế hoạch số {source.number}" if source.number else "Kế hoạch cải tiến chất lượng"
        link = evidence_create(
            actor=actor,
            cycle=cycle,
            criterion=criterion,
            name=f"Kết quả thực hiện kế hoạch cải tiến chất lượng năm học {source.cycle.school_year} — "
            f"{'Tiêu chí ' + subject if line.criterion_id else subject}: {line.target}"[:1000],
            issue_ref=f"{plan_ref}; rà soát ngày {last.review.held_on:%d/%m/%Y}" if last else plan_ref,
            issued_by=cycle.school.name,
            note=(last.progress if last else "")[:2000],
        )
        PlanLine.objects.filter(pk=line.pk).update(result_evidence=link.evidence)
    collected = Evidence.objects.filter(
        pk__in=LineReview.evidence.through.objects.filter(linereview__line=line).values("evidence_id")
    )
    for item in collected:
        evidence_link_existing(actor=actor, cycle=cycle, evidence=item, criterion=criterion)
    return link
