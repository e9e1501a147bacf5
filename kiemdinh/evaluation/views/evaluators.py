"""The evaluator network (mạng lưới đánh giá viên) an authority keeps: the list filtered by level taught and
activity, adding or editing an evaluator, an evaluator's page. For officers and admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.forms import errors_into
from kiemdinh.evaluation.access import (
    access_evaluator,
)
from kiemdinh.evaluation.forms.teams import (
    EvaluatorForm,
)
from kiemdinh.evaluation.models import RegistrationStatus, SchoolLevelTaught
from kiemdinh.evaluation.selectors import teams as sel
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.units.access import schools_visible, units_visible

OPEN_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)

# --- Loading protected objects ---------------------------------------------------------------------------------------


def require_network_manager(user) -> None:
    scope = user_scope(user)
    if not (scope.is_admin or scope.unit_paths):
        raise PermissionDenied("Chỉ cán bộ quản lý và quản trị hệ thống quản lý mạng lưới đánh giá viên.")


# --- The list, the form, the page -------------------------------------------------------------------------------------------


@login_required
def evaluators(request: HttpRequest) -> HttpResponse:
    require_network_manager(request.user)
    level = request.GET.get("cap-hoc", "")
    active = request.GET.get("hoat-dong", "")
    q = request.GET.get("q", "")
    return render(
        request,
        "evaluation/evaluators.html",
        {
            "rows": sel.evaluator_list(request.user, level=level, active=active, q=q),
            "level": level,
            "active": active,
            "q": q,
            "levels": SchoolLevelTaught.choices,
        },
    )


def _evaluator_form(request, evaluator=None) -> EvaluatorForm:
    return EvaluatorForm(
        request.POST or None,
        initial=EvaluatorForm.initial_from(evaluator) if evaluator else {"is_active": True},
        units=units_visible(request.user).order_by("path"),
        schools=schools_visible(request.user).select_related("unit").order_by("name"),
    )


@login_required
def evaluator_form(request: HttpRequest, evaluator_id: int | None = None) -> HttpResponse:
    require_network_manager(request.user)
    evaluator = access_evaluator(request.user, evaluator_id) if evaluator_id else None
    form = _evaluator_form(request, evaluator)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.evaluator_save(actor=request.user, data=form.to_input(), evaluator=evaluator)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "user" in exc.error_dict:  # the form names it by the username
                exc.error_dict["username"] = exc.error_dict.pop("user")
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã lưu đánh giá viên {saved.full_name}.")
            return redirect("evaluation:evaluator_detail", evaluator_id=saved.pk)
    return render(request, "evaluation/evaluator_form.html", {"form": form, "evaluator": evaluator})


@login_required
def evaluator_detail(request: HttpRequest, evaluator_id: int) -> HttpResponse:
    require_network_manager(request.user)
    evaluator = access_evaluator(request.user, evaluator_id)
    return render(
        request,
        "evaluation/evaluator_detail.html",
        {"evaluator": sel.with_level_labels(evaluator), "memberships": sel.participation(evaluator)},
    )
