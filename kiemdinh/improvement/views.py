"""Screens of the improvement plan (kế hoạch cải tiến chất lượng) and its monitoring (giám sát).

Each view: access → form → service → response. Every POST redirects back (post/redirect/get) with a message; a
refused change re-renders the form with the service's Vietnamese errors and changes nothing.
"""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.core.bounds import as_id
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement import services as svc
from kiemdinh.improvement.access import access_plan, plan_permissions
from kiemdinh.improvement.forms import (
    CoverageNoteForm,
    IssueForm,
    LineForm,
    MonitorForm,
    PlanHeaderForm,
    ReasonForm,
    ReviewForm,
    ReviewScheduleForm,
)
from kiemdinh.improvement.models import LineStatus, PlanLine, PriorityIssue, Review
from kiemdinh.selfassessment.access import cycle_permissions

PLAN = "improvement/plan.html"
LINE = "improvement/line_form.html"
ISSUE = "improvement/issue_form.html"
HISTORY = "improvement/line_history.html"
MONITORING = "improvement/monitoring.html"
REVIEW = "improvement/review_form.html"


def _base(request, cycle, plan, tab: str = "improvement") -> dict:
    return {
        "cycle": cycle,
        "plan": plan,
        "perms": cycle_permissions(request.user, cycle),
        "plan_perms": plan_permissions(request.user, cycle, plan),
        "tab": tab,
        "tt57": cycle.framework.regime == Regime.TT57,
        "today": timezone.localdate(),
    }


def _to_plan(cycle, anchor: str = ""):
    response = redirect("improvement:plan", cycle_id=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _overdue_ids(lines, today) -> set[int]:
    # plan_table's lines come with their carried_to prefetched, which is_overdue reads.
    return {line.pk for line in lines if sel.is_overdue(line, today)}


def _need_plan(plan):
    if plan is None:
        raise Http404("Trường chưa lập kế hoạch cải tiến cho đợt này.")
    return plan


# --- the plan ---------------------------------------------------------------------------------------------------------


@login_required
def plan(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    context = _base(request, cycle, plan)
    if plan is not None:
        table = sel.plan_table(plan)
        coverage = sel.coverage(plan)
        context.update(
            table=table,
            coverage=coverage,
            coverage_by_state={s: [r for r in coverage if r.state == s] for s in sel.Coverage},
            monitoring=sel.monitoring_state(plan, table),
            overdue_ids=_overdue_ids(table.lines, context["today"]),
            issue_problems=[] if plan.is_issued else svc.issue_problems(plan),
            header_form=PlanHeaderForm(initial=_header_initial(plan)),
            note_form=CoverageNoteForm(),
        )
    context["offers"] = offers = sel.next_cycle_offers(cycle, plan)
    if offers.finished:
        context["criteria_options"] = list(
            Criterion.objects.filter(version=cycle.framework).order_by("standard__position", "position")
        )
    return render(request, PLAN, context)


def _header_initial(plan) -> dict:
    return {name: getattr(plan, name) for name in PlanHeaderForm.base_fields}


@login_required
@require_POST
def plan_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, _ = access_plan(request.user, cycle_id, manage=True)
    svc.plan_create(actor=request.user, cycle=cycle)
    messages.success(request, "Đã lập kế hoạch cải tiến. Hãy lập các dòng kế hoạch từ những điểm yếu bên dưới.")
    return _to_plan(cycle)


@login_required
@require_POST
def plan_header(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
    form = PlanHeaderForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        issued_on = data.pop("issued_on")
        try:
            svc.plan_update(actor=request.user, plan=plan, issued_on=issued_on, **data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            messages.success(request, "Đã lưu thông tin kế hoạch.")
            return _to_plan(cycle, "thong-tin")
    messages.error(
        request,
        "Chưa lưu được thông tin kế hoạch: "
        + "; ".join(
            f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip() for k, v in form.errors.items()
        ),
    )
    return _to_plan(cycle, "thong-tin")


@login_required
@require_POST
def plan_issue(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    try:
        svc.plan_issue(actor=request.user, plan=_need_plan(plan))
    except ValidationError as e:
        messages.error(request, "Chưa ban hành được: " + error_text(e))
    else:
        messages.success(
            request, "Đã ban hành kế hoạch cải tiến. Từ nay mọi thay đổi dòng kế hoạch cần ghi lý do điều chỉnh."
        )
    return _to_plan(cycle)


@login_required
@require_POST
def plan_reopen(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy ghi lý do đưa kế hoạch về dự thảo.")
        return _to_plan(cycle)
    try:
        svc.plan_reopen(actor=request.user, plan=_need_plan(plan), reason=form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Kế hoạch đã trở về dự thảo.")
    return _to_plan(cycle)


# --- lines ------------------------------------------------------------------------------------------------------------


def _proposal_initial(request, cycle, tt57: bool) -> dict:
    """Starting values from the criterion form named in the query (?tieu_chi=1.6 or ?muc4=2; TT57: ?van_de=<issue>,
    or the only issue of the plan)."""
    code = request.GET.get("tieu_chi")
    item_code = request.GET.get("muc4")
    if tt57:
        issues = PriorityIssue.objects.filter(plan__cycle=cycle).select_related("criterion")
        chosen = request.GET.get("van_de", "")
        issue = issues.filter(pk=as_id(chosen)).first() if as_id(chosen) else None
        if issue is None and len(issues) == 1:
            issue = issues[0]
        if issue is not None:
            values = sel.proposal(cycle, criterion=issue.criterion)
            return {"issue": str(issue.pk), "tasks": values.get("tasks", "")}
    criterion = Criterion.objects.filter(version=cycle.framework, code=code).first() if code else None
    item = Level4Item.objects.filter(version=cycle.framework, code=item_code).first() if item_code else None
    if criterion is None and item is None:
        return {}
    values = sel.proposal(cycle, criterion=criterion, level4_item=item)
    initial = {"target": values.get("target", ""), "tasks": values.get("tasks", "")}
    if tt57 and criterion is not None:
        issue = PriorityIssue.objects.filter(plan__cycle=cycle, criterion=criterion).first()
        if issue:
            initial["issue"] = str(issue.pk)
    elif criterion is not None:
        initial["subject"] = f"c:{criterion.pk}"
    elif item is not None:
        initial["subject"] = f"m:{item.pk}"
    return initial


def _line_of(plan, line_id: int) -> PlanLine:
    return get_object_or_404(
        PlanLine.objects.select_related("criterion", "level4_item", "issue"), pk=line_id, plan=plan
    )


@login_required
def line_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _line_form(request, cycle_id, None)


@login_required
def line_edit(request: HttpRequest, cycle_id: int, line_id: int) -> HttpResponse:
    return _line_form(request, cycle_id, line_id)


def _line_form(request: HttpRequest, cycle_id: int, line_id: int | None) -> HttpResponse:
    """Add a line (pre-filled from a criterion form when the query names one) or change one."""
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
    line = _line_of(plan, line_id) if line_id else None
    context = _base(request, cycle, plan)
    tt57 = context["tt57"]
    if request.method == "POST":
        form = LineForm(request.POST, cycle=cycle, plan=plan, tt57=tt57)
        if form.is_valid():
            values = {
                "actor": request.user,
                "reason": form.cleaned_data.get("reason", ""),
                **form.subject_kwargs(),
                **form.line_values(),
            }
            try:
                if line:
                    svc.line_update(line=line, base_updated_at=form.cleaned_data.get("base_updated_at"), **values)
                else:
                    line = svc.line_create(plan=plan, **values)
            except svc.LineConflict as conflict:
                # Someone saved the line since this page was opened: keep this user's input, show the other values,
                # and base the next save on the line as it is now (saving again then means "keep mine").
                data = request.POST.copy()
                data["base_updated_at"] = conflict.current.updated_at.isoformat()
                form = LineForm(data, cycle=cycle, plan=plan, tt57=tt57)
                form.is_valid()
                context.update(
                    form=form, line=line, conflict=conflict.current, conflict_rows=_conflict_rows(form, conflict)
                )
                return render(request, LINE, context, status=409)
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu dòng kế hoạch." if line_id else "Đã thêm dòng kế hoạch.")
                if not line_id and request.POST.get("next") == "again":
                    return redirect("improvement:line_add", cycle_id=cycle.pk)
                return _to_plan(cycle, f"dong-{line.pk}")
    elif line:
        form = LineForm(initial=LineForm.initial_for(line, tt57), cycle=cycle, plan=plan, tt57=tt57)
    else:
        if tt57 and not plan.issues.exists():
            messages.info(request, "Kế hoạch theo Thông tư 57 cần có vấn đề ưu tiên trước khi lập hành động.")
            return redirect("improvement:issue_add", cycle_id=cycle.pk)
        initial = _proposal_initial(request, cycle, tt57)
        form = LineForm(initial=initial, cycle=cycle, plan=plan, tt57=tt57)
        context["proposed"] = bool(initial.get("target") or initial.get("tasks"))
    context.update(form=form, line=line if line_id else None)
    return render(request, LINE, context)


def _line_value_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, date):
        return value.strftime("%m/%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def _conflict_rows(form, conflict) -> list[tuple[str, str, str, str]]:
    """(label, field name, the value saved by the other person, this user's value) for each field that differs."""
    rows = []
    for name in conflict.fields:
        field = form.fields.get("subject" if name in ("criterion", "level4_item") else name)
        label = field.label if field else PlanLine._meta.get_field(name).verbose_name
        theirs, mine = getattr(conflict.current, name), conflict.mine.get(name)
        rows.append((label, name, _line_value_text(theirs), _line_value_text(mine)))
    return rows


@login_required
@require_POST
def line_delete(request: HttpRequest, cycle_id: int, line_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    line = _line_of(_need_plan(plan), line_id)
    try:
        svc.line_delete(actor=request.user, line=line)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã xóa dòng kế hoạch.")
    return _to_plan(cycle, "noi-dung")


@login_required
def line_history(request: HttpRequest, cycle_id: int, line_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    line = _line_of(_need_plan(plan), line_id)
    context = _base(request, cycle, plan)
    context.update(history=sel.line_history(line), line=line, overdue=sel.is_overdue(line, context["today"]))
    return render(request, HISTORY, context)


# --- TT57 priority issues -----------------------------------------------------------------------------------------------


@login_required
def issue_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _issue_form(request, cycle_id, None)


@login_required
def issue_edit(request: HttpRequest, cycle_id: int, issue_id: int) -> HttpResponse:
    return _issue_form(request, cycle_id, issue_id)


def _issue_form(request, cycle_id, issue_id):
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
    issue = get_object_or_404(PriorityIssue, pk=issue_id, plan=plan) if issue_id else None
    if request.method == "POST":
        form = IssueForm(request.POST, cycle=cycle, plan=plan)
        if form.is_valid():
            values = {
                "criterion": form.chosen_criterion(),
                "current_state": form.cleaned_data["current_state"],
                "limitation": form.cleaned_data["limitation"],
                "cause": form.cleaned_data["cause"],
            }
            try:
                if issue:
                    svc.issue_update(
                        actor=request.user, issue=issue, reason=form.cleaned_data.get("reason", ""), **values
                    )
                else:
                    issue = svc.issue_create(actor=request.user, plan=plan, **values)
                    messages.success(request, "Đã lưu vấn đề ưu tiên. Hãy lập hành động cải tiến cho vấn đề này.")
                    response = redirect("improvement:line_add", cycle_id=cycle.pk)
                    response["Location"] += f"?van_de={issue.pk}"
                    return response
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu vấn đề ưu tiên.")
                return _to_plan(cycle, f"van-de-{issue.pk}")
    elif issue:
        form = IssueForm(
            initial={
                "criterion": str(issue.criterion_id),
                "current_state": issue.current_state,
                "limitation": issue.limitation,
                "cause": issue.cause,
            },
            cycle=cycle,
            plan=plan,
        )
    else:
        code = request.GET.get("tieu_chi")
        criterion = Criterion.objects.filter(version=cycle.framework, code=code).first() if code else None
        initial = {}
        if criterion:
            initial = {
                "criterion": str(criterion.pk),
                "limitation": sel.proposal(cycle, criterion=criterion).get("limitation", ""),
            }
        form = IssueForm(initial=initial, cycle=cycle, plan=plan)
    context = _base(request, cycle, plan)
    context.update(form=form, issue=issue)
    return render(request, ISSUE, context)


@login_required
@require_POST
def issue_delete(request: HttpRequest, cycle_id: int, issue_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    issue = get_object_or_404(PriorityIssue, pk=issue_id, plan=_need_plan(plan))
    try:
        svc.issue_delete(actor=request.user, issue=issue)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã xóa vấn đề ưu tiên.")
    return _to_plan(cycle, "noi-dung")


# --- coverage notes ----------------------------------------------------------------------------------------------------


def _subject_of(cycle, value: str) -> dict:
    kind, _, pk = (value or "").partition(":")
    if kind == "c" and as_id(pk):
        criterion = Criterion.objects.filter(pk=as_id(pk), version=cycle.framework).first()
        if criterion:
            return {"criterion": criterion}
    if kind == "m" and as_id(pk):
        item = Level4Item.objects.filter(pk=as_id(pk), version=cycle.framework).first()
        if item:
            return {"level4_item": item}
    raise Http404("Không có tiêu chí này.")


@login_required
@require_POST
def coverage_note(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
    form = CoverageNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_plan(cycle, "diem-yeu")
    try:
        svc.coverage_note_save(
            actor=request.user,
            plan=plan,
            reason=form.cleaned_data["reason"],
            **_subject_of(cycle, form.cleaned_data["subject"]),
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã ghi lý do không lập dòng kế hoạch.")
    return _to_plan(cycle, "diem-yeu")


@login_required
@require_POST
def coverage_note_delete(request: HttpRequest, cycle_id: int, note_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    note = get_object_or_404(_need_plan(plan).coverage_notes, pk=note_id)
    svc.coverage_note_delete(actor=request.user, note=note)
    messages.success(request, "Đã bỏ lý do; điểm yếu này lại cần một dòng kế hoạch hoặc lý do khác.")
    return _to_plan(cycle, "diem-yeu")


# --- the next cycle ------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def carry_over(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    source = sel.previous_plan(cycle)
    if source is None:
        messages.error(request, "Không có kế hoạch cải tiến của năm học trước.")
        return _to_plan(cycle)
    plan = plan or svc.plan_create(actor=request.user, cycle=cycle)  # only once there is something to carry
    try:
        report = svc.lines_carry_over(actor=request.user, plan=plan, source=source)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return _to_plan(cycle)
    skipped = " Không chuyển được: " + "; ".join(report.skipped) + "." if report.skipped else ""
    if report.carried:
        year = source.cycle.school_year
        messages.success(
            request, f"Đã chuyển tiếp {len(report.carried)} dòng chưa hoàn thành từ kế hoạch năm học {year}.{skipped}"
        )
    else:
        messages.warning(request, f"Không có dòng nào được chuyển tiếp.{skipped}")
    return _to_plan(cycle, "noi-dung")


@login_required
@require_POST
def result_to_evidence(request: HttpRequest, cycle_id: int, line_id: int) -> HttpResponse:
    cycle, _ = access_plan(request.user, cycle_id, manage=True)
    source = sel.previous_plan(cycle)
    line = get_object_or_404(
        PlanLine.objects.select_related("plan__cycle", "criterion", "level4_item"), pk=line_id, plan=source
    )
    criterion = Criterion.objects.filter(version=cycle.framework, pk=request.POST.get("criterion") or 0).first()
    if criterion is None:
        messages.error(request, "Hãy chọn tiêu chí mà minh chứng này phục vụ.")
        return _to_plan(cycle, "nam-truoc")
    try:
        link = svc.line_result_to_evidence(actor=request.user, cycle=cycle, line=line, criterion=criterion)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"Đã thêm minh chứng {link.code} cho tiêu chí {criterion.code}.")
    return _to_plan(cycle, "nam-truoc")


# --- monitoring ---------------------------------------------------------------------------------------------------------


def _to_monitoring(cycle, anchor: str = ""):
    response = redirect("improvement:monitoring", cycle_id=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def monitoring(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    context = _base(request, cycle, plan)
    if plan is None:
        return _to_plan(cycle)
    table = sel.plan_table(plan)
    context.update(
        table=table,
        state=sel.monitoring_state(plan, table),
        members=list(plan.monitors.select_related("user")),
        monitor_form=MonitorForm(cycle=cycle),
        schedule_form=ReviewScheduleForm(),
        overdue_ids=_overdue_ids(table.lines, context["today"]),
    )
    return render(request, MONITORING, context)


@login_required
@require_POST
def monitor_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
    form = MonitorForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            member = svc.monitor_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, f"Đã thêm {member.full_name} vào tổ giám sát.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _to_monitoring(cycle, "to-giam-sat")


@login_required
@require_POST
def monitor_remove(request: HttpRequest, cycle_id: int, member_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    member = get_object_or_404(_need_plan(plan).monitors, pk=member_id)
    svc.monitor_remove(actor=request.user, member=member)
    messages.success(request, f"Đã bỏ {member.full_name} khỏi tổ giám sát.")
    return _to_monitoring(cycle, "to-giam-sat")


@login_required
@require_POST
def review_schedule(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = _need_plan(plan)
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
                messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
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
    review = get_object_or_404(Review, pk=review_id, plan=_need_plan(plan))
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
    plan = _need_plan(plan)
    review = get_object_or_404(Review, pk=review_id, plan=plan)
    context = _base(request, cycle, plan, tab="improvement")
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
        overdue_ids=_overdue_ids(lines, context["today"]),
    )
    return render(request, REVIEW, context)
