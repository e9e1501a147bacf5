"""A plan's reports: the list with the next periodic report due, writing one (a periodic report drafted from the
data, or an ad hoc one about difficulties), editing and deleting one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import errors_into
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import access_plan
from kiemdinh.planning.forms import ReportForm
from kiemdinh.planning.models import PlanReport, ReportKind
from kiemdinh.planning.views.common import _back, _context


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
