"""Screens of the external evaluation: the school's registration, the authority's list and decisions, the team
(decision, stages, members and their criteria), the evaluator network and an evaluator's own teams.

Each view: access → form → service → response. Every successful POST redirects with a message; a refused change
re-renders the form with the service's Vietnamese errors and changes nothing. The team's work itself (reviews,
agreed ratings, report) has its own screens (evaluation_work).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.evaluation.access import (
    REPORT_VISIBLE_TO_SCHOOL,
    access_registration,
    access_team,
    can_answer_for_school,
    can_manage_school_evaluation,
    member_of,
    working_member_of,
)
from kiemdinh.evaluation.forms.teams import (
    AssignForm,
    DecisionForm,
    MemberAddForm,
    RegistrationForm,
    TeamForm,
)
from kiemdinh.evaluation.models import Evaluator, RegistrationStatus, TeamMember
from kiemdinh.evaluation.selectors import teams as sel
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.frameworks.choices import Regime
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.units.access import access_unit, units_visible
from kiemdinh.units.models import AdministrativeUnit

OPEN_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)

# --- Loading protected objects ---------------------------------------------------------------------------------------


def _is_principal(user, school_id: int) -> bool:
    return Role.PRINCIPAL in user_scope(user).roles_at_school(school_id)


def _work_url(team) -> str:
    """The team's work screens, where they are installed (another part of the application)."""
    try:
        return reverse("evaluation_work:home", kwargs={"team_id": team.pk})
    except NoReverseMatch:
        return ""


def _report_for_school(user, team):
    """The team's report once sent to the school, for the principal or council secretary who answer it (the report
    screen is theirs from then on); None otherwise."""
    report = getattr(team, "report", None) if team is not None else None
    if report is None or report.status not in REPORT_VISIBLE_TO_SCHOOL:
        return None
    return report if can_answer_for_school(user, team) else None


def _may(user, action: str, registration, units=None) -> authority.Verdict:
    """The rule table's verdict on the registration's school (recognition.authority)."""
    return authority.authorise(
        user, action=action, school=registration.school, regime=registration.cycle.framework.regime, units=units
    )


def _required(verdict: authority.Verdict) -> authority.Verdict:
    """Refuse the page itself (403 with the message naming the body that may) before any form is shown; the service
    refuses again if called."""
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
    return verdict


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- Entry -----------------------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Officers: their units' registrations; evaluators: their teams; a school's people: their cycles."""
    scope = user_scope(request.user)
    if scope.is_admin:
        units = list(AdministrativeUnit.objects.filter(parent__isnull=True).order_by("name"))
    else:
        units = list(units_visible(request.user).filter(path__in=scope.unit_paths).order_by("path"))
    has_evaluator = Evaluator.objects.filter(user=request.user).exists()
    if len(units) == 1 and not scope.school_ids and not has_evaluator:
        return redirect("evaluation:unit_registrations", unit_id=units[0].pk)
    if not units and not scope.school_ids and (has_evaluator or scope.evaluator):
        return redirect("evaluation:mine")
    cycles = list(
        Cycle.objects.filter(school_id__in=scope.school_ids)
        .select_related("school")
        .order_by("school__name", "-school_year")
    )
    return render(
        request,
        "evaluation/index.html",
        {"units": units, "cycles": cycles, "has_evaluator": has_evaluator, "can_manage_network": bool(units)},
    )


# --- The school's registration ---------------------------------------------------------------------------------------


@login_required
def registration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Eligibility with every reason, the registration form (the principal submits) and the school's registrations."""
    cycle = access_cycle(request.user, cycle_id)
    is_principal = _is_principal(request.user, cycle.school_id)
    form = RegistrationForm(
        request.POST or None,
        cycle=cycle,
        initial={
            "wants_accreditation": cycle.framework.regime != Regime.TT57,
            "wants_national_standard": True,
            "cohort_completed": True,
        },
    )
    if request.method == "POST":
        if not is_principal:
            raise PermissionDenied("Chỉ hiệu trưởng được đăng ký đánh giá ngoài.")
        if form.is_valid():
            try:
                svc.registration_submit(actor=request.user, cycle=cycle, **form.to_kwargs())
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, "Đã gửi đăng ký đánh giá ngoài; cơ quan quản lý sẽ xem xét.")
                return redirect("evaluation:registration", cycle_id=cycle.pk)
    today = timezone.localdate()
    registrations = sel.school_registrations(cycle.school)
    rows = []
    for reg in registrations:
        team = sel.team_of(reg)
        rows.append(
            {
                "registration": reg,
                "team": team,
                "members": list(team.members.all()) if team else [],
                "timeline": sel.team_timeline(team, today) if team else None,
                "report": _report_for_school(request.user, team),
            }
        )
    return render(
        request,
        "evaluation/registration.html",
        {
            "cycle": cycle,
            "perms": cycle_permissions(request.user, cycle),
            "tab": "evaluation",
            "form": form,
            "options": sel.registration_options(cycle) if cycle.status == CycleStatus.ACCEPTED else None,
            "cycle_accepted": cycle.status == CycleStatus.ACCEPTED,
            "is_principal": is_principal,
            "rows": rows,
            "has_open": any(r.cycle_id == cycle.pk and r.status in OPEN_STATUSES for r in registrations),
        },
    )


@login_required
@require_POST
def registration_withdraw(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = access_registration(request.user, registration_id)
    if not _is_principal(request.user, registration.school_id):
        raise PermissionDenied("Chỉ hiệu trưởng được rút đăng ký đánh giá ngoài.")
    try:
        svc.registration_withdraw(actor=request.user, registration=registration)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Đã rút đăng ký đánh giá ngoài.")
    return redirect("evaluation:registration", cycle_id=registration.cycle_id)


# --- The authority ---------------------------------------------------------------------------------------------------


@login_required
def unit_registrations(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Registrations of the schools below the unit, filtered by status, each with accept / return."""
    unit = access_unit(request.user, unit_id)
    status = request.GET.get("trang-thai", "")
    if status not in RegistrationStatus.values:
        status = ""
    counts = sel.status_counts(unit)
    registrations = sel.unit_registrations(unit, status)
    units = authority.units_of_many({reg.school for reg in registrations})
    may = authority.Authority(request.user)
    rows = []
    for reg in registrations:
        regime = reg.cycle.framework.regime
        school_units = units[reg.school_id]
        rows.append(
            {
                "registration": reg,
                "team": sel.team_of(reg),
                "can_decide": may.check(
                    action=Action.REGISTRATION_DECIDE, school=reg.school, regime=regime, units=school_units
                ).allowed,
                "can_form_team": may.check(
                    action=Action.TEAM_FORM, school=reg.school, regime=regime, units=school_units
                ).allowed,
            }
        )
    return render(
        request,
        "evaluation/unit_registrations.html",
        {
            "unit": unit,
            "rows": rows,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in RegistrationStatus.choices],
        },
    )


@login_required
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = access_registration(request.user, registration_id)
    sel.with_cohort_evidence_names([registration])
    team = sel.team_of(registration)
    units = authority.units_of(registration.school)
    return render(
        request,
        "evaluation/registration_detail.html",
        {
            "registration": registration,
            "team": team,
            "can_manage": can_manage_school_evaluation(request.user, registration.school),
            "decide": _may(request.user, Action.REGISTRATION_DECIDE, registration, units),
            "form_team": _may(request.user, Action.TEAM_FORM, registration, units),
            "form": DecisionForm(),
        },
    )


@login_required
@require_POST
def registration_decide(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = access_registration(request.user, registration_id, manage=True)
    _required(_may(request.user, Action.REGISTRATION_DECIDE, registration))
    back = _safe_next(request, reverse("evaluation:registration_detail", args=[registration.pk]))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form_messages(form)))
        return redirect(back)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        svc.registration_decide(
            actor=request.user, registration=registration, accept=accept, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    if accept:
        messages.success(request, f"Đã chấp nhận đăng ký của {registration.school.name}. Tiếp theo: thành lập đoàn.")
    else:
        messages.success(request, f"Đã trả lại đăng ký của {registration.school.name} kèm ý kiến.")
    return redirect(back)


@login_required
def team_establish(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = access_registration(request.user, registration_id, manage=True)
    verdict = _required(_may(request.user, Action.TEAM_FORM, registration))
    existing = sel.team_of(registration)
    if existing is not None:
        messages.info(request, "Đăng ký này đã có đoàn đánh giá ngoài.")
        return redirect("evaluation:team", team_id=existing.pk)
    form = TeamForm(request.POST or None, initial={"issuer": verdict.acting_for.name if verdict.acting_for else ""})
    if request.method == "POST" and form.is_valid():
        try:
            team = svc.team_establish(actor=request.user, registration=registration, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã thành lập đoàn đánh giá ngoài. Tiếp theo: thêm thành viên và phân công.")
            return redirect("evaluation:team", team_id=team.pk)
    return render(request, "evaluation/team_form.html", {"registration": registration, "team": None, "form": form})


# --- The team --------------------------------------------------------------------------------------------------------


def _team_context(request, team, form_team: authority.Verdict, **extra) -> dict:
    today = timezone.localdate()
    manage = can_manage_school_evaluation(request.user, team.registration.school)
    return {
        "team": team,
        "registration": team.registration,
        "page": sel.team_page(team),
        "timeline": sel.team_timeline(team, today),
        "can_manage": manage,
        "form_team": form_team,
        "is_member": member_of(request.user, team) is not None,
        "member_working": working_member_of(request.user, team, today) is not None,
        "work_url": _work_url(team),
        "today": today,
        **extra,
    }


@login_required
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """The decision, the stages (and today's), the members with their criteria; the Sở's officers add members here
    (the rule table: whoever forms the team)."""
    team = access_team(request.user, team_id, manage=request.method == "POST")
    form_team = _may(request.user, Action.TEAM_FORM, team.registration)
    if request.method == "POST":
        _required(form_team)
    form = None
    if form_team.allowed:
        form = MemberAddForm(request.POST or None, candidates=sel.candidate_evaluators(team))
        if request.method == "POST" and form.is_valid():
            evaluator = form.cleaned_data["evaluator"]
            try:
                svc.member_add(
                    actor=request.user,
                    team=team,
                    evaluator=evaluator,
                    role=form.cleaned_data["role"],
                    namesake_note=form.cleaned_data["namesake_note"],
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, f"Đã thêm {evaluator.full_name} vào đoàn. Hãy phân công tiêu chí.")
                return redirect("evaluation:team", team_id=team.pk)
    return render(request, "evaluation/team.html", _team_context(request, team, form_team, form=form))


@login_required
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    _required(_may(request.user, Action.TEAM_FORM, team.registration))
    form = TeamForm(request.POST or None, initial=TeamForm.initial_from(team))
    if request.method == "POST" and form.is_valid():
        try:
            svc.team_update(actor=request.user, team=team, data=form.to_input())
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, "Đã lưu quyết định và lịch làm việc của đoàn.")
            return redirect("evaluation:team", team_id=team.pk)
    return render(request, "evaluation/team_form.html", {"registration": team.registration, "team": team, "form": form})


def _member(team, member_id) -> TeamMember:
    return get_object_or_404(TeamMember.objects.select_related("evaluator"), pk=member_id, team=team)


@login_required
def member_assign(request: HttpRequest, team_id: int, member_id: int) -> HttpResponse:
    """Tick the criteria and Mức 4 items the member studies; each shows who else has it, or that nobody has."""
    team = access_team(request.user, team_id, manage=True)
    _required(_may(request.user, Action.TEAM_FORM, team.registration))
    member = _member(team, member_id)
    page = sel.team_page(team)
    form = AssignForm(
        request.POST or None,
        framework_id=team.registration.cycle.framework_id,
        member=member,
        holders=page.holders,
        item_holders=page.item_holders,
        initial={
            "criteria": [c.pk for c in member.criteria.all()],
            "level4_items": [i.pk for i in member.level4_items.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.member_assign(
                actor=request.user,
                member=member,
                criteria=list(form.cleaned_data["criteria"]),
                level4_items=list(form.cleaned_data["level4_items"]),
            )
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã phân công tiêu chí cho {member.evaluator.full_name}.")
            return redirect("evaluation:team", team_id=team.pk)
    return render(
        request,
        "evaluation/member_assign.html",
        {"team": team, "registration": team.registration, "member": member, "form": form, "page": page},
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, team_id: int, member_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    _required(_may(request.user, Action.TEAM_FORM, team.registration))
    member = _member(team, member_id)
    try:
        svc.member_remove(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Đã bỏ {member.evaluator.full_name} khỏi đoàn.")
    return redirect("evaluation:team", team_id=team.pk)


# --- An evaluator's own teams ----------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The teams the user sits on; open teams link to the school's dossier (read-only), others show their dates."""
    today = timezone.localdate()
    evaluator = Evaluator.objects.filter(user=request.user).select_related("unit", "school").first()
    rows = sel.my_teams(request.user, today) if evaluator else []
    return render(
        request,
        "evaluation/mine.html",
        {
            "evaluator": evaluator,
            "rows": [{"row": row, "work_url": _work_url(row.team) if row.is_open else ""} for row in rows],
            "today": today,
        },
    )
