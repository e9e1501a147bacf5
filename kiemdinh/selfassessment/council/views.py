"""Screens of the council (hội đồng tự đánh giá), the plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục 2/3).

Each view: access → form → service → response. Plain POSTs redirect with a message; htmx requests get the updated
fragment of the page's template (django-template-partials).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Indicator, Level4Item
from kiemdinh.selfassessment.access import access_cycle, assigned_ids, can_edit_form, cycle_permissions
from kiemdinh.selfassessment.council import selectors, services
from kiemdinh.selfassessment.council.constants import LEVEL4_PAGE, PLAN_TEXT_FIELDS, SCOPE_TEXT_FIELDS, SEVEN_STEPS
from kiemdinh.selfassessment.council.forms import (
    AssignmentsForm,
    CarryOverForm,
    CouncilDecisionForm,
    CouncilMemberForm,
    GroupDeleteForm,
    PlanActivityForm,
    PlanForm,
    ScopeAnalysisForm,
    WorkingGroupForm,
)
from kiemdinh.selfassessment.models import CouncilMember, Cycle, PlanActivity, WorkingGroup

COUNCIL = "selfassessment/council.html"
PLAN = "selfassessment/plan.html"
WORKSHEET = "selfassessment/worksheet.html"


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _render(request: HttpRequest, template: str, fragment: str | None, context: dict) -> HttpResponse:
    """The full page, or for htmx only the named partial of it."""
    name = f"{template}#{fragment}" if fragment and _is_htmx(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _copy_message(report: services.CopyReport, what: str) -> str:
    message = f"Đã sao chép {what}."
    if report.skipped:
        message += " Không sao chép được: " + "; ".join(report.skipped) + "."
    return message


# --- Council --------------------------------------------------------------------------------------------------------


def _council_context(request: HttpRequest, cycle: Cycle, **extra) -> dict:
    perms = cycle_permissions(request.user, cycle)
    overview = selectors.council_overview(cycle)
    context = {"cycle": cycle, "perms": perms, "tab": "council", "overview": overview, "flash": "", "error": ""}
    context["decision"] = selectors.council_decision(cycle)
    if perms.can_manage_now:
        decision = context["decision"]
        context["decision_form"] = CouncilDecisionForm(
            initial={"number": decision.number, "issued_on": decision.issued_on} if decision else None
        )
        context["member_form"] = CouncilMemberForm(cycle=cycle)
        context["group_form"] = WorkingGroupForm()
        context["copy_sources"] = selectors.earlier_cycles(cycle) if overview.is_empty else []
    context.update(extra)
    return context


def _council_done(request: HttpRequest, cycle: Cycle, message: str) -> HttpResponse:
    if _is_htmx(request):
        return render(request, f"{COUNCIL}#changed", _council_context(request, cycle, flash=message))
    messages.success(request, message)
    return redirect("selfassessment:council", cycle_id=cycle.pk)


def _council_refused(request: HttpRequest, cycle: Cycle, error: ValidationError) -> HttpResponse:
    if _is_htmx(request):
        return render(request, f"{COUNCIL}#changed", _council_context(request, cycle, error=error_text(error)))
    messages.error(request, error_text(error))
    return redirect("selfassessment:council", cycle_id=cycle.pk)


def _council_invalid(request: HttpRequest, cycle: Cycle, **forms) -> HttpResponse:
    name = f"{COUNCIL}#changed" if _is_htmx(request) else COUNCIL
    return render(request, name, _council_context(request, cycle, **forms))


@login_required
def council(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(request, COUNCIL, _council_context(request, cycle))


@login_required
@require_POST
def council_decision_save(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CouncilDecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.council_decision_save(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _council_done(
                request,
                cycle,
                f"Đã lưu quyết định thành lập hội đồng số {decision.number} ngày {decision.issued_on:%d/%m/%Y}.",
            )
    return _council_invalid(request, cycle, decision_form=form)


@login_required
@require_POST
def council_member_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CouncilMemberForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            member = services.council_member_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _council_done(request, cycle, f"Đã thêm {member.full_name} vào hội đồng.")
    return _council_invalid(request, cycle, member_form=form)


@login_required
def council_member_edit(request: HttpRequest, cycle_id: int, member_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    member = get_object_or_404(CouncilMember, pk=member_id, cycle=cycle)
    if request.method == "POST":
        form = CouncilMemberForm(request.POST, cycle=cycle, prefix="sua")
        if form.is_valid():
            try:
                services.council_member_update(actor=request.user, member=member, **form.cleaned_data)
            except ValidationError as e:
                errors_into(form, e)
            else:
                return _council_done(request, cycle, f"Đã cập nhật thông tin của {member.full_name}.")
        return _council_invalid(request, cycle, editing_member=member, member_edit_form=form)
    initial = {
        "full_name": member.full_name,
        "job_title": member.job_title,
        "role": member.role,
        "user": member.user_id,
        "group": member.group_id,
    }
    form = CouncilMemberForm(cycle=cycle, prefix="sua", initial=initial)
    context = _council_context(request, cycle, editing_member=member, member_edit_form=form)
    return _render(request, COUNCIL, "members", context)


@login_required
@require_POST
def council_member_delete(request: HttpRequest, cycle_id: int, member_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    member = get_object_or_404(CouncilMember, pk=member_id, cycle=cycle)
    name = member.full_name
    try:
        unassigned = services.council_member_delete(
            actor=request.user, member=member, detach=request.POST.get("detach") == "1"
        )
    except ValidationError as e:
        return _council_refused(request, cycle, e)
    message = f"Đã xóa {name} khỏi hội đồng."
    if unassigned:
        message += f" Cần phân công lại: {', '.join(unassigned)}."
    return _council_done(request, cycle, message)


@login_required
@require_POST
def council_group_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = WorkingGroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.working_group_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _council_done(request, cycle, f"Đã thêm nhóm công tác “{group.name}”.")
    return _council_invalid(request, cycle, group_form=form)


@login_required
def council_group_edit(request: HttpRequest, cycle_id: int, group_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    group = get_object_or_404(WorkingGroup, pk=group_id, cycle=cycle)
    if request.method == "POST":
        form = WorkingGroupForm(request.POST, prefix="sua")
        if form.is_valid():
            try:
                services.working_group_update(actor=request.user, group=group, **form.cleaned_data)
            except ValidationError as e:
                errors_into(form, e)
            else:
                return _council_done(request, cycle, f"Đã lưu nhóm công tác “{group.name}”.")
        return _council_invalid(request, cycle, editing_group=group, group_edit_form=form)
    form = WorkingGroupForm(prefix="sua", initial={"name": group.name, "note": group.note})
    context = _council_context(request, cycle, editing_group=group, group_edit_form=form)
    return _render(request, COUNCIL, "groups", context)


@login_required
@require_POST
def council_group_delete(request: HttpRequest, cycle_id: int, group_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    group = get_object_or_404(WorkingGroup, pk=group_id, cycle=cycle)
    form = GroupDeleteForm(request.POST, group=group)
    if not form.is_valid():
        return _council_refused(request, cycle, ValidationError([e for errors in form.errors.values() for e in errors]))
    name = group.name
    move_to = form.cleaned_data["move_to"]
    try:
        unassigned = services.working_group_delete(
            actor=request.user, group=group, move_to=move_to, detach=form.cleaned_data["detach"]
        )
    except ValidationError as e:
        return _council_refused(request, cycle, e)
    message = f"Đã xóa nhóm công tác “{name}”."
    if move_to is not None:
        message += f" Thành viên và tiêu chí của nhóm đã chuyển sang “{move_to.name}”."
    if unassigned:
        message += f" Cần phân công lại: {', '.join(unassigned)}."
    return _council_done(request, cycle, message)


@login_required
@require_POST
def council_assignments(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = AssignmentsForm(
        request.POST,
        rows=selectors.assignment_rows(cycle),
        group_ids=WorkingGroup.objects.filter(cycle=cycle).values_list("pk", flat=True),
        member_ids=CouncilMember.objects.filter(cycle=cycle).values_list("pk", flat=True),
    )
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return _council_refused(request, cycle, ValidationError(errors))
    criteria, items = form.assignments()
    try:
        services.criterion_assignments_save(actor=request.user, cycle=cycle, criteria=criteria, level4_items=items)
    except ValidationError as e:
        return _council_refused(request, cycle, e)
    return _council_done(request, cycle, "Đã lưu phân công tiêu chí.")


@login_required
@require_POST
def council_copy(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CarryOverForm(request.POST, sources=selectors.earlier_cycles(cycle))
    if not form.is_valid():
        return _council_refused(request, cycle, ValidationError(form.errors["source"]))
    source = form.source_cycle()
    try:
        report = services.council_copy(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        return _council_refused(request, cycle, e)
    counts = report.counts
    what = (
        f"hội đồng năm học {source.school_year}: {counts['groups']} nhóm, {counts['members']} thành viên, "
        f"{counts['assignments']} phân công"
    )
    return _council_done(request, cycle, _copy_message(report, what))


# --- Plan -----------------------------------------------------------------------------------------------------------


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
    if _is_htmx(request):
        return render(request, f"{PLAN}#{fragment}", _plan_context(request, cycle, flash=message))
    messages.success(request, message)
    return redirect("selfassessment:plan", cycle_id=cycle.pk)


def _plan_refused(request: HttpRequest, cycle: Cycle, error: ValidationError, fragment: str) -> HttpResponse:
    if _is_htmx(request):
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
    return render(
        request, f"{PLAN}#texts" if _is_htmx(request) else PLAN, _plan_context(request, cycle, plan_form=form)
    )


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
    name = f"{PLAN}#timeline" if _is_htmx(request) else PLAN
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
        name = f"{PLAN}#timeline" if _is_htmx(request) else PLAN
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
    return _render(request, PLAN, "timeline", context)


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
        messages.success(request, _copy_message(report, what))
    return redirect("selfassessment:plan", cycle_id=cycle.pk)


# --- Nội hàm worksheet ----------------------------------------------------------------------------------------------


def _edit_scope(user, cycle: Cycle, perms) -> selectors.EditScope:
    if not perms.is_editable or not perms.can_contribute:
        return selectors.EditScope()
    if perms.can_manage:
        return selectors.EditScope(everything=True)
    criteria, items = assigned_ids(user, cycle)
    return selectors.EditScope(criterion_ids=criteria, item_ids=items)


def _worksheet_url(cycle: Cycle, page: str, anchor: str = "") -> str:
    url = f"{reverse('selfassessment:worksheet', args=[cycle.pk])}?tieu-chuan={page}"
    return f"{url}#{anchor}" if anchor else url


@login_required
def worksheet(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(request, WORKSHEET, _worksheet_context(request, cycle, request.GET.get("tieu-chuan", "")))


def _worksheet_context(request: HttpRequest, cycle: Cycle, page_key: str, failed_row=None) -> dict:
    perms = cycle_permissions(request.user, cycle)
    page = selectors.worksheet_page(cycle, page=page_key, edit=_edit_scope(request.user, cycle, perms))
    if failed_row is not None:  # show the refused input again, with its errors, instead of the saved row
        rows = page.level4_rows + [row for block in page.criteria for row in block.rows]
        for row in rows:
            if row.key == failed_row.key:
                row.posted, row.errors = failed_row.posted, failed_row.errors
    filled, total = selectors.worksheet_progress(cycle)
    context = {
        "cycle": cycle,
        "perms": perms,
        "tab": "worksheet",
        "page": page,
        "page_key": LEVEL4_PAGE if page.is_level4 else (page.standard.code if page.standard else ""),
        "filled": filled,
        "total": total,
    }
    if perms.can_manage_now and not filled:
        context["copy_sources"] = selectors.earlier_cycles(cycle)
    return context


def _worksheet_save(request: HttpRequest, cycle: Cycle, *, indicator=None, level4_item=None) -> HttpResponse:
    form = ScopeAnalysisForm(request.POST)
    page_key = indicator.criterion.standard.code if indicator is not None else LEVEL4_PAGE
    edit = selectors.EditScope(everything=True)  # the caller has checked the user may edit this row
    error = None
    if form.is_valid():
        try:
            services.scope_analysis_save(
                actor=request.user, cycle=cycle, indicator=indicator, level4_item=level4_item, **form.cleaned_data
            )
        except ValidationError as e:
            error = e
    else:
        error = ValidationError([e for errors in form.errors.values() for e in errors])
    row = selectors.worksheet_row(cycle, indicator=indicator, level4_item=level4_item, edit=edit)
    if error is None:
        if _is_htmx(request):
            filled, total = selectors.worksheet_progress(cycle)
            context = {"cycle": cycle, "row": row, "just_saved": True, "filled": filled, "total": total}
            return render(request, f"{WORKSHEET}#row-saved", context)
        where = f"tiêu chí {indicator.criterion.code} {row.label}" if indicator is not None else row.label
        messages.success(request, f"Đã lưu nội hàm {where}.")
        return redirect(_worksheet_url(cycle, page_key, row.key))
    row.posted = {name: request.POST.get(name, "") for name in SCOPE_TEXT_FIELDS}
    row.errors = error.messages
    if _is_htmx(request):
        return render(request, f"{WORKSHEET}#row", {"cycle": cycle, "row": row})
    return render(request, WORKSHEET, _worksheet_context(request, cycle, page_key, failed_row=row))


@login_required
@require_POST
def worksheet_indicator_save(request: HttpRequest, cycle_id: int, indicator_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    indicator = get_object_or_404(
        Indicator.objects.select_related("criterion__standard"), pk=indicator_id, criterion__version=cycle.framework_id
    )
    if not can_edit_form(request.user, cycle, criterion_id=indicator.criterion_id):
        raise PermissionDenied("Bạn chỉ sửa được phiếu nội hàm của các tiêu chí được phân công cho mình.")
    return _worksheet_save(request, cycle, indicator=indicator)


@login_required
@require_POST
def worksheet_level4_save(request: HttpRequest, cycle_id: int, item_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    item = get_object_or_404(
        Level4Item.objects.exclude(confidence=Confidence.MISSING), pk=item_id, version=cycle.framework_id
    )
    if not can_edit_form(request.user, cycle, level4_item_id=item.pk):
        raise PermissionDenied("Bạn chỉ sửa được phiếu nội hàm của các tiêu chí Mức 4 được phân công cho mình.")
    return _worksheet_save(request, cycle, level4_item=item)


@login_required
@require_POST
def worksheet_copy(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    form = CarryOverForm(request.POST, sources=selectors.earlier_cycles(cycle))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["source"]))
        return redirect("selfassessment:worksheet", cycle_id=cycle.pk)
    source = form.source_cycle()
    try:
        report = services.worksheet_copy(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        what = f"phiếu nội hàm năm học {source.school_year} ({report.counts['rows']} dòng)"
        messages.success(request, _copy_message(report, what))
    return redirect("selfassessment:worksheet", cycle_id=cycle.pk)
