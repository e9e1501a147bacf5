"""A school's recognition decisions: the register officers keep (paper decisions entered, revocations), the decisions
issued from an external evaluation team's result, their Word documents and the school's history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.core.access import user_scope
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.documents import registry
from kiemdinh.evaluation.access import access_team
from kiemdinh.evaluation.models import Publication, Team
from kiemdinh.planning.downloads import attachment
from kiemdinh.public.services import publication_publish, publication_withdraw
from kiemdinh.recognition.forms import DecisionForm, IssueForm, PublicationForm, RevokeForm
from kiemdinh.recognition.history import school_history
from kiemdinh.recognition.issuing import decisions_issue, issue_plan
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
    teams = (
        list(Team.objects.filter(registration__school=school).select_related("registration__cycle").order_by("-id"))
        if can_record
        else []
    )
    return render(
        request,
        "recognition/school_decisions.html",
        {
            "school": school,
            "decisions": decisions,
            "teams": teams,
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


# --- Issuing from an external evaluation (#7) ------------------------------------------------------------------------


def _issue_page(request, team, plan, form, publication_form):
    publication = Publication.objects.filter(team=team).first()
    return render(
        request,
        "recognition/issue.html",
        {
            "team": team,
            "school": team.registration.school,
            "registration": team.registration,
            "cycle": team.registration.cycle,
            "plan": plan,
            "result": plan.result,
            "form": form,
            "publication": publication,
            "publication_form": publication_form
            or PublicationForm(initial={"summary": publication.summary if publication else _summary(team, plan)}),
        },
    )


def _summary(team, plan) -> str:
    """A first text for the public summary, from the team's result (the officer edits it)."""
    result = plan.result
    cycle = team.registration.cycle
    parts = [
        f"Đoàn đánh giá ngoài năm học {cycle.school_year} ({cycle.framework.short_name}) kết luận "
        f"{team.registration.school.name} đạt Mức {result.school_level}."
        if result.school_level
        else f"Đoàn đánh giá ngoài năm học {cycle.school_year} kết luận trường chưa đạt Mức 1."
    ]
    if result.accreditation_grade and cycle.framework.regime != "tt57":
        parts.append(f"Kết quả tương ứng kiểm định chất lượng giáo dục cấp độ {result.accreditation_grade}.")
    if result.national_standard_level:
        parts.append(f"Đủ mức để công nhận đạt chuẩn quốc gia mức độ {result.national_standard_level}.")
    return " ".join(parts)


@login_required
def decisions_issue_view(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's computed result and the decisions it gives; one action issues them all."""
    team = access_team(request.user, team_id, manage=True)
    plan = issue_plan(team)
    form = IssueForm(request.POST or None, planned=plan.planned, initial={"published": True})
    if request.method == "POST":
        if not plan.can_issue:
            messages.error(request, " ".join(plan.reasons))
            return redirect("recognition:issue", team_id=team.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decisions = decisions_issue(
                    actor=request.user,
                    team=team,
                    decided_on=data["decided_on"],
                    number_accreditation=data.get("number_accreditation", ""),
                    number_national=data.get("number_national", ""),
                    signer_accreditation=data.get("signer_accreditation", ""),
                    signer_national=data.get("signer_national", ""),
                    decided_on_national=data.get("decided_on_national"),
                    issuer_accreditation=data.get("issuer_accreditation", ""),
                    issuer_national=data.get("issuer_national", ""),
                    published=data["published"],
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                labels = ", ".join(f"{d.label} (số {d.number})" for d in decisions)
                messages.success(request, f"Đã ban hành quyết định {labels}.")
                return redirect("recognition:issue", team_id=team.pk)
    return _issue_page(request, team, plan, form if plan.can_issue else None, None)


@login_required
@require_POST
def publication_publish_view(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    form = PublicationForm(request.POST)
    if form.is_valid():
        try:
            publication_publish(actor=request.user, team=team, summary=form.cleaned_data["summary"])
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã công khai tóm tắt kết quả đánh giá ngoài.")
            return redirect("recognition:issue", team_id=team.pk)
    plan = issue_plan(team)
    issue_form = IssueForm(planned=plan.planned, initial={"published": True}) if plan.can_issue else None
    return _issue_page(request, team, plan, issue_form, form)


@login_required
@require_POST
def publication_withdraw_view(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    publication = get_object_or_404(Publication, team=team)
    try:
        publication_withdraw(actor=request.user, publication=publication)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Đã gỡ tóm tắt kết quả khỏi trang công khai.")
    return redirect("recognition:issue", team_id=team.pk)


@login_required
def decision_download(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The decision as a Word document, for anyone who sees the school."""
    decision = get_object_or_404(Decision.objects.only("id", "school_id"), pk=decision_id)
    access_school(request.user, decision.school_id)
    document = registry.standalone_kind("decision")
    context = document.build([decision])
    return attachment(registry.render_plan(document, context, "docx"), context.display_name("docx"))


@login_required
def school_history_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    manage = _can_record(request.user, school)
    return render(
        request,
        "recognition/school_history.html",
        {"school": school, "events": school_history(school, manage=manage), "today": timezone.localdate()},
    )
