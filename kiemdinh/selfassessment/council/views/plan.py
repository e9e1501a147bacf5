"""Screens of the self-assessment plan (Phụ lục 1): its texts, its timeline of activities, the proposed timeline of
the seven steps, and copying an earlier cycle's plan.

Each view: access → form → service → response. Plain POSTs redirect with a message; htmx requests get the updated
fragment of the page's template (django-template-partials).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.selfassessment.council import selectors, services
from kiemdinh.selfassessment.council.constants import PLAN_TEXT_FIELDS, SEVEN_STEPS
from kiemdinh.selfassessment.council.forms import CarryOverForm, PlanActivityForm, PlanForm
from kiemdinh.selfassessment.council.views._common import copy_message, is_htmx, render_page
from kiemdinh.selfassessment.models import Cycle, PlanActivity

PLAN = "selfassessment/plan.html"


def _plan_context(request: HttpRequest, cycle: Cycle, **extra) -> dict:
    perms = cycle_permissions(request.user, cycle)
    plan = selectors.assessment_plan_of(cycle)
    activities = selectors.plan_activities(cycle)
    context = {
        "cycle": cycle,
        "perms": perms,
        "tab": "plan",
        "plan": plan,
        "activities": activities,
        "steps": list(enumerate(SEVEN_STEPS, start=1)),
        "flash": "",
    }
    if perms.can_manage_now:
        initial = {name: getattr(plan, name) for name in ("number", "issued_on", *PLAN_TEXT_FIELDS)}
        context["plan_form"] = PlanForm(initial=initial)
        context["activity_form"] = PlanActivityForm()
        plan_is_empty = plan.pk is None or not any(initial.values())
        context["copy_sources"] = selectors.earlier_cycles(cycle) if plan_is_empty and not activities else []
    context.update(extra)
    return context


def _plan_done(request: HttpRequest, cycle: Cycle, message: str, fragment: str) -> HttpResponse:
    if is_htmx(request):
        return render(request, f"{PLAN}#{fragment}", _plan_context(request, cycle, flash=message))
    messages.success(request, message)
    return redirect("selfassessment:plan", cycle_id=cycle.pk)


def _plan_refused(request: HttpRequest, cycle: Cycle, error: ValidationError, fragment: str) -> HttpResponse:
    if is_htmx(request):
        context = _plan_context(request, cycle, **{f"{fragment}_error": error_text(error)})
        return render(request, f"{PLAN}#{fragment}", context)
    messages.error(request, error_text(error))
    return redirect("selfassessment:plan", cycle_id=cycle.pk)


@login_required
def plan(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(request, PLAN, _plan_context(request, cycle))


@login_required
@require_POST
def plan_save(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _plan_done(request, cycle, "Đã lưu kế hoạch tự đánh giá.", "texts")
    return render(request, f"{PLAN}#texts" if is_htmx(request) else PLAN, _plan_context(request, cycle, plan_form=form))


@login_required
@require_POST
def plan_activity_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = PlanActivityForm(request.POST)
    if form.is_valid():
        try:
            activity = services.plan_activity_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _plan_done(request, cycle, f"Đã thêm hoạt động “{activity.title}”.", "timeline")
    name = f"{PLAN}#timeline" if is_htmx(request) else PLAN
    return render(request, name, _plan_context(request, cycle, activity_form=form))


@login_required
def plan_activity_edit(request: HttpRequest, cycle_id: int, activity_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    activity = get_object_or_404(PlanActivity, pk=activity_id, cycle=cycle)
    if request.method == "POST":
        form = PlanActivityForm(request.POST, prefix="sua")
        if form.is_valid():
            try:
                services.plan_activity_update(actor=request.user, activity=activity, **form.cleaned_data)
            except ValidationError as e:
                errors_into(form, e)
            else:
                return _plan_done(request, cycle, f"Đã lưu hoạt động “{activity.title}”.", "timeline")
        name = f"{PLAN}#timeline" if is_htmx(request) else PLAN
        return render(request, name, _plan_context(request, cycle, editing_activity=activity, activity_edit_form=form))
    initial = {
        "step": activity.step,
        "title": activity.title,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "owner": activity.owner,
        "note": activity.note,
    }
    form = PlanActivityForm(prefix="sua", initial=initial)
    context = _plan_context(request, cycle, editing_activity=activity, activity_edit_form=form)
    return render_page(request, PLAN, "timeline", context)


@login_required
@require_POST
def plan_activity_delete(request: HttpRequest, cycle_id: int, activity_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    activity = get_object_or_404(PlanActivity, pk=activity_id, cycle=cycle)
    title = activity.title
    services.plan_activity_delete(actor=request.user, activity=activity)
    return _plan_done(request, cycle, f"Đã xóa hoạt động “{title}”.", "timeline")


@login_required
@require_POST
def plan_propose(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    try:
        services.plan_activities_propose(actor=request.user, cycle=cycle)
    except ValidationError as e:
        return _plan_refused(request, cycle, e, "timeline")
    return _plan_done(
        request, cycle, "Đã tạo lịch mẫu theo bảy bước tự đánh giá; hãy điền ngày và người thực hiện.", "timeline"
    )


@login_required
@require_POST
def plan_copy(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CarryOverForm(request.POST, sources=selectors.earlier_cycles(cycle))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["source"]))
        return redirect("selfassessment:plan", cycle_id=cycle.pk)
    source = form.source_cycle()
    try:
        report = services.plan_copy(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        what = (
            f"kế hoạch năm học {source.school_year} ({report.counts['activities']} hoạt động, ngày đã dời theo năm học)"
        )
        messages.success(request, copy_message(report, what))
    return redirect("selfassessment:plan", cycle_id=cycle.pk)
