"""Screens of an authority's plan: the text, the list of schools (with suggestions), the targets and their live
progress, the agencies' tasks and the reports.

Each view: access → form → service → response. Every POST redirects (post/redirect/get) with a message; a refused
change re-renders the form with the service's Vietnamese errors and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.core import storage as stored_files
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.core.submits import repeatable_post
from kiemdinh.core.text import fold
from kiemdinh.evidence.files import content_type_of
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import (
    access_plan,
    can_manage_plan,
    can_manage_unit,
    can_see_task_progress,
    plans_visible,
)
from kiemdinh.planning.forms import (
    GoalForm,
    PlanForm,
    ReportForm,
    SectionForm,
    TargetForm,
    TaskForm,
    TaskReportForm,
)
from kiemdinh.planning.models import (
    PlanGoal,
    PlanKind,
    PlanReport,
    PlanSection,
    PlanTarget,
    PlanTask,
    ReportKind,
    SuggestionDismissal,
    TaskStatus,
)
from kiemdinh.units.access import access_unit, units_visible
from kiemdinh.units.models import School, SchoolType


def _context(request, plan, tab: str, **extra) -> dict:
    return {
        "plan": plan,
        "tab": tab,
        "can_manage": can_manage_plan(request.user, plan),
        "today": timezone.localdate(),
        **extra,
    }


def _back(plan, name: str = "plan_detail", anchor: str = ""):
    response = redirect(f"planning:{name}", plan_id=plan.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request, error: ValidationError, plan, name: str):
    messages.error(request, error_text(error))
    return _back(plan, name)


def _unit_schools(plan):
    return School.objects.within(plan.unit).filter(is_active=True).select_related("unit").order_by("name")


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    """Every plan the user may read: officers' own units' and those above; a school's, those above it."""
    scope = user_scope(request.user)
    plans = list(plans_visible(request.user).select_related("unit").order_by("-period", "unit__path", "-id")[:200])
    units = list(units_visible(request.user).filter(path__in=scope.unit_paths)) if scope.unit_paths else []
    return render(request, "planning/plan_index.html", {"plans": plans, "units": units})


# --- Plans of a unit -----------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    plans = list(sel.plans_for_unit(unit))
    return render(
        request,
        "planning/plan_list.html",
        {"unit": unit, "plans": plans, "can_create": can_manage_unit(request.user, unit)},
    )


@login_required
def plan_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    if not can_manage_unit(request.user, unit):
        raise PermissionDenied("Chỉ cán bộ của đơn vị được lập kế hoạch.")
    today = timezone.localdate()
    form = PlanForm(
        request.POST or None,
        initial={"kind": PlanKind.YEAR, "period": str(today.year), "issuer": unit.education_office},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.plan_create(actor=request.user, unit=unit, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lập kế hoạch. Tiếp theo: chọn trường từ danh sách đề xuất.")
            return redirect("planning:targets", plan_id=plan.pk)
    return render(request, "planning/plan_form.html", {"unit": unit, "form": form, "plan": None})


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    today = timezone.localdate()
    return render(
        request,
        "planning/plan_detail.html",
        _context(
            request,
            plan,
            "overview",
            sections=sel.numbered_sections(plan, plan.sections.all()),
            signer_lines=sel.signer_lines(plan),
            targets=sel.plan_targets_with_positions(plan, today),
            progress=sel.goals_progress(plan),
            tasks=list(plan.tasks.select_related("school")),
            issue_problems=svc.issue_problems(plan) if not plan.is_issued else [],
        ),
    )


@login_required
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_from(plan))
    if request.method == "POST" and form.is_valid():
        try:
            svc.plan_update(actor=request.user, plan=plan, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lưu thông tin kế hoạch.")
            return _back(plan)
    return render(request, "planning/plan_form.html", {"unit": plan.unit, "form": form, "plan": plan})


@login_required
@require_POST
def plan_issue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    try:
        svc.plan_issue(actor=request.user, plan=plan)
    except ValidationError as exc:
        return _refused(request, exc, plan, "plan_detail")
    messages.success(request, "Đã ban hành kế hoạch.")
    return _back(plan)


@login_required
@require_POST
def plan_reopen(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    try:
        svc.plan_reopen(actor=request.user, plan=plan, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, exc, plan, "plan_detail")
    messages.success(request, "Kế hoạch trở lại dự thảo để điều chỉnh; lý do đã được ghi lại.")
    return _back(plan)


# --- Sections ------------------------------------------------------------------------------------------------------


@login_required
def section_form(request: HttpRequest, plan_id: int, section_id: int | None = None) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    section = get_object_or_404(PlanSection, pk=section_id, plan=plan) if section_id else None
    initial = {"heading": section.heading, "body": section.body} if section else {}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.section_save(actor=request.user, plan=plan, section=section, **form.cleaned_data)
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã lưu mục “{saved.heading}”.")
            return _back(plan, anchor=f"muc-{saved.pk}")
    return render(
        request, "planning/section_form.html", _context(request, plan, "overview", form=form, section=section)
    )


@login_required
@require_POST
def section_delete(request: HttpRequest, plan_id: int, section_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    section = get_object_or_404(PlanSection, pk=section_id, plan=plan)
    svc.section_delete(actor=request.user, section=section)
    messages.success(request, f"Đã xóa mục “{section.heading}” (nội dung được lưu trong nhật ký).")
    return _back(plan)


# Moving a row up twice is two clicks on the same button: each must happen.
@repeatable_post
@login_required
@require_POST
def section_move(request: HttpRequest, plan_id: int, section_id: int, direction: str) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    section = get_object_or_404(PlanSection, pk=section_id, plan=plan)
    svc.section_move(actor=request.user, section=section, offset=-1 if direction == "len" else 1)
    return _back(plan, anchor=f"muc-{section.pk}")


# --- Target schools and suggestions --------------------------------------------------------------------------------


@login_required
def targets(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    today = timezone.localdate()
    manage = can_manage_plan(request.user, plan)
    form = None
    search = " ".join(request.GET.get("tim", "").split())[:100]
    picker = None
    if manage:
        candidates = _unit_schools(plan).exclude(plan_targets__plan=plan)
        picker = _school_picker(candidates, search)
        form = TargetForm(request.POST or None, schools=candidates, shown=picker["shown"])
        if request.method == "POST" and form.is_valid():
            try:
                svc.target_add(actor=request.user, plan=plan, school=form.cleaned_data["school"], data=form.to_input())
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, f"Đã thêm {form.cleaned_data['school'].name} vào danh sách.")
                return _back(plan, "targets")
    elif request.method == "POST":
        raise PermissionDenied("Chỉ cán bộ của đơn vị ban hành được sửa danh sách.")
    open_, dismissed = sel.suggestions(plan) if manage else ([], [])
    dismissals = {d.school_id: d for d in plan.dismissals.all()} if manage else {}
    return render(
        request,
        "planning/targets.html",
        _context(
            request,
            plan,
            "targets",
            rows=sel.plan_targets_with_positions(plan, today),
            form=form,
            picker=picker,
            suggestions=Paginator(open_, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("trang")),
            dismissed=[(s, dismissals.get(s.school.pk)) for s in dismissed],
        ),
    )


# A province has over a thousand schools: a drop-down of all of them is unusable and slow to build, so above this
# many the page asks for part of the name or code first.
PICKER_LIMIT = 200
SUGGESTIONS_PER_PAGE = 100


def _school_picker(candidates, search: str) -> dict:
    """The schools offered in the "add a school" drop-down: all of them when few, else those matching `search`."""
    total = candidates.count()
    if total <= PICKER_LIMIT:
        return {"total": total, "search": search, "shown": None, "needs_search": False}
    shown = []
    if search:
        shown = list(candidates.filter(search_text__contains=fold(search))[:PICKER_LIMIT])
    return {"total": total, "search": search, "shown": shown, "needs_search": True}


@login_required
@require_POST
def suggestions_accept(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    chosen = set(request.POST.getlist("school"))
    offered = {str(s.school.pk): s for s in sel.suggestions(plan)[0]}
    unknown = chosen - set(offered)
    if unknown:
        messages.error(request, "Có trường không còn trong danh sách đề xuất; hãy tải lại trang và chọn lại.")
        return _back(plan, "targets")
    proposals = [
        (
            s.school,
            svc.TargetInput(
                accreditation_grade=s.accreditation_grade,
                national_standard_level=s.national_standard_level,
                recognition_round=s.recognition_round,
                reason=s.reason,
            ),
        )
        for key, s in offered.items()
        if key in chosen
    ]
    # Listed as the seeds list them: by school level (mầm non, tiểu học, THCS…), then by name.
    type_order = {value: i for i, value in enumerate(SchoolType.values)}
    proposals.sort(key=lambda pair: (type_order[pair[0].school_type], fold(pair[0].name)))
    try:
        created = svc.targets_accept(actor=request.user, plan=plan, proposals=proposals)
    except ValidationError as exc:
        return _refused(request, exc, plan, "targets")
    messages.success(request, f"Đã đưa {len(created)} trường vào danh sách; có thể sửa mục tiêu từng trường.")
    return _back(plan, "targets")


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, plan_id: int, school_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    school = get_object_or_404(School.objects.within(plan.unit), pk=school_id)
    try:
        svc.suggestion_dismiss(actor=request.user, plan=plan, school=school, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, exc, plan, "targets")
    messages.success(request, f"Đã bỏ đề xuất {school.name}; có thể khôi phục ở cuối trang.")
    return _back(plan, "targets")


@login_required
@require_POST
def suggestion_restore(request: HttpRequest, plan_id: int, dismissal_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    dismissal = get_object_or_404(SuggestionDismissal, pk=dismissal_id, plan=plan)
    svc.suggestion_restore(actor=request.user, dismissal=dismissal)
    messages.success(request, f"{dismissal.school.name} trở lại danh sách đề xuất.")
    return _back(plan, "targets")


@login_required
def target_edit(request: HttpRequest, plan_id: int, target_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget.objects.select_related("school"), pk=target_id, plan=plan)
    form = TargetForm(request.POST or None, initial=TargetForm.initial_from(target), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            svc.target_update(actor=request.user, target=target, data=form.to_input(reason=target.reason))
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã lưu mục tiêu của {target.school.name}.")
            return _back(plan, "targets")
    return render(request, "planning/target_form.html", _context(request, plan, "targets", form=form, target=target))


@login_required
@require_POST
def target_remove(request: HttpRequest, plan_id: int, target_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget.objects.select_related("school"), pk=target_id, plan=plan)
    svc.target_remove(actor=request.user, target=target)
    messages.success(request, f"Đã bỏ {target.school.name} khỏi danh sách.")
    return _back(plan, "targets")


# Moving a row up twice is two clicks on the same button: each must happen.
@repeatable_post
@login_required
@require_POST
def target_move(request: HttpRequest, plan_id: int, target_id: int, direction: str) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget, pk=target_id, plan=plan)
    svc.target_move(actor=request.user, target=target, offset=-1 if direction == "len" else 1)
    return _back(plan, "targets")


# --- Targets (chỉ tiêu) --------------------------------------------------------------------------------------------


@login_required
def goals(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    return render(request, "planning/goals.html", _context(request, plan, "goals", progress=sel.goals_progress(plan)))


@login_required
def goal_form(request: HttpRequest, plan_id: int, goal_id: int | None = None) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    goal = get_object_or_404(PlanGoal, pk=goal_id, plan=plan) if goal_id else None
    form = GoalForm(request.POST or None, initial=GoalForm.initial_from(goal) if goal else {})
    if request.method == "POST" and form.is_valid():
        try:
            svc.goal_save(actor=request.user, plan=plan, goal=goal, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lưu chỉ tiêu; tiến độ được tính từ dữ liệu.")
            return _back(plan, "goals")
    return render(request, "planning/goal_form.html", _context(request, plan, "goals", form=form, goal=goal))


@login_required
@require_POST
def goal_delete(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    goal = get_object_or_404(PlanGoal, pk=goal_id, plan=plan)
    svc.goal_delete(actor=request.user, goal=goal)
    messages.success(request, "Đã xóa chỉ tiêu.")
    return _back(plan, "goals")


# --- Agency tasks --------------------------------------------------------------------------------------------------


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


# --- Reports -------------------------------------------------------------------------------------------------------


@login_required
def reports(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    rows = list(plan.reports.all())
    last = next((r.reported_on for r in rows if r.kind == ReportKind.PERIODIC), None)
    return render(
        request,
        "planning/reports.html",
        _context(request, plan, "reports", reports=rows, next_due=sel.next_report_due(plan, last)),
    )


@login_required
def report_form(request: HttpRequest, plan_id: int, report_id: int | None = None) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    report = get_object_or_404(PlanReport, pk=report_id, plan=plan) if report_id else None
    today = timezone.localdate()
    if report:
        initial = {
            f: getattr(report, f)
            for f in ("kind", "number", "period_label", "reported_on", "title", "body", "recipients")
        }
    elif request.GET.get("loai") == ReportKind.AD_HOC:
        initial = {
            "kind": ReportKind.AD_HOC,
            "reported_on": today,
            "title": "Khó khăn, vướng mắc khi thực hiện " + sel.plan_short_name(plan),
        }
    else:
        initial = {"kind": ReportKind.PERIODIC, "reported_on": today, **sel.report_draft(plan, today)}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.report_save(actor=request.user, plan=plan, report=report, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lưu báo cáo.")
            return redirect("planning:reports", plan_id=plan.pk) if report else _back(plan, "reports", f"bc-{saved.pk}")
    return render(request, "planning/report_form.html", _context(request, plan, "reports", form=form, report=report))


@login_required
@require_POST
def report_delete(request: HttpRequest, plan_id: int, report_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    report = get_object_or_404(PlanReport, pk=report_id, plan=plan)
    svc.report_delete(actor=request.user, report=report)
    messages.success(request, "Đã xóa báo cáo (nội dung được lưu trong nhật ký).")
    return _back(plan, "reports")
