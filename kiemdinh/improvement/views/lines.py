"""The forms of the plan's contents: a line (proposed from the criterion form a link names, refused with both versions
shown when someone saved it meanwhile), its deletion and history; and TT57's priority issues the actions answer."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core.bounds import as_id
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.frameworks.subjects import codes_from_query
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement import services as svc
from kiemdinh.improvement.access import access_plan
from kiemdinh.improvement.forms import IssueForm, LineForm
from kiemdinh.improvement.models import PlanLine, PriorityIssue
from kiemdinh.improvement.views.common import base_context, need_plan, to_plan

LINE = "improvement/line_form.html"
ISSUE = "improvement/issue_form.html"
HISTORY = "improvement/line_history.html"


# --- lines ----------------------------------------------------------------------------------------------------------


def _proposal_initial(request, cycle, tt57: bool) -> dict:
    """Starting values from the criterion form named in the query (?tieu_chi=1.6 or ?muc4=2; TT57: ?van_de=<issue>,
    or the only issue of the plan)."""
    code, item_code = codes_from_query(request.GET)
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
    plan = need_plan(plan)
    line = _line_of(plan, line_id) if line_id else None
    context = base_context(request, cycle, plan)
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
                return to_plan(cycle, f"dong-{line.pk}")
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
    line = _line_of(need_plan(plan), line_id)
    try:
        svc.line_delete(actor=request.user, line=line)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã xóa dòng kế hoạch.")
    return to_plan(cycle, "noi-dung")


@login_required
def line_history(request: HttpRequest, cycle_id: int, line_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    line = _line_of(need_plan(plan), line_id)
    context = base_context(request, cycle, plan)
    context.update(history=sel.line_history(line), line=line, overdue=sel.is_overdue(line, context["today"]))
    return render(request, HISTORY, context)


# --- TT57 priority issues -------------------------------------------------------------------------------------------


@login_required
def issue_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _issue_form(request, cycle_id, None)


@login_required
def issue_edit(request: HttpRequest, cycle_id: int, issue_id: int) -> HttpResponse:
    return _issue_form(request, cycle_id, issue_id)


def _issue_form(request, cycle_id, issue_id):
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = need_plan(plan)
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
                return to_plan(cycle, f"van-de-{issue.pk}")
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
        code, _ = codes_from_query(request.GET)
        criterion = Criterion.objects.filter(version=cycle.framework, code=code).first() if code else None
        initial = {}
        if criterion:
            initial = {
                "criterion": str(criterion.pk),
                "limitation": sel.proposal(cycle, criterion=criterion).get("limitation", ""),
            }
        form = IssueForm(initial=initial, cycle=cycle, plan=plan)
    context = base_context(request, cycle, plan)
    context.update(form=form, issue=issue)
    return render(request, ISSUE, context)


@login_required
@require_POST
def issue_delete(request: HttpRequest, cycle_id: int, issue_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    issue = get_object_or_404(PriorityIssue, pk=issue_id, plan=need_plan(plan))
    try:
        svc.issue_delete(actor=request.user, issue=issue)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã xóa vấn đề ưu tiên.")
    return to_plan(cycle, "noi-dung")
