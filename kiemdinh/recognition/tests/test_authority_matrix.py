"""The authority matrix (issue #18 §3), sibling of core/tests/test_access_matrix.py: every action of the rule table ×
every persona × both regimes, through the services and through the pages, with the expected outcome written out here
(EXPECTED), not read from the rule table it checks.

School A (a primary school of commune A, district D, province P) has a 2018 registration (its TT17 cycle 2025-2026,
for the accreditation grade and the national standard) and a TT57 one (cycle 2026-2027, national standard only; TT57
needs three years of accepted self-assessments, hence three accepted cycles). Each call runs in a savepoint rolled back
after it: what the action needs (an accepted registration, a team with its final report, a decision to correct or
revoke) is prepared in it by the system itself (actor None), then the persona acts. An allowed call must succeed; a
refused one must raise PermissionDenied (the page: 403, or 404 for those who do not see the school) and change nothing:
the same audit log and the same rows.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kiemdinh.core.audit import AuditEvent
from kiemdinh.evaluation.models import EvaluationReport, Publication, Registration, Team, TeamRating
from kiemdinh.evaluation.services import teams as evaluation
from kiemdinh.evaluation.services.issuing import decisions_issue
from kiemdinh.frameworks.models import Criterion
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import Decision
from kiemdinh.recognition.services import Correction, DecisionInput, decision_correct, decision_record, decision_revoke

pytestmark = pytest.mark.django_db

# C commune A's officer (its People's Committee), D the district's Phòng GD&ĐT, S the province's Sở GD&ĐT, U the
# provincial People's Committee, X the Sở of another province, P school A's principal, E an evaluator on A's team,
# A a system administrator (not an officer of any body).
PERSONAS = ("C", "D", "S", "U", "X", "P", "E", "A")
DECISION_ACTIONS = ("decision_issue", "decision_enter", "decision_correct", "decision_revoke")
ACC, NAT = "accreditation", "national_standard"
EXPECTED: dict[tuple[str, str, str], set[str]] = {
    ("2018", "registration_decide", ""): {"D", "S"},
    ("2018", "team_form", ""): {"S"},
    ("2018", "result_publish", ""): {"S"},
    **{("2018", action, ACC): {"S"} for action in DECISION_ACTIONS},
    **{("2018", action, NAT): {"U"} for action in DECISION_ACTIONS},
    ("tt57", "registration_decide", ""): {"S"},
    ("tt57", "team_form", ""): {"S"},
    ("tt57", "result_publish", ""): {"S"},
    **{("tt57", action, ACC): set() for action in DECISION_ACTIONS},  # TT57 has no accreditation grade
    **{("tt57", action, NAT): {"S"} for action in DECISION_ACTIONS},
}
SIGNED = {"2018": date(2025, 6, 15), "tt57": date(2027, 6, 15)}  # a decision's date in each regime


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    from kiemdinh.evaluation.tests.helpers import accepted_cycle, evaluator, register
    from kiemdinh.testing.world import build_world, load_frameworks, rolled_back

    with rolled_back(django_db_blocker):
        load_frameworks(only=("tt17-2018", "tt57-2026-pt"))
        world = build_world()
        accepted_cycle(world, "2024-2025")
        cycle_2018 = accepted_cycle(world, "2025-2026")
        cycle_57 = accepted_cycle(world, "2026-2027")
        assert (cycle_2018.framework.regime, cycle_57.framework.regime) == ("2018", "tt57")
        registrations = {
            "2018": register(world, cycle_2018),
            "tt57": register(world, cycle_57, wants_accreditation=False),
        }
        on_team = evaluator(world, "dgv_ma_tran", "Quách Văn Định")
        users = {
            "C": world.officer_commune_a,
            "D": world.officer_district,
            "S": world.officer_province,
            "U": world.officer_committee,
            "X": world.officer_other_province,
            "P": world.principal_a,
            "E": on_team.user,
            "A": world.admin,
        }
        yield world, registrations, on_team, users


# --- Preparing each action (by the system), and the call -------------------------------------------------------------


def _accepted(registration) -> Registration:
    return evaluation.registration_decide(actor=None, registration=registration, accept=True)


def _team(registration, on_team) -> Team:
    """An accepted registration's team, its evaluator E on it, every criterion agreed at Mức 2, the report final."""
    today = timezone.localdate()
    team = evaluation.team_establish(
        actor=None,
        registration=_accepted(registration),
        data=evaluation.TeamInput(issuer="Sở GD&ĐT", dossier_from=today, ends_on=today, final_report_on=today),
    )
    evaluation.member_add(actor=None, team=team, evaluator=on_team, role="leader")
    criteria = Criterion.objects.filter(version=registration.cycle.framework)
    TeamRating.objects.bulk_create(TeamRating(team=team, criterion=c, level=min(2, c.max_level)) for c in criteria)
    EvaluationReport.objects.create(team=team, status="final", finalised_at=timezone.now())
    return Team.objects.select_related("registration__school__unit", "registration__cycle__framework").get(pk=team.pk)


def _decision(world, regime: str, kind: str) -> Decision:
    """A decision of that regime and kind to correct or revoke, entered by the system. TT57 has no accreditation
    grade, so that one cannot be entered at all: it is written directly (as an imported record would be)."""
    if regime == "tt57" and kind == ACC:
        signed = SIGNED[regime]
        return Decision.objects.create(
            school=world.school_a,
            kind=kind,
            regime="tt57",
            level=2,
            decided_on=signed,
            valid_from=signed,
            valid_until=date(2032, 6, 1),
        )
    return decision_record(
        actor=None,
        school=world.school_a,
        data=DecisionInput(kind=kind, level=1, decided_on=SIGNED[regime], number="1/QĐ"),
    )


def _call(world, registrations, on_team, regime: str, action: str, kind: str):
    """(prepare, act): prepare runs as the system and returns what act needs; act(user) performs the action."""
    registration = registrations[regime]
    if action == "registration_decide":
        return lambda: registration, lambda user, reg: evaluation.registration_decide(
            actor=user, registration=reg, accept=True
        )
    if action == "team_form":
        return lambda: _accepted(registration), lambda user, reg: evaluation.team_establish(
            actor=user,
            registration=reg,
            data=evaluation.TeamInput(issuer="Sở GD&ĐT", dossier_from=date(2027, 3, 1), ends_on=date(2027, 5, 1)),
        )
    if action == "result_publish":
        from kiemdinh.evaluation.services.publication import publication_publish

        return lambda: _team(registration, on_team), lambda user, team: publication_publish(
            actor=user, team=team, summary="Trường đạt Mức 2."
        )
    if action == "decision_issue":

        def issue(user, team):
            """Issued when the call issued this kind: one call issues what the user's body issues, so the other
            body's decision of the same team may be issued by it while this kind is not."""
            issued = decisions_issue(  # signed after the final report (today); the regime is the team's
                actor=user, team=team, decided_on=team.final_report_on, number_accreditation="1", number_national="2"
            )
            return kind in {d.kind for d in issued}

        return lambda: _team(registration, on_team), issue
    if action == "decision_enter":
        return lambda: None, lambda user, _: decision_record(
            actor=user,
            school=world.school_a,
            data=DecisionInput(kind=kind, level=1, decided_on=SIGNED[regime], number="9/QĐ"),
        )
    if action == "decision_correct":
        return lambda: _decision(world, regime, kind), lambda user, decision: decision_correct(
            actor=user,
            decision=decision,
            data=Correction(number="1/QĐ-ĐC", decided_on=decision.decided_on, valid_until=decision.valid_until),
            reason="Sửa số quyết định",
        )
    return lambda: _decision(world, regime, kind), lambda user, decision: decision_revoke(
        actor=user, decision=decision, revoked_on=decision.decided_on, reason="Không còn đạt chuẩn"
    )


def _state() -> tuple:
    """What a refused call must leave as it was."""
    return (
        AuditEvent.objects.count(),
        list(Registration.objects.order_by("pk").values_list("status", "decided_by")),
        list(Team.objects.order_by("pk").values_list("pk", "issuer")),
        list(Publication.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(Decision.objects.order_by("pk").values_list("pk", "number", "revoked_on", "revoked_reason")),
        Decision.history.count(),
    )


def test_the_matrix_covers_the_rule_table():
    assert set(EXPECTED) == set(authority.RULES)


def test_every_action_for_every_persona_in_both_regimes(matrix):
    """Through the services: allowed calls succeed, refused ones raise PermissionDenied naming a body (or saying the
    regime has no such act) and change nothing. The verdict of authorise() agrees with both."""
    world, registrations, on_team, users = matrix
    mismatches, changed = [], []
    for (regime, action, kind), allowed in EXPECTED.items():
        prepare, act = _call(world, registrations, on_team, regime, action, kind)
        for persona in PERSONAS:
            user = users[persona]
            with transaction.atomic():
                target = prepare()
                verdict = authority.authorise(
                    user, action=action, school=world.school_a, regime=regime, kind=kind if kind else ""
                )
                before = _state()
                try:
                    done = act(user, target)
                except PermissionDenied as refusal:
                    got, message = "refused", str(refusal)
                    if _state() != before:
                        changed.append((regime, action, kind, persona))
                else:
                    got, message = ("refused", "(the other kind only)") if done is False else ("allowed", "")
                transaction.set_rollback(True)
            want = "allowed" if persona in allowed else "refused"
            if got != want or verdict.allowed != (want == "allowed"):
                mismatches.append((regime, action, kind, persona, got, verdict.allowed, want, message[:90]))
            if got == "refused" and message != "(the other kind only)":
                assert "thực hiện" in message or "không còn" in message, message
    assert not mismatches, "\n".join(map(str, mismatches))
    assert not changed, f"refused calls that changed something: {changed}"


def test_refusals_name_the_body_that_may(matrix):
    world, _, _, users = matrix
    cases = (
        ("2018", Action.DECISION_REVOKE, NAT, "Ủy ban nhân dân tỉnh Thử Nghiệm"),
        ("2018", Action.DECISION_ENTER, ACC, "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"),
        ("2018", Action.REGISTRATION_DECIDE, "", "Phòng Giáo dục và Đào tạo Huyện Đông Sơn hoặc Sở Giáo dục"),
        ("tt57", Action.DECISION_ISSUE, NAT, "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"),
        ("tt57", Action.DECISION_ENTER, ACC, "Thông tư 57/2026 không còn cấp độ kiểm định"),
    )
    for regime, action, kind, named in cases:
        verdict = authority.authorise(users["C"], action=action, school=world.school_a, regime=regime, kind=kind)
        assert not verdict.allowed and named in verdict.message, verdict.message


# --- The pages -------------------------------------------------------------------------------------------------------

# Pages that perform an action: (action, the URL for the prepared object, the form sent). Outsiders of school A (X and
# E, who sees A only through an open team) get 404, the rest of the refused 403.
PAGES = {
    "registration_decide": (
        lambda reg: reverse("evaluation:registration_decide", args=[reg.pk]),
        {"decision": "accept"},
    ),
    "team_form": (
        lambda reg: reverse("evaluation:team_establish", args=[reg.pk]),
        {"issuer": "Sở GD&ĐT", "dossier_from": "01/03/2027", "ends_on": "01/05/2027"},
    ),
    "result_publish": (lambda team: reverse("result:publish", args=[team.pk]), {"summary": "Trường đạt Mức 2."}),
    "decision_enter": (None, {"level": "1", "recognition_round": "first", "number": "9/QĐ"}),
    "decision_correct": (
        lambda d: reverse("recognition:correct", args=[d.pk]),
        {"number": "1/QĐ-ĐC", "reason": "Sửa số quyết định"},
    ),
    "decision_revoke": (
        lambda d: reverse("recognition:revoke", args=[d.pk]),
        {"revoked_reason": "Không còn đạt chuẩn", "confirm": "on"},
    ),
}


def test_every_action_page_for_every_persona(matrix):
    world, registrations, on_team, users = matrix
    clients = {}
    for persona, user in users.items():
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(user)
    mismatches = []
    for (regime, action, kind), allowed in EXPECTED.items():
        if action not in PAGES:
            continue  # issuing: its page is checked in test_issuing (each body issues its own decision)
        prepare, _ = _call(world, registrations, on_team, regime, action, kind)
        url_of, data = PAGES[action]
        for persona in PERSONAS:
            with transaction.atomic():
                target = prepare()
                form = dict(data)
                if action == "decision_enter":
                    url = reverse("recognition:school", args=[world.school_a.pk])
                    form.update(kind=kind, decided_on=f"{SIGNED[regime]:%d/%m/%Y}")
                else:
                    url = url_of(target)
                if action in ("decision_correct", "decision_revoke"):
                    form.update(
                        decided_on=f"{target.decided_on:%d/%m/%Y}",
                        valid_until=f"{target.valid_until:%d/%m/%Y}",
                        revoked_on=f"{target.decided_on:%d/%m/%Y}",
                    )
                before = _state()
                response = clients[persona].post(url, form)
                after = _state()
                transaction.set_rollback(True)
            got = "allowed" if response.status_code == 302 else "refused"
            want = "allowed" if persona in allowed else "refused"
            refused_right = response.status_code in (403, 404) and after == before
            if got != want or (want == "refused" and not refused_right):
                mismatches.append((regime, action, kind, persona, response.status_code, want))
    assert not mismatches, "\n".join(map(str, mismatches))
