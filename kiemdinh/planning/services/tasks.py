"""The agencies' tasks of a plan, and each task's progress reports (with an optional document)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean, nfc
from kiemdinh.evidence.files import check_upload
from kiemdinh.planning.models import (
    AnnualPlan,
    DeadlineKind,
    PlanTask,
    TaskStatus,
    TaskUpdate,
)
from kiemdinh.planning.periods import PeriodError, parse_deadline
from kiemdinh.planning.services.common import next_position, record
from kiemdinh.units.selectors import school_under


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
    if data.school is not None and not school_under(data.school, plan.unit, plan.dated_on):
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
        task = PlanTask(plan=plan, position=next_position(plan.tasks))
    for name, value in values.items():
        setattr(task, name, value)
    task.save()
    record(actor, Event.PLAN_TASK_SAVED, plan, obj=task, agency=task.agency, deadline=task.deadline_label)
    return task


@transaction.atomic
def task_delete(*, actor, task: PlanTask) -> None:
    if task.updates.exists():
        raise ValidationError("Nhiệm vụ đã có cập nhật tiến độ nên không xóa được; hãy ghi trạng thái thay vì xóa.")
    record(actor, Event.PLAN_TASK_DELETED, task.plan, agency=task.agency, content=task.content)
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
    record(actor, Event.PLAN_TASK_REPORTED, task.plan, obj=task, status=status)
    return update
