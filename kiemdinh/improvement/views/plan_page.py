"""The plan page (its table, the coverage of the weaknesses, the monitoring summary and what the previous plan offers)
and its forms: making the plan, its header, issuing it (ban hành) and taking it back to draft, and the reasons a
weakness gets no line (coverage notes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from kiemdinh.core.bounds import as_id
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement import services as svc
from kiemdinh.improvement.access import access_plan
from kiemdinh.improvement.forms import CoverageNoteForm, PlanHeaderForm, ReasonForm
from kiemdinh.improvement.views.common import base_context, need_plan, overdue_line_ids, to_plan

PLAN = "improvement/plan.html"


# --- the plan -------------------------------------------------------------------------------------------------------


@login_required
def plan(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id)
    context = base_context(request, cycle, plan)
    if plan is not None:
        table = sel.plan_table(plan)
        coverage = sel.coverage(plan)
        context.update(
            table=table,
            coverage=coverage,
            coverage_by_state={s: [r for r in coverage if r.state == s] for s in sel.Coverage},
            monitoring=sel.monitoring_state(plan, table),
            overdue_ids=overdue_line_ids(table.lines, context["today"]),
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
    return to_plan(cycle)


@login_required
@require_POST
def plan_header(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    plan = need_plan(plan)
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
            return to_plan(cycle, "thong-tin")
    messages.error(
        request,
        "Chưa lưu được thông tin kế hoạch: "
        + "; ".join(
            f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip() for k, v in form.errors.items()
        ),
    )
    return to_plan(cycle, "thong-tin")


@login_required
@require_POST
def plan_issue(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    try:
        svc.plan_issue(actor=request.user, plan=need_plan(plan))
    except ValidationError as e:
        messages.error(request, "Chưa ban hành được: " + error_text(e))
    else:
        messages.success(
            request, "Đã ban hành kế hoạch cải tiến. Từ nay mọi thay đổi dòng kế hoạch cần ghi lý do điều chỉnh."
        )
    return to_plan(cycle)


@login_required
@require_POST
def plan_reopen(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy ghi lý do đưa kế hoạch về dự thảo.")
        return to_plan(cycle)
    try:
        svc.plan_reopen(actor=request.user, plan=need_plan(plan), reason=form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Kế hoạch đã trở về dự thảo.")
    return to_plan(cycle)


# --- coverage notes -------------------------------------------------------------------------------------------------


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
    plan = need_plan(plan)
    form = CoverageNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form_messages(form)))
        return to_plan(cycle, "diem-yeu")
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
    return to_plan(cycle, "diem-yeu")


@login_required
@require_POST
def coverage_note_delete(request: HttpRequest, cycle_id: int, note_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    note = get_object_or_404(need_plan(plan).coverage_notes, pk=note_id)
    svc.coverage_note_delete(actor=request.user, note=note)
    messages.success(request, "Đã bỏ lý do; điểm yếu này lại cần một dòng kế hoạch hoặc lý do khác.")
    return to_plan(cycle, "diem-yeu")
