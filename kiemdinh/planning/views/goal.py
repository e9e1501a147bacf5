"""A plan's targets (chỉ tiêu) and their progress computed from the data: the list, adding or editing one, deleting
one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import errors_into
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.access import access_plan
from kiemdinh.planning.forms import GoalForm
from kiemdinh.planning.models import PlanGoal
from kiemdinh.planning.views.common import _back, _context


@login_required
def goals(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    return render(request, "planning/goals.html", _context(request, plan, "goals", progress=sel.goals_progress(plan)))


@login_required
def goal_form(request: HttpRequest, plan_id: int, goal_id: int | None = None) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    goal = get_object_or_404(PlanGoal, pk=goal_id, plan=plan) if goal_id else None
    form = GoalForm(request.POST or None, initial=GoalForm.initial_from(goal) if goal else {})
    if request.method == "POST" and form.is_valid():
        try:
            svc.goal_save(actor=request.user, plan=plan, goal=goal, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lưu chỉ tiêu; tiến độ được tính từ dữ liệu.")
            return _back(plan, "goals")
    return render(request, "planning/goal_form.html", _context(request, plan, "goals", form=form, goal=goal))


@login_required
@require_POST
def goal_delete(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id, write=True)
    goal = get_object_or_404(PlanGoal, pk=goal_id, plan=plan)
    svc.goal_delete(actor=request.user, goal=goal)
    messages.success(request, "Đã xóa chỉ tiêu.")
    return _back(plan, "goals")
