"""Writes of an authority's plans. Keyword-only, one transaction, one audit event each."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, nfc
from kiemdinh.evidence.files import check_upload
from kiemdinh.planning.models import (
    AnnualPlan,
    DeadlineKind,
    GoalMeasure,
    GoalMetric,
    GoalScope,
    PlanGoal,
    PlanReport,
    PlanSection,
    PlanStatus,
    PlanTarget,
    PlanTask,
    ReportKind,
    SuggestionDismissal,
    TaskStatus,
    TaskUpdate,
)
from kiemdinh.planning.periods import PeriodError, normalise_period, parse_deadline, period_bounds
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.models import SchoolType


def _record(actor, event_type: Event, plan: AnnualPlan, obj=None, **data):
    audit.record(actor=actor, event_type=event_type, obj=obj or plan, unit=plan.unit, data=data)


def _next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def _lock(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)


# --- The plan ------------------------------------------------------------------------------------------------------


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
    _record(actor, Event.PLAN_CREATED, plan, number=plan.number, period=plan.period)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: AnnualPlan, data: PlanInput) -> AnnualPlan:
    plan = _lock(plan)
    values = _plan_values(plan.unit, data)
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    _record(actor, Event.PLAN_UPDATED, plan, changed=changed)
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
    plan = _lock(plan)
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã được ban hành.")
    problems = issue_problems(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.ISSUED
    plan.save(update_fields=["status", "updated_at"])
    _record(actor, Event.PLAN_ISSUED, plan)
    return plan


@transaction.atomic
def plan_reopen(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    plan = _lock(plan)
    reason = clean(reason)
    if not plan.is_issued:
        raise ValidationError("Kế hoạch chưa ban hành.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do điều chỉnh kế hoạch đã ban hành."})
    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _record(actor, Event.PLAN_REOPENED, plan, reason=reason)
    return plan


@transaction.atomic
def section_save(
    *, actor, plan: AnnualPlan, heading: str, body: str, section: PlanSection | None = None
) -> PlanSection:
    heading = clean(heading)
    if not heading:
        raise ValidationError({"heading": "Hãy ghi tiêu đề của mục."})
    if section is None:
        section = PlanSection(plan=plan, position=_next_position(plan.sections))
    elif section.plan_id != plan.pk:
        raise ValidationError("Mục này không thuộc kế hoạch.")
    section.heading = heading
    section.body = nfc(body or "").strip("\n")
    section.save()
    _record(actor, Event.PLAN_SECTION_SAVED, plan, obj=section, heading=heading)
    return section


@transaction.atomic
def section_delete(*, actor, section: PlanSection) -> None:
    plan = section.plan
    _record(actor, Event.PLAN_SECTION_DELETED, plan, heading=section.heading, body=section.body)
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
    _record(actor, Event.PLAN_SECTION_MOVED, section.plan, obj=section, offset=offset)


# --- Target schools ------------------------------------------------------------------------------------------------


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
    if not school.unit.path.startswith(plan.unit.path):
        raise ValidationError({"school": f"{school.name} không thuộc {plan.unit.name}."})
    if plan.targets.filter(school=school).exists():
        raise ValidationError({"school": f"{school.name} đã có trong danh sách của kế hoạch."})


@transaction.atomic
def target_add(*, actor, plan: AnnualPlan, school, data: TargetInput) -> PlanTarget:
    plan = _lock(plan)
    _check_school(plan, school)
    values = _target_values(data)
    target = PlanTarget.objects.create(plan=plan, school=school, position=_next_position(plan.targets), **values)
    SuggestionDismissal.objects.filter(plan=plan, school=school).delete()
    _record(actor, Event.PLAN_TARGET_ADDED, plan, obj=target, school=school.code, target=target.target_label)
    return target


@transaction.atomic
def targets_accept(*, actor, plan: AnnualPlan, proposals: list[tuple]) -> list[PlanTarget]:
    """Accept several suggestions at once: (school, TargetInput) pairs, listed in the order given."""
    plan = _lock(plan)
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
    position = _next_position(plan.targets)
    created = []
    for offset, (school, data) in enumerate(proposals):
        created.append(
            PlanTarget.objects.create(plan=plan, school=school, position=position + offset, **_target_values(data))
        )
    SuggestionDismissal.objects.filter(plan=plan, school__in=[s for s, _ in proposals]).delete()
    _record(actor, Event.PLAN_SUGGESTIONS_ACCEPTED, plan, schools=[s.code for s, _ in proposals])
    return created


@transaction.atomic
def target_update(*, actor, target: PlanTarget, data: TargetInput) -> PlanTarget:
    values = _target_values(data)
    before = target.target_label
    for name, value in values.items():
        setattr(target, name, value)
    target.save()
    _record(actor, Event.PLAN_TARGET_UPDATED, target.plan, obj=target, before=before, after=target.target_label)
    return target


@transaction.atomic
def target_remove(*, actor, target: PlanTarget) -> None:
    plan = target.plan
    _record(actor, Event.PLAN_TARGET_REMOVED, plan, school=target.school.code, target=target.target_label)
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
    _record(actor, Event.PLAN_TARGET_MOVED, target.plan, obj=target, offset=offset)


@transaction.atomic
def suggestion_dismiss(*, actor, plan: AnnualPlan, school, reason: str) -> SuggestionDismissal:
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do không đưa trường vào kế hoạch."})
    if not school.unit.path.startswith(plan.unit.path):
        raise ValidationError(f"{school.name} không thuộc {plan.unit.name}.")
    dismissal, _ = SuggestionDismissal.objects.update_or_create(
        plan=plan,
        school=school,
        defaults={"reason": reason, "dismissed_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    _record(actor, Event.PLAN_SUGGESTION_DISMISSED, plan, obj=dismissal, school=school.code, reason=reason)
    return dismissal


@transaction.atomic
def suggestion_restore(*, actor, dismissal: SuggestionDismissal) -> None:
    plan = dismissal.plan
    _record(actor, Event.PLAN_SUGGESTION_RESTORED, plan, school=dismissal.school.code, reason=dismissal.reason)
    dismissal.delete()


# --- Targets (chỉ tiêu) --------------------------------------------------------------------------------------------


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
        goal = PlanGoal(plan=plan, position=_next_position(plan.goals))
    for name, value in values.items():
        setattr(goal, name, value)
    goal.save()
    _record(actor, Event.PLAN_GOAL_SAVED, plan, obj=goal, text=goal.text)
    return goal


@transaction.atomic
def goal_delete(*, actor, goal: PlanGoal) -> None:
    _record(actor, Event.PLAN_GOAL_DELETED, goal.plan, text=goal.text)
    goal.delete()


# --- Agency tasks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskInput:
    agency: str
    content: str
    lead_official: str = ""
    cooperating: str = ""
    deadline: str = ""  # "20/01/2024", "tháng 12/2023", "quý II năm 2024"
    school: object = None


def _task_values(plan: AnnualPlan, data: TaskInput) -> dict:
    errors = {}
    agency, content = clean(data.agency), clean(data.content)
    if not agency:
        errors["agency"] = "Hãy ghi cơ quan, đơn vị thực hiện."
    if not content:
        errors["content"] = "Hãy ghi nội dung nhiệm vụ."
    kind, due_on = "", None
    try:
        kind, due_on = parse_deadline(nfc(data.deadline or ""))
    except PeriodError as exc:
        errors["deadline"] = str(exc)
    if data.school is not None and not data.school.unit.path.startswith(plan.unit.path):
        errors["school"] = f"{data.school.name} không thuộc {plan.unit.name}."
    if errors:
        raise ValidationError(errors)
    return {
        "agency": agency,
        "content": content,
        "lead_official": clean(data.lead_official),
        "cooperating": clean(data.cooperating),
        "deadline_kind": kind or DeadlineKind.NONE,
        "due_on": due_on,
        "school": data.school,
    }


@transaction.atomic
def task_save(*, actor, plan: AnnualPlan, data: TaskInput, task: PlanTask | None = None) -> PlanTask:
    values = _task_values(plan, data)
    if task is None:
        task = PlanTask(plan=plan, position=_next_position(plan.tasks))
    for name, value in values.items():
        setattr(task, name, value)
    task.save()
    _record(actor, Event.PLAN_TASK_SAVED, plan, obj=task, agency=task.agency, deadline=task.deadline_label)
    return task


@transaction.atomic
def task_delete(*, actor, task: PlanTask) -> None:
    if task.updates.exists():
        raise ValidationError("Nhiệm vụ đã có cập nhật tiến độ nên không xóa được; hãy ghi trạng thái thay vì xóa.")
    _record(actor, Event.PLAN_TASK_DELETED, task.plan, agency=task.agency, content=task.content)
    task.delete()


@transaction.atomic
def task_report(*, actor, task: PlanTask, status: str, note: str, upload=None) -> TaskUpdate:
    """Record progress on a task: the new status, what was done, optionally a document as evidence."""
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    note = clean(note)
    errors = {}
    if status not in TaskStatus.values:
        errors["status"] = "Hãy chọn trạng thái."
    if not note:
        errors["note"] = "Hãy ghi kết quả, tiến độ hoặc khó khăn."
    checked = None
    if upload is not None:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            errors["file"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    update = TaskUpdate(task=task, status=status, note=note, author=actor if actor.is_authenticated else None)
    if checked is not None:
        update.file_name = checked.original_name
        upload.seek(0)
        update.file.save(checked.stored_name, upload, save=False)
    update.save()
    task.status = status
    task.completed_on = timezone.localdate() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_on"])
    _record(actor, Event.PLAN_TASK_REPORTED, task.plan, obj=task, status=status)
    return update


# --- Reports -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    kind: str
    reported_on: date | None
    title: str
    body: str
    number: str = ""
    period_label: str = ""
    recipients: str = ""


@transaction.atomic
def report_save(*, actor, plan: AnnualPlan, data: ReportInput, report: PlanReport | None = None) -> PlanReport:
    errors = {}
    if data.kind not in ReportKind.values:
        errors["kind"] = "Hãy chọn loại báo cáo."
    if data.reported_on is None:
        errors["reported_on"] = "Hãy ghi ngày báo cáo."
    if not clean(data.title):
        errors["title"] = "Hãy ghi trích yếu của báo cáo."
    if not clean(data.body):
        errors["body"] = "Báo cáo chưa có nội dung."
    if errors:
        raise ValidationError(errors)
    if report is None:
        report = PlanReport(plan=plan, created_by=actor if actor.is_authenticated else None)
    report.kind = data.kind
    report.reported_on = data.reported_on
    report.title = clean(data.title)
    report.body = nfc(data.body).strip()
    report.number = clean(data.number)
    report.period_label = clean(data.period_label)
    report.recipients = clean(data.recipients)
    report.save()
    _record(actor, Event.PLAN_REPORT_SAVED, plan, obj=report, kind=report.kind, title=report.title)
    return report


@transaction.atomic
def report_delete(*, actor, report: PlanReport) -> None:
    _record(actor, Event.PLAN_REPORT_DELETED, report.plan, title=report.title, body=report.body)
    report.delete()
