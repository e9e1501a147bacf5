"""The cycles' pages: the list with the form to open one (carrying over an earlier cycle), a cycle's overview with
its seven steps and what the dossier still lacks, and its transitions (submit, return, accept, publish)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.schoolyear import current_school_year
from kiemdinh.selfassessment.access import (
    MANAGER_ROLES,
    access_cycle,
    cycle_permissions,
    cycles_visible,
)
from kiemdinh.selfassessment.models import (
    Cycle,
    CycleStatus,
)
from kiemdinh.selfassessment.selectors import (
    criteria_overview,
    cycle_evaluation,
    return_comments,
)
from kiemdinh.units.models import School
from kiemdinh.workflow import services as workflow_services
from kiemdinh.workflow.forms import CycleOpenForm, ReviewForm
from kiemdinh.workflow.selectors import readiness

# --- Cycles ---------------------------------------------------------------------------------------------------------


def _open_form(user, data=None) -> CycleOpenForm | None:
    scope = user_scope(user)
    managed = [sid for sid, roles in scope.school_roles.items() if roles & MANAGER_ROLES]
    if not managed:
        return None
    schools = School.objects.filter(pk__in=managed).order_by("name")
    cycles = Cycle.objects.filter(school__in=managed).select_related("school").order_by("school__name", "-school_year")
    return CycleOpenForm(
        data, schools=schools, cycles=cycles, initial={"school_year": current_school_year(), "school": managed[0]}
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = (
        cycles_visible(request.user)
        .select_related("school__unit", "framework")
        .order_by("-school_year", "school__name")
    )
    status = request.GET.get("trang_thai", "")
    if status in CycleStatus.values:
        cycles = cycles.filter(status=status)
    page = Paginator(cycles, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "selfassessment/cycle_list.html",
        {"page": page, "status": status, "statuses": CycleStatus.choices, "open_form": _open_form(request.user)},
    )


@login_required
@require_POST
def cycle_open_view(request: HttpRequest) -> HttpResponse:
    form = _open_form(request.user, request.POST)
    if form is None:
        raise PermissionDenied("Chỉ hiệu trưởng và thư ký hội đồng được mở đợt tự đánh giá.")
    if form.is_valid():
        try:
            cycle = workflow_services.cycle_open(
                actor=request.user,
                school=form.cleaned_data["school"],
                school_year=form.cleaned_data["school_year"],
                carry_over_from=form.cleaned_data["carry_over_from"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Đã mở đợt tự đánh giá năm học {cycle.school_year}.")
            source = form.cleaned_data["carry_over_from"]
            if source is not None:
                messages.info(request, f"Đã kế thừa từ đợt năm học {source.school_year} những phần dùng lại được.")
                labels = {
                    "council": "Hội đồng",
                    "plan": "Kế hoạch",
                    "worksheet": "Phiếu nội hàm",
                    "evidence": "Minh chứng",
                    "forms": "Phiếu đánh giá tiêu chí",
                }
                for part, lines in getattr(cycle, "carry_over_skipped", {}).items():
                    for line in dict.fromkeys(lines):
                        messages.warning(request, f"{labels[part]}: {line}")
            return redirect("workflow:cycle_detail", cycle.pk)
    cycles = cycles_visible(request.user).select_related("school__unit", "framework").order_by("-school_year")
    return render(
        request,
        "selfassessment/cycle_list.html",
        {"page": Paginator(cycles, 50).get_page(1), "statuses": CycleStatus.choices, "open_form": form},
        status=400,
    )


@login_required
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    perms = cycle_permissions(request.user, cycle)
    evaluation = cycle_evaluation(cycle)
    rows, _items = criteria_overview(cycle, evaluation)
    last_return, comments = return_comments(cycle)
    comment_codes = {r.criterion.pk: r.criterion.code for r in rows}
    blockers, steps = readiness(cycle, rows)
    return render(
        request,
        "selfassessment/cycle_detail.html",
        {
            "cycle": cycle,
            "perms": perms,
            "tab": "overview",
            "evaluation": evaluation,
            "steps": steps,
            "transitions": cycle.transitions.select_related("actor").prefetch_related("criterion_comments__criterion"),
            # The same list for the principal (before submitting) and the officer (before accepting).
            "blockers": blockers,
            "last_return": last_return,
            "return_comments": [(comment_codes.get(cid), texts) for cid, texts in comments.items()],
            "criteria": rows,
            "review_form": ReviewForm(),
        },
    )


def _action_done(request, cycle, message):
    messages.success(request, message)
    return redirect("workflow:cycle_detail", cycle.pk)


def _action_failed(request, cycle, error: ValidationError):
    for text in error.messages:
        messages.error(request, text)
    return redirect("workflow:cycle_detail", cycle.pk)


@login_required
@require_POST
def cycle_submit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, manage=True)
    if not cycle_permissions(request.user, cycle).is_principal:
        raise PermissionDenied("Chỉ hiệu trưởng được phê duyệt và nộp báo cáo tự đánh giá.")
    try:
        workflow_services.cycle_submit(actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã phê duyệt và nộp đợt tự đánh giá cho cơ quan quản lý.")


def _reviewable(request, cycle_id) -> Cycle:
    cycle = access_cycle(request.user, cycle_id)
    if not cycle_permissions(request.user, cycle).can_review:
        raise PermissionDenied("Chỉ cơ quan quản lý trực tiếp được xem xét đợt tự đánh giá đã nộp.")
    return cycle


@login_required
@require_POST
def cycle_return(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _reviewable(request, cycle_id)
    per_criterion = {
        key.removeprefix("tc_"): value for key, value in request.POST.items() if key.startswith("tc_") and value.strip()
    }
    try:
        workflow_services.cycle_return(
            actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""), criterion_comments=per_criterion
        )
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã trả lại đợt tự đánh giá kèm ý kiến cho nhà trường.")


@login_required
@require_POST
def cycle_accept(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _reviewable(request, cycle_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Hãy đánh dấu xác nhận đã xem xét hồ sơ trước khi chấp nhận.")
        return redirect("workflow:cycle_detail", cycle.pk)
    try:
        workflow_services.cycle_accept(actor=request.user, cycle=cycle, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã chấp nhận đợt tự đánh giá.")


@login_required
@require_POST
def cycle_publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    if not cycle_permissions(request.user, cycle).is_principal:
        raise PermissionDenied("Chỉ hiệu trưởng được công bố báo cáo tự đánh giá.")
    if request.POST.get("confirm") != "1":
        messages.error(request, "Hãy đánh dấu xác nhận công bố trước khi công bố kết quả tự đánh giá.")
        return redirect("workflow:cycle_detail", cycle.pk)
    try:
        workflow_services.cycle_publish(actor=request.user, cycle=cycle)
    except ValidationError as error:
        return _action_failed(request, cycle, error)
    return _action_done(request, cycle, "Đã công bố kết quả tự đánh giá.")
