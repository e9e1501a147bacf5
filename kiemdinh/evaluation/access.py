"""Who sees what of an external evaluation.

- The school's people see their registrations, the team (names, roles, dates) and the draft report sent to them.
- Officers above the school decide on registrations, establish the team, follow its work and issue the decisions.
- An evaluator sees only the teams they sit on, and the school's dossier and the team's work pages (reviews, agreed
  ratings, report) from the first day of the dossier study to the team's last working day (`Team.ends_on`): one rule,
  `Team.is_open` for a team in hand and `open_team_q` in queries.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.evaluation.models import Evaluator, MemberRole, Registration, ReportStatus, Team, TeamMember
from kiemdinh.units.access import schools_visible

AGREEING_ROLES = (MemberRole.LEADER, MemberRole.SECRETARY)  # agree the ratings and write the report
SCHOOL_ANSWER_ROLES = frozenset({Role.PRINCIPAL, Role.SECRETARY})  # answer the draft report for the school
REPORT_VISIBLE_TO_SCHOOL = (ReportStatus.SENT, ReportStatus.FINAL)


def open_team_q(on: date, prefix: str = "") -> Q:
    """Teams at work on `on` (Team.is_open as a query): from the first day of the dossier study to the last day."""
    return Q(**{f"{prefix}dossier_from__lte": on, f"{prefix}ends_on__gte": on})


def evaluator_cycle_ids(user, on: date):
    """Ids of the cycles the user's open teams evaluate (a queryset: one subquery)."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none().values("cycle_id")
    return Registration.objects.filter(open_team_q(on, "team__"), team__members__evaluator__user=user).values(
        "cycle_id"
    )


def can_manage_school_evaluation(user, school) -> bool:
    """Follow the school's external evaluation: officers above the school (and admins) read its registrations, teams
    and their work. What each of them may decide is the rule table's (recognition.authority)."""
    scope = user_scope(user)
    return scope.is_admin or scope.covers_path(school.unit.path)


def teams_visible(user):
    """Teams of schools below the officer's units, of the user's own school, or that the user sits on."""
    scope = user_scope(user)
    if scope.is_admin:
        return Team.objects.all()
    condition = Q(members__evaluator__user=user) | Q(registration__school_id__in=scope.school_ids)
    for path in scope.unit_paths:
        condition |= Q(registration__school__unit__path__startswith=path)
    return Team.objects.filter(condition).distinct()


def access_team(user, team_id, *, manage: bool = False) -> Team:
    """The team (404 when not visible). manage: an officer above the school."""
    try:
        team = (
            teams_visible(user)
            .select_related("registration__school__unit", "registration__cycle__framework")
            .get(pk=team_id)
        )
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đoàn đánh giá ngoài.") from None
    if manage and not can_manage_school_evaluation(user, team.registration.school):
        raise PermissionDenied("Chỉ cơ quan quản lý của trường được thực hiện việc này.")
    return team


def member_of(user, team: Team) -> TeamMember | None:
    """The user's place on the team, whatever the date (the team's own page shows it)."""
    return team.members.select_related("evaluator").filter(evaluator__user=user).first()


def working_member_of(user, team: Team, on: date) -> TeamMember | None:
    """The user's place on the team while the team works (Team.is_open): what opens the team's work pages to its
    members, as it opens the school's dossier; None before the first day and after the last."""
    return member_of(user, team) if team.is_open(on) else None


def registrations_visible(user):
    """Registrations of the schools the user sees: a school's own people, officers above it, admins."""
    return Registration.objects.filter(school__in=schools_visible(user))


def access_registration(user, registration_id, *, manage: bool = False) -> Registration:
    """The registration (404 when its school is not visible); manage: an officer above the school."""
    try:
        registration = (
            registrations_visible(user).select_related("school__unit", "cycle__framework").get(pk=registration_id)
        )
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đăng ký đánh giá ngoài.") from None
    if manage and not can_manage_school_evaluation(user, registration.school):
        raise PermissionDenied("Chỉ cơ quan quản lý của trường được xử lý đăng ký đánh giá ngoài.")
    return registration


def evaluators_visible(user):
    """Admins see the whole network; officers the evaluators of their units and those below."""
    scope = user_scope(user)
    if scope.is_admin:
        return Evaluator.objects.all()
    if not scope.unit_paths:
        return Evaluator.objects.none()
    condition = Q()
    for path in scope.unit_paths:
        condition |= Q(unit__path__startswith=path)
    return Evaluator.objects.filter(condition)


def access_evaluator(user, evaluator_id):
    """An evaluator of the network the user manages (404 otherwise)."""
    try:
        return evaluators_visible(user).select_related("unit", "school", "user").get(pk=evaluator_id)
    except (Evaluator.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đánh giá viên.") from None


def can_answer_for_school(user, team: Team) -> bool:
    """The school's principal or council secretary answers the draft report."""
    return bool(user_scope(user).roles_at_school(team.registration.school_id) & SCHOOL_ANSWER_ROLES)


@dataclass(frozen=True)
class TeamViewer:
    """What the user may do with the team's work (reviews, agreed ratings, report), decided once per request."""

    team: Team
    member: TeamMember | None
    manager: bool  # an officer above the school (or an administrator)
    school: bool  # the school's principal or council secretary
    today: date
    report_status: str

    @property
    def team_side(self) -> bool:
        return self.member is not None or self.manager

    @property
    def final(self) -> bool:
        return self.report_status == ReportStatus.FINAL

    @property
    def can_write(self) -> bool:
        return self.member is not None and self.team.is_open(self.today) and not self.final

    @property
    def can_agree(self) -> bool:
        return self.can_write and self.member.role in AGREEING_ROLES

    @property
    def sees_report(self) -> bool:
        return self.team_side or (self.school and self.report_status in REPORT_VISIBLE_TO_SCHOOL)


def access_team_work(user, team_id, *, report: bool = False) -> TeamViewer:
    """The team's work as the user sees it (404 for anyone it is not open to): the team's side (its members while the
    team works, the officers above the school), or with report=True also the school once the report is sent to it."""
    team = access_team(user, team_id)
    today = timezone.localdate()
    viewer = TeamViewer(
        team=team,
        member=working_member_of(user, team, today),  # members lose these pages when the team ends
        manager=can_manage_school_evaluation(user, team.registration.school),
        school=can_answer_for_school(user, team),
        today=today,
        report_status=(team.report.status if hasattr(team, "report") else ReportStatus.DRAFT),
    )
    if not (viewer.sees_report if report else viewer.team_side):
        raise Http404("Không tìm thấy đoàn đánh giá ngoài.")
    return viewer
