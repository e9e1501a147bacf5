"""What the previous year's plan gives this cycle, from the plan page: its unfinished lines carried over, a finished
line's result taken as evidence of a criterion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement import services as svc
from kiemdinh.improvement.access import access_plan
from kiemdinh.improvement.models import PlanLine
from kiemdinh.improvement.views.common import to_plan


@login_required
@require_POST
def carry_over(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle, plan = access_plan(request.user, cycle_id, manage=True)
    source = sel.previous_plan(cycle)
    if source is None:
        messages.error(request, "Không có kế hoạch cải tiến của năm học trước.")
        return to_plan(cycle)
    plan = plan or svc.plan_create(actor=request.user, cycle=cycle)  # only once there is something to carry
    try:
        report = svc.lines_carry_over(actor=request.user, plan=plan, source=source)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return to_plan(cycle)
    skipped = " Không chuyển được: " + "; ".join(report.skipped) + "." if report.skipped else ""
    if report.carried:
        year = source.cycle.school_year
        messages.success(
            request, f"Đã chuyển tiếp {len(report.carried)} dòng chưa hoàn thành từ kế hoạch năm học {year}.{skipped}"
        )
    else:
        messages.warning(request, f"Không có dòng nào được chuyển tiếp.{skipped}")
    return to_plan(cycle, "noi-dung")


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
        return to_plan(cycle, "nam-truoc")
    try:
        link = svc.line_result_to_evidence(actor=request.user, cycle=cycle, line=line, criterion=criterion)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"Đã thêm minh chứng {link.code} cho tiêu chí {criterion.code}.")
    return to_plan(cycle, "nam-truoc")
