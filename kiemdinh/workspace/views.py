from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Membership, Role
from kiemdinh.evaluation.models import Team
from kiemdinh.improvement.selectors import overdue_lines
from kiemdinh.oversight.selectors import officers_for_school, officers_for_schools
from kiemdinh.planning.selectors.reminders import reminders_for
from kiemdinh.recognition.models import Decision
from kiemdinh.recognition.selectors import standings
from kiemdinh.selfassessment.access import cycles_visible
from kiemdinh.selfassessment.models import CycleStatus
from kiemdinh.selfassessment.selectors import cycle_evaluation, latest_cycles
from kiemdinh.units.access import access_school, can_manage_school, oversees_school, schools_visible, units_visible
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType
from kiemdinh.units.selectors import MERGED_RECOGNITION_NOTE, merger_view
from kiemdinh.workspace.history import school_history


def _unit_cards(roots: list[AdministrativeUnit]) -> list[dict]:
    """Per unit: its schools by type and its number of sub-units, in two queries however many units (the admin's
    home lists every province)."""
    by_type: dict[int, dict[str, int]] = {unit.pk: {} for unit in roots}
    if roots:
        root_of = Case(*(When(unit__path__startswith=u.path, then=Value(u.pk)) for u in roots), default=None)
        rows = (
            School.objects.filter(reduce(or_, (Q(unit__path__startswith=u.path) for u in roots)))
            .annotate(root=root_of)
            .values_list("root", "school_type")
            .annotate(n=Count("id"))
            .order_by()
        )
        for root, school_type, n in rows:
            by_type[root][school_type] = n
    children = dict(
        AdministrativeUnit.objects.filter(parent__in=roots).values_list("parent").annotate(n=Count("id")).order_by()
    )
    return [
        {
            "unit": unit,
            "school_count": sum(by_type[unit.pk].values()),
            "by_type": [(SchoolType(t).label, n) for t, n in sorted(by_type[unit.pk].items())],
            "child_count": children.get(unit.pk, 0),
        }
        for unit in roots
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = user_scope(user)
    memberships = list(Membership.objects.active().filter(user=user).select_related("unit", "school", "school__unit"))
    context = {"memberships": memberships, "scope": scope, "reminders": reminders_for(user, timezone.localdate())}

    school_ids = sorted(scope.school_ids)
    if school_ids:
        schools = list(School.objects.filter(pk__in=school_ids).select_related("unit"))
        cycles = latest_cycles(schools)
        overdue = overdue_lines([s.pk for s in schools])
        officers = officers_for_schools(schools)
        context["my_schools"] = [
            {
                "school": s,
                "roles": [Role(r).label for r in sorted(scope.roles_at_school(s.pk))],
                "cycle": cycles.get(s.pk),
                "evaluation": cycle_evaluation(cycles[s.pk]) if s.pk in cycles else None,
                "overdue": overdue.get(s.pk, []),
                "officers_in_charge": officers[s.pk],
            }
            for s in schools
        ]

    if scope.unit_paths or scope.is_admin:
        if scope.is_admin:
            roots = list(AdministrativeUnit.objects.filter(parent__isnull=True))
        else:
            roots = list(units_visible(user).filter(path__in=scope.unit_paths))
        context["unit_cards"] = _unit_cards(roots)
        context["visible_school_count"] = schools_visible(user).count()
        context["awaiting_review"] = (
            cycles_visible(user)
            .filter(status=CycleStatus.SUBMITTED)
            .select_related("school")
            .order_by("school__name")[:20]
        )
    context["is_evaluator"] = scope.evaluator
    if scope.evaluator:
        context["my_teams"] = list(
            Team.objects.filter(members__evaluator__user=user)
            .select_related("registration__school")
            .order_by("-dossier_from")[:10]
        )
    return render(request, "workspace/home.html", context)


@login_required
def school_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    cycles = list(school.cycles.select_related("framework").order_by("-school_year"))
    latest = latest_cycles([school]).get(school.pk)
    merger = merger_view(school)
    earlier = [m.predecessor for m in merger.predecessors]
    return render(
        request,
        "workspace/school.html",
        {
            "school": school,
            "cycles": cycles,
            "latest": latest,
            "evaluation": cycle_evaluation(latest) if latest else None,
            "framework_code": school.framework_code(),
            "can_manage": can_manage_school(request.user, school),
            "merger": merger,
            "merged_note": MERGED_RECOGNITION_NOTE if earlier else "",
            "predecessor_decisions": list(
                Decision.objects.filter(school__in=earlier).select_related("school").order_by("school", "decided_on")
            )
            if earlier
            else [],
            "teams": (
                list(
                    Team.objects.filter(registration__school=school)
                    .select_related("registration__cycle")
                    .order_by("-id")
                )
                if oversees_school(request.user, school)
                else []
            ),
            "plan_targets": school.plan_targets.select_related("plan").order_by("-plan__period"),
            "overdue": overdue_lines([school.pk]).get(school.pk, []),
            "officers_in_charge": officers_for_school(school),
            "standing": standings([school.pk], timezone.localdate()).get(school.pk),
        },
    )


@login_required
def school_history_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    manage = oversees_school(request.user, school)
    return render(
        request,
        "workspace/school_history.html",
        {"school": school, "events": school_history(school, manage=manage), "today": timezone.localdate()},
    )
