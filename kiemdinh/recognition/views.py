"""A school's recognition decisions: the register officers keep (paper decisions entered, revocations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.core.access import user_scope
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.recognition.forms import DecisionForm, RevokeForm
from kiemdinh.recognition.models import Decision
from kiemdinh.recognition.services import decision_record, decision_revoke
from kiemdinh.units.access import access_school


def _can_record(user, school) -> bool:
    scope = user_scope(user)
    return scope.is_admin or scope.covers_path(school.unit.path)


@login_required
def school_decisions(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    can_record = _can_record(request.user, school)
    form = DecisionForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("Chỉ cán bộ quản lý được ghi quyết định công nhận.")
        if form.is_valid():
            try:
                decision = decision_record(actor=request.user, school=school, data=form.to_input())
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(
                    request, f"Đã ghi quyết định {decision.label}, hiệu lực đến {decision.valid_until:%d/%m/%Y}."
                )
                return redirect("recognition:school", school_id=school.pk)
    decisions = list(school.decisions.order_by("-decided_on", "-id"))
    return render(
        request,
        "recognition/school_decisions.html",
        {
            "school": school,
            "decisions": decisions,
            "form": form,
            "revoke_form": RevokeForm() if can_record else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def decision_revoke_view(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision.objects.select_related("school__unit"), pk=decision_id)
    school = access_school(request.user, decision.school_id)
    if not _can_record(request.user, school):
        raise PermissionDenied("Chỉ cán bộ quản lý được thu hồi quyết định.")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("recognition:school", school_id=school.pk)
    try:
        decision_revoke(
            actor=request.user,
            decision=decision,
            revoked_on=form.cleaned_data["revoked_on"],
            reason=form.cleaned_data["revoked_reason"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Đã ghi thu hồi quyết định {decision.label}.")
    return redirect("recognition:school", school_id=school.pk)
