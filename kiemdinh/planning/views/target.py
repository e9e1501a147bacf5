"""The schools a plan lists: the list with each school's live position, adding a school (a search first when the
unit has many), the suggestions (accepted a page at a time, set aside with a reason, restored), and a listed
school's targets edited, removed or moved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import errors_into
from kiemdinh.core.submits import repeatable_post
from kiemdinh.core.text import fold
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import access_plan, can_manage_plan
from kiemdinh.planning.forms import TargetForm
from kiemdinh.planning.models import PlanTarget, SuggestionDismissal
from kiemdinh.planning.views.common import _back, _context, _refused, _unit_schools
from kiemdinh.units.models import SchoolType
from kiemdinh.units.selectors import schools_under_on


@login_required
def targets(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    today = timezone.localdate()
    manage = can_manage_plan(request.user, plan)
    form = None
    search = " ".join(request.GET.get("tim", "").split())[:100]
    picker = None
    if manage:
        candidates = _unit_schools(plan).exclude(plan_targets__plan=plan)
        picker = _school_picker(candidates, search)
        form = TargetForm(request.POST or None, schools=candidates, shown=picker["shown"])
        if request.method == "POST" and form.is_valid():
            try:
                svc.target_add(actor=request.user, plan=plan, school=form.cleaned_data["school"], data=form.to_input())
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, f"Đã thêm {form.cleaned_data['school'].name} vào danh sách.")
                return _back(plan, "targets")
    elif request.method == "POST":
        raise PermissionDenied("Chỉ cán bộ của đơn vị ban hành được sửa danh sách.")
    open_, dismissed = sel.suggestions(plan) if manage else ([], [])
    dismissals = {d.school_id: d for d in plan.dismissals.all()} if manage else {}
    return render(
        request,
        "planning/targets.html",
        _context(
            request,
            plan,
            "targets",
            rows=sel.plan_targets_with_positions(plan, today),
            form=form,
            picker=picker,
            suggestions=Paginator(open_, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("trang")),
            dismissed=[(s, dismissals.get(s.school.pk)) for s in dismissed],
        ),
    )


# A province has over a thousand schools: a drop-down of all of them is unusable and slow to build, so above this
# many the page asks for part of the name or code first.
PICKER_LIMIT = 200
SUGGESTIONS_PER_PAGE = 100


def _school_picker(candidates, search: str) -> dict:
    """The schools offered in the "add a school" drop-down: all of them when few, else those matching `search`."""
    total = candidates.count()
    if total <= PICKER_LIMIT:
        return {"total": total, "search": search, "shown": None, "needs_search": False}
    shown = []
    if search:
        shown = list(candidates.filter(search_text__contains=fold(search))[:PICKER_LIMIT])
    return {"total": total, "search": search, "shown": shown, "needs_search": True}


@login_required
@require_POST
def suggestions_accept(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    chosen = set(request.POST.getlist("school"))
    offered = {str(s.school.pk): s for s in sel.suggestions(plan)[0]}
    unknown = chosen - set(offered)
    if unknown:
        messages.error(request, "Có trường không còn trong danh sách đề xuất; hãy tải lại trang và chọn lại.")
        return _back(plan, "targets")
    proposals = [
        (
            s.school,
            svc.TargetInput(
                accreditation_grade=s.accreditation_grade,
                national_standard_level=s.national_standard_level,
                recognition_round=s.recognition_round,
                reason=s.reason,
            ),
        )
        for key, s in offered.items()
        if key in chosen
    ]
    # Listed as the seeds list them: by school level (mầm non, tiểu học, THCS…), then by name.
    type_order = {value: i for i, value in enumerate(SchoolType.values)}
    proposals.sort(key=lambda pair: (type_order[pair[0].school_type], fold(pair[0].name)))
    try:
        created = svc.targets_accept(actor=request.user, plan=plan, proposals=proposals)
    except ValidationError as exc:
        return _refused(request, exc, plan, "targets")
    messages.success(request, f"Đã đưa {len(created)} trường vào danh sách; có thể sửa mục tiêu từng trường.")
    return _back(plan, "targets")


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, plan_id: int, school_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    school = get_object_or_404(schools_under_on(plan.unit, plan.dated_on), pk=school_id)
    try:
        svc.suggestion_dismiss(actor=request.user, plan=plan, school=school, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, exc, plan, "targets")
    messages.success(request, f"Đã bỏ đề xuất {school.name}; có thể khôi phục ở cuối trang.")
    return _back(plan, "targets")


@login_required
@require_POST
def suggestion_restore(request: HttpRequest, plan_id: int, dismissal_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    dismissal = get_object_or_404(SuggestionDismissal, pk=dismissal_id, plan=plan)
    svc.suggestion_restore(actor=request.user, dismissal=dismissal)
    messages.success(request, f"{dismissal.school.name} trở lại danh sách đề xuất.")
    return _back(plan, "targets")


@login_required
def target_edit(request: HttpRequest, plan_id: int, target_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget.objects.select_related("school"), pk=target_id, plan=plan)
    form = TargetForm(request.POST or None, initial=TargetForm.initial_from(target), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            svc.target_update(actor=request.user, target=target, data=form.to_input(reason=target.reason))
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã lưu mục tiêu của {target.school.name}.")
            return _back(plan, "targets")
    return render(request, "planning/target_form.html", _context(request, plan, "targets", form=form, target=target))


@login_required
@require_POST
def target_remove(request: HttpRequest, plan_id: int, target_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget.objects.select_related("school"), pk=target_id, plan=plan)
    svc.target_remove(actor=request.user, target=target)
    messages.success(request, f"Đã bỏ {target.school.name} khỏi danh sách.")
    return _back(plan, "targets")


# Moving a row up twice is two clicks on the same button: each must happen.
@repeatable_post
@login_required
@require_POST
def target_move(request: HttpRequest, plan_id: int, target_id: int, direction: str) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    target = get_object_or_404(PlanTarget, pk=target_id, plan=plan)
    svc.target_move(actor=request.user, target=target, offset=-1 if direction == "len" else 1)
    return _back(plan, "targets")
