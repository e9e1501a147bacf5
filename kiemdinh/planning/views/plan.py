"""The plans themselves: every plan the user may read, a unit's plans, creating one, its page, editing, issuing and
reopening it, and the sections of its text (added, edited, deleted, moved)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.forms import errors_into
from kiemdinh.core.submits import repeatable_post
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import access_plan, can_manage_unit, plans_visible
from kiemdinh.planning.forms import PlanForm, SectionForm
from kiemdinh.planning.models import PlanKind, PlanSection
from kiemdinh.planning.views.common import _back, _context, _refused
from kiemdinh.units.access import access_unit, units_visible


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
