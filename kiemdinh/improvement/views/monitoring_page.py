"""The monitoring page (giám sát) and its forms: the monitoring team, the schedule of reviews, and recording a review
(each line's status, progress, adjustment and evidence, by code from the cycle's register or as uploaded files)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.accounts import services as account_services
from kiemdinh.accounts.models import Role
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement import services as svc
from kiemdinh.improvement.access import access_plan
from kiemdinh.improvement.forms import MonitorForm, ReviewForm, ReviewScheduleForm
from kiemdinh.improvement.models import LineStatus, Review
from kiemdinh.improvement.views.common import base_context, need_plan, overdue_line_ids, to_plan

MONITORING = "improvement/monitoring.html"
REVIEW = "improvement/review_form.html"


def _to_monitoring(cycle, anchor: str = ""):
    response = redirect("improvement:monitoring", cycle_id=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- the monitoring page and team -----------------------------------------------------------------------------------


@login_required
def monitoring(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    context = base_context(request, cycle, plan)
    if plan is None:
        return to_plan(cycle)
    table = sel.plan_table(plan)
    context.update(
        table=table,
        state=sel.monitoring_state(plan, table),
        members=list(plan.monitors.select_related("user")),
        monitor_form=MonitorForm(cycle=cycle),
        schedule_form=ReviewScheduleForm(),
        overdue_ids=overdue_line_ids(table.lines, context["today"]),
    )
    return render(request, MONITORING, context)


@login_required
@require_POST
def monitor_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = need_plan(plan)
    form = MonitorForm(request.POST, cycle=cycle)
    if form.is_valid():
        data = form.cleaned_data
        username, email = data.pop("new_username"), data.pop("new_email")
        try:
            with transaction.atomic():
                if username:
                    data["user"] = account_services.school_person_account_create(
                        actor=request.user,
                        school=cycle.school,
                        full_name=data["full_name"],
                        username=username,
                        email=email,
                        role=Role.STAFF,
                    )
                member = svc.monitor_add(actor=request.user, plan=plan, **data)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            invited = ""
            if username:
                site = request.build_absolute_uri("/")
                invited = " " + account_services.invitation_deliver(
                    actor=request.user, user=data["user"], site_url=site
                )
            messages.success(request, f"Đã thêm {member.full_name} vào tổ giám sát.{invited}")
    else:
        messages.error(request, " ".join(form_messages(form)))
    return _to_monitoring(cycle, "to-giam-sat")


@login_required
@require_POST
def monitor_remove(request: HttpRequest, cycle_id: int, member_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    member = get_object_or_404(need_plan(plan).monitors, pk=member_id)
    svc.monitor_remove(actor=request.user, member=member)
    messages.success(request, f"Đã bỏ {member.full_name} khỏi tổ giám sát.")
    return _to_monitoring(cycle, "to-giam-sat")


# --- reviews --------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def review_schedule(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = need_plan(plan)
    preset = request.POST.get("preset")
    try:
        if preset:
            created = svc.review_schedule_preset(actor=request.user, plan=plan, preset=preset)
            messages.success(
                request,
                f"Đã thêm {len(created)} đợt rà soát theo lịch mẫu."
                if created
                else "Lịch đã có đủ các đợt của lịch mẫu.",
            )
        else:
            form = ReviewScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(form_messages(form)))
                return _to_monitoring(cycle, "lich")
            review = svc.review_schedule(actor=request.user, plan=plan, **form.cleaned_data)
            messages.success(request, f"Đã đặt lịch “{review.title}”.")
    except ValidationError as e:
        messages.error(request, error_text(e))
    return _to_monitoring(cycle, "lich")


@login_required
@require_POST
def review_delete(request: HttpRequest, cycle_id: int, review_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    review = get_object_or_404(Review, pk=review_id, plan=need_plan(plan))
    try:
        svc.review_delete(actor=request.user, review=review)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"Đã xóa đợt “{review.title}”.")
    return _to_monitoring(cycle, "lich")


def _review_initial(review: Review, lines) -> dict:
    initial = {"held_on": review.held_on or timezone.localdate(), "summary": review.summary}
    entries = {e.line_id: e for e in review.entries.prefetch_related("evidence")}
    codes = {}
    for line in lines:
        p = f"l{line.pk}_"
        entry = entries.get(line.pk)
        initial[p + "status"] = entry.status if entry else line.status
        if entry:
            initial[p + "progress"] = entry.progress
            initial[p + "adjustment"] = entry.adjustment
            codes[line.pk] = [e.pk for e in entry.evidence.all()]
    if codes:
        by_evidence = dict(
            CycleEvidence.objects.filter(
                cycle=review.plan.cycle, evidence_id__in=[i for ids in codes.values() for i in ids]
            ).values_list("evidence_id", "code")
        )
        for line_id, ids in codes.items():
            initial[f"l{line_id}_codes"] = "; ".join(by_evidence[i] for i in ids if i in by_evidence)
    return initial


def _entries_from(form: ReviewForm, request, cycle, review: Review) -> dict:
    """EntryInput per line; evidence codes resolved against the cycle's register (unknown codes are form errors).
    Evidence already linked that has no code in the cycle (files uploaded at a review) is kept."""
    known = dict(CycleEvidence.objects.filter(cycle=cycle).values_list("code", "evidence_id"))
    kept = {}
    for entry in review.entries.prefetch_related("evidence"):
        coded = set(known.values())
        kept[entry.line_id] = [e.pk for e in entry.evidence.all() if e.pk not in coded]
    entries = {}
    for line in form.lines:
        p = f"l{line.pk}_"
        text = form.cleaned_data.get(p + "codes") or ""
        codes = find_codes(text)
        unknown = [c for c in codes if c not in known]
        if unknown or (text.strip() and not codes):
            form.add_error(p + "codes", "Không tìm thấy mã minh chứng: " + (", ".join(unknown) or text.strip()) + ".")
            continue
        entries[line.pk] = svc.EntryInput(
            status=form.cleaned_data[p + "status"],
            progress=form.cleaned_data[p + "progress"],
            adjustment=form.cleaned_data[p + "adjustment"],
            new_due_on=form.cleaned_data.get(p + "due"),
            evidence_ids=[known[c] for c in codes] + kept.get(line.pk, []),
            files=request.FILES.getlist(p + "files"),
        )
    return entries


@login_required
def review_record(request: HttpRequest, cycle_id: int, review_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    plan = need_plan(plan)
    review = get_object_or_404(Review, pk=review_id, plan=plan)
    context = base_context(request, cycle, plan, tab="improvement")
    lines = sel.plan_table(plan).lines
    can_record = context["plan_perms"].can_monitor
    if request.method == "POST":
        if not can_record:
            access_plan(request.user, cycle_id, monitor=True)  # raises the Vietnamese PermissionDenied
        form = ReviewForm(request.POST, lines=lines)
        if form.is_valid():
            entries = _entries_from(form, request, cycle, review)
            if form.is_valid():
                try:
                    svc.review_record(
                        actor=request.user,
                        review=review,
                        held_on=form.cleaned_data["held_on"],
                        summary=form.cleaned_data["summary"],
                        entries=entries,
                    )
                except ValidationError as e:
                    errors_into(form, e)
                else:
                    messages.success(request, f"Đã ghi kết quả “{review.title}”.")
                    return _to_monitoring(cycle, f"dot-{review.pk}")
    else:
        form = ReviewForm(initial=_review_initial(review, lines), lines=lines)
    entries = {e.line_id: e for e in review.entries.select_related("line__criterion", "line__level4_item")}
    context.update(
        review=review,
        form=form,
        can_record=can_record,
        entries=entries,
        statuses=LineStatus,
        overdue_ids=overdue_line_ids(lines, context["today"]),
    )
    return render(request, REVIEW, context)
