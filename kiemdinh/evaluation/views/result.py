"""The last step of an external evaluation: the team's computed result, the recognition decisions it gives (issued
by the body the rule table names, recognition.authority) and the publication of its summary on the public pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.evaluation.access import access_team
from kiemdinh.evaluation.forms.teams import IssueForm, PublicationForm
from kiemdinh.evaluation.models import Publication
from kiemdinh.evaluation.services.issuing import decisions_issue, issue_plan
from kiemdinh.evaluation.services.publication import publication_publish, publication_withdraw
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action


def _publishing(user, team) -> authority.Verdict:
    registration = team.registration
    return authority.authorise(
        user, action=Action.RESULT_PUBLISH, school=registration.school, regime=registration.cycle.framework.regime
    )


def _issue_page(request, team, plan, form, publication_form, status=200):
    publication = Publication.objects.filter(team=team).first()
    publishing = _publishing(request.user, team)
    return render(
        request,
        "evaluation/issue.html",
        {
            "team": team,
            "school": team.registration.school,
            "registration": team.registration,
            "cycle": team.registration.cycle,
            "plan": plan,
            "result": plan.result,
            "form": form,
            "publication": publication,
            "publishing": publishing,
            "publication_form": (
                publication_form
                or PublicationForm(initial={"summary": publication.summary if publication else _summary(team, plan)})
            )
            if publishing.allowed
            else None,
        },
        status=status,
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
    if result.accreditation_grade and not cycle.framework.is_tt57:
        parts.append(f"Kết quả tương ứng kiểm định chất lượng giáo dục cấp độ {result.accreditation_grade}.")
    if result.national_standard_level:
        parts.append(f"Đủ mức để công nhận đạt chuẩn quốc gia mức độ {result.national_standard_level}.")
    return " ".join(parts)


@login_required
def decisions_issue_view(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's computed result and the decisions it gives; one action issues those the user's body issues (the
    rule table), the others are shown with the body that issues them."""
    team = access_team(request.user, team_id, manage=True)
    plan = issue_plan(team, actor=request.user)
    form = IssueForm(request.POST or None, planned=plan.mine, initial={"published": True})
    if request.method == "POST":
        if plan.planned and not plan.mine:
            raise PermissionDenied(" ".join(p.verdict.message for p in plan.elsewhere))
        if not plan.can_issue:
            messages.error(request, " ".join(plan.reasons))
            return redirect("result:issue", team_id=team.pk)
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
                return redirect("result:issue", team_id=team.pk)
    return _issue_page(request, team, plan, form if plan.can_issue else None, None)


@login_required
@require_POST
def publication_publish_view(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    verdict = _publishing(request.user, team)
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
    form = PublicationForm(request.POST)
    if form.is_valid():
        try:
            publication_publish(actor=request.user, team=team, summary=form.cleaned_data["summary"])
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã công khai tóm tắt kết quả đánh giá ngoài.")
            return redirect("result:issue", team_id=team.pk)
    plan = issue_plan(team, actor=request.user)
    issue_form = IssueForm(planned=plan.mine, initial={"published": True}) if plan.can_issue else None
    return _issue_page(request, team, plan, issue_form, form, status=400)


@login_required
@require_POST
def publication_withdraw_view(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    verdict = _publishing(request.user, team)
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
    publication = get_object_or_404(Publication, team=team)
    try:
        publication_withdraw(actor=request.user, publication=publication)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Đã gỡ tóm tắt kết quả khỏi trang công khai.")
    return redirect("result:issue", team_id=team.pk)
