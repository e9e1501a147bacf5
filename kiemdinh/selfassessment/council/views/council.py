"""Screens of the council (hội đồng tự đánh giá): the page with its rule check, the decision forming it, members,
working groups, the assignment of criteria, and copying an earlier cycle's council.

Each view: access → form → service → response. Plain POSTs redirect with a message; htmx requests get the updated
fragment of the page's template (django-template-partials).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.accounts import services as account_services
from kiemdinh.accounts.models import User
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.selfassessment.council import selectors, services
from kiemdinh.selfassessment.council.forms import (
    AssignmentsForm,
    CarryOverForm,
    CouncilDecisionForm,
    CouncilMemberForm,
    GroupDeleteForm,
    WorkingGroupForm,
)
from kiemdinh.selfassessment.council.views._common import copy_message, is_htmx, render_page
from kiemdinh.selfassessment.models import CouncilMember, Cycle, WorkingGroup

COUNCIL = "selfassessment/council.html"


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


def _new_account(request, cycle: Cycle, data: dict) -> User | None:
    """The account the form asks to create for the member (linked in `data["user"]`), or None."""
    username, email = data.pop("new_username", ""), data.pop("new_email", "")
    if not username:
        return None
    data["user"] = services.council_member_account_create(
        actor=request.user, cycle=cycle, full_name=data["full_name"], username=username, email=email
    )
    return data["user"]


def _invitation(request, user: User | None) -> str:
    """Deliver the new account's invitation; the sentence that says so (empty without a new account)."""
    if user is None:
        return ""
    site = request.build_absolute_uri("/")
    return " " + account_services.invitation_deliver(actor=request.user, user=user, site_url=site)


def _council_done(request: HttpRequest, cycle: Cycle, message: str) -> HttpResponse:
    if is_htmx(request):
        return render(request, f"{COUNCIL}#changed", _council_context(request, cycle, flash=message))
    messages.success(request, message)
    return redirect("selfassessment:council", cycle_id=cycle.pk)


def _council_refused(request: HttpRequest, cycle: Cycle, error: ValidationError) -> HttpResponse:
    if is_htmx(request):
        return render(request, f"{COUNCIL}#changed", _council_context(request, cycle, error=error_text(error)))
    messages.error(request, error_text(error))
    return redirect("selfassessment:council", cycle_id=cycle.pk)


def _council_invalid(request: HttpRequest, cycle: Cycle, **forms) -> HttpResponse:
    name = f"{COUNCIL}#changed" if is_htmx(request) else COUNCIL
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
            with transaction.atomic():
                created = _new_account(request, cycle, form.cleaned_data)
                member = services.council_member_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            message = f"Đã thêm {member.full_name} vào hội đồng."
            return _council_done(request, cycle, message + _invitation(request, created))
    return _council_invalid(request, cycle, member_form=form)


@login_required
def council_member_edit(request: HttpRequest, cycle_id: int, member_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    member = get_object_or_404(CouncilMember, pk=member_id, cycle=cycle)
    if request.method == "POST":
        form = CouncilMemberForm(request.POST, cycle=cycle, prefix="sua")
        if form.is_valid():
            try:
                with transaction.atomic():
                    created = _new_account(request, cycle, form.cleaned_data)
                    services.council_member_update(actor=request.user, member=member, **form.cleaned_data)
            except ValidationError as e:
                errors_into(form, e)
            else:
                message = f"Đã cập nhật thông tin của {member.full_name}."
                return _council_done(request, cycle, message + _invitation(request, created))
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
    return render_page(request, COUNCIL, "members", context)


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
    return render_page(request, COUNCIL, "groups", context)


@login_required
@require_POST
def council_group_delete(request: HttpRequest, cycle_id: int, group_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    group = get_object_or_404(WorkingGroup, pk=group_id, cycle=cycle)
    form = GroupDeleteForm(request.POST, group=group)
    if not form.is_valid():
        return _council_refused(request, cycle, ValidationError(form_messages(form)))
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
        errors = form_messages(form)
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
    return _council_done(request, cycle, copy_message(report, what))
