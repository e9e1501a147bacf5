"""The agencies' tasks of a plan: the list (overdue ones marked), adding or editing one, a task's page where the
plan's officers or the school's principal report progress (with a file), downloading such a file, deleting a task."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.core import storage as stored_files
from kiemdinh.core.forms import errors_into
from kiemdinh.evidence.files import content_type_of
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import access_plan, can_manage_plan, can_see_task_progress
from kiemdinh.planning.forms import TaskForm, TaskReportForm
from kiemdinh.planning.models import PlanTask, TaskStatus
from kiemdinh.planning.views.common import _back, _context, _refused, _unit_schools


def _can_report(user, plan, task) -> bool:
    if can_manage_plan(user, plan):
        return True
    return bool(task.school_id and Role.PRINCIPAL in user_scope(user).roles_at_school(task.school_id))


@login_required
def tasks(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    rows = list(plan.tasks.select_related("school").prefetch_related("updates"))
    today = timezone.localdate()
    overdue_ids = {task.pk for task in rows if task.is_overdue(today)}
    return render(request, "planning/tasks.html", _context(request, plan, "tasks", tasks=rows, overdue_ids=overdue_ids))


@login_required
def task_form(request: HttpRequest, plan_id: int, task_id: int | None = None) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    task = get_object_or_404(PlanTask, pk=task_id, plan=plan) if task_id else None
    form = TaskForm(
        request.POST or None, initial=TaskForm.initial_from(task) if task else {}, schools=_unit_schools(plan)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.task_save(actor=request.user, plan=plan, task=task, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã lưu nhiệm vụ của {saved.agency}.")
            return _back(plan, "tasks", anchor=f"nv-{saved.pk}")
    return render(request, "planning/task_form.html", _context(request, plan, "tasks", form=form, task=task))


@login_required
def task_detail(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    task = get_object_or_404(PlanTask.objects.select_related("school__unit"), pk=task_id, plan=plan)
    can_report = _can_report(request.user, plan, task)
    show_progress = can_see_task_progress(request.user, plan, task)
    form = TaskReportForm(request.POST or None, request.FILES or None, initial={"status": task.status})
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied("Bạn không được cập nhật tiến độ nhiệm vụ này.")
        if form.is_valid():
            try:
                svc.task_report(
                    actor=request.user,
                    task=task,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, "Đã ghi tiến độ nhiệm vụ.")
                return redirect("planning:task_detail", plan_id=plan.pk, task_id=task.pk)
    return render(
        request,
        "planning/task_detail.html",
        _context(
            request,
            plan,
            "tasks",
            task=task,
            overdue=task.is_overdue(timezone.localdate()),
            updates=list(task.updates.select_related("author")) if show_progress else None,
            form=form if can_report else None,
            statuses=TaskStatus,
        ),
    )


@login_required
def task_update_file(request: HttpRequest, plan_id: int, task_id: int, update_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    task = get_object_or_404(PlanTask.objects.select_related("school__unit"), pk=task_id, plan=plan)
    if not can_see_task_progress(request.user, plan, task):
        raise Http404("Không tìm thấy tệp.")
    update = get_object_or_404(task.updates, pk=update_id)
    if not update.file:
        raise Http404("Cập nhật này không có tệp.")
    return stored_files.download(update.file, filename=update.file_name, content_type=content_type_of(update.file_name))


@login_required
@require_POST
def task_delete(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    task = get_object_or_404(PlanTask, pk=task_id, plan=plan)
    try:
        svc.task_delete(actor=request.user, task=task)
    except ValidationError as exc:
        return _refused(request, exc, plan, "tasks")
    messages.success(request, "Đã xóa nhiệm vụ.")
    return _back(plan, "tasks")
