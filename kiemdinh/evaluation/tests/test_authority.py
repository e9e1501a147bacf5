"""Issue #18 §3 for the external evaluation: who accepts registrations and forms teams (the rule table, in both trees),
conflicts of interest by person, evaluators losing the team's pages at its end, and an evaluator form that does not tell
which usernames exist. The first test of each part reproduces the defect as found (it fails on the code before)."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kiemdinh.accounts.models import Membership, Role
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.core.audit import AuditEvent
from kiemdinh.evaluation.models import Evaluator, Registration, Team
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.evaluation.tests.helpers import accepted_cycle, accepted_team, evaluator, register
from kiemdinh.improvement import services as improvement
from kiemdinh.selfassessment.council.services import council_member_create
from kiemdinh.selfassessment.models import CouncilRole
from kiemdinh.testing.world import PASSWORD
from kiemdinh.units.models import AdministrativeUnit
from kiemdinh.units.services import school_create, unit_create
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db

TEAM_POST = {
    "issuer": "Sở Giáo dục và Đào tạo Tỉnh Thử Nghiệm",
    "decision_number": "125/QĐ-SGDĐT",
    "decision_on": "02/03/2026",
    "dossier_from": "02/03/2026",
    "ends_on": "29/05/2026",
}


# --- Registrations and teams: the rule table ---------------------------------------------------------------------------


def test_a_commune_officer_cannot_form_the_sos_team(client, world, frameworks_loaded):
    """Reproduction: the commune officer established the team the Sở decides on."""
    registration = register(world, accepted_cycle(world))
    svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    client.force_login(world.officer_commune_a)
    response = client.post(reverse("evaluation:team_establish", args=[registration.pk]), TEAM_POST)
    assert response.status_code == 403
    assert not Team.objects.exists()


def test_who_accepts_registrations_and_forms_teams(client, world, frameworks_loaded):
    registration = register(world, accepted_cycle(world))
    events = AuditEvent.objects.count()
    for actor in (world.officer_commune_a, world.officer_committee, world.principal_a, world.admin):
        with pytest.raises(PermissionDenied) as refused:
            svc.registration_decide(actor=actor, registration=registration, accept=True)
        assert "Phòng Giáo dục và Đào tạo Huyện Đông Sơn hoặc Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm" in str(
            refused.value
        )
    registration.refresh_from_db()
    assert registration.status == "submitted" and AuditEvent.objects.count() == events
    # The commune's officer follows the registration, and is told who decides.
    client.force_login(world.officer_commune_a)
    page = client.get(reverse("evaluation:registration_detail", args=[registration.pk])).text
    assert 'data-testid="decision"' not in page and 'data-testid="decide-elsewhere"' in page
    listing = client.get(reverse("evaluation:unit_registrations", args=[world.commune_a.pk])).text
    assert "Chấp nhận</button>" not in listing
    svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    team_data = svc.TeamInput(issuer="Sở GD&ĐT", dossier_from=date(2026, 3, 2), ends_on=date(2026, 5, 29))
    for actor in (world.officer_district, world.officer_commune_a, world.officer_committee):
        with pytest.raises(PermissionDenied):
            svc.team_establish(actor=actor, registration=registration, data=team_data)
    team = svc.team_establish(actor=world.officer_province, registration=registration, data=team_data)
    # Its decision, members and their criteria are the Sở's too.
    someone = evaluator(world, "dgv_x", "Phạm Văn Trưởng")
    with pytest.raises(PermissionDenied):
        svc.team_update(actor=world.officer_district, team=team, data=team_data)
    with pytest.raises(PermissionDenied):
        svc.member_add(actor=world.officer_district, team=team, evaluator=someone, role="leader")
    member = svc.member_add(actor=world.officer_province, team=team, evaluator=someone, role="leader")
    with pytest.raises(PermissionDenied):
        svc.member_remove(actor=world.officer_commune_a, member=member)
    assert team.members.count() == 1
    client.force_login(world.officer_district)
    page = client.get(reverse("evaluation:team", args=[team.pk])).text
    assert 'data-testid="member-form"' not in page and 'data-testid="team-elsewhere"' in page
    assert client.get(reverse("evaluation:team_edit", args=[team.pk])).status_code == 403
    assert client.get(reverse("evaluation:member_assign", args=[team.pk, member.pk])).status_code == 403


def test_the_district_acts_only_while_it_exists(world, frameworks_loaded):
    """Both trees: once the district is dissolved (1/7/2025 in the real tree), its Phòng GD&ĐT no longer accepts
    registrations and the Sở does; a school of the two-level tree (a commune right under the province) has the Sở."""
    registration = register(world, accepted_cycle(world))
    AdministrativeUnit.objects.filter(pk=world.district.pk).update(dissolved_on=timezone.localdate())
    with pytest.raises(PermissionDenied) as refused:
        svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    assert "do Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm thực hiện" in str(refused.value)  # the Phòng is gone
    svc.registration_decide(actor=world.officer_province, registration=registration, accept=True)

    commune = unit_create(actor=None, code="P01-X", name="Phường Mới", kind="commune", parent=world.province)
    school = school_create(actor=None, code="SN", name="Trường Tiểu học Phường Mới", school_type="TH", unit=commune)
    principal = user_create(actor=None, username="hieutruong_n", password=PASSWORD, full_name="Đỗ Văn Nam")
    membership_grant(actor=None, user=principal, role=Role.PRINCIPAL, school=school)
    officer = user_create(actor=None, username="canbo_phuong", password=PASSWORD, full_name="Mai Thị Hà")
    membership_grant(actor=None, user=officer, role=Role.OFFICER, unit=commune)
    from kiemdinh.selfassessment.tests.builders import complete_dossier
    from kiemdinh.workflow.services import cycle_accept, cycle_submit

    cycle = cycle_open(actor=principal, school=school, school_year="2025-2026")
    complete_dossier(cycle, principal)
    cycle_submit(actor=principal, cycle=cycle)
    cycle_accept(actor=officer, cycle=cycle)
    new = svc.registration_submit(
        actor=principal, cycle=cycle, wants_accreditation=True, wants_national_standard=True,
        recognition_round="first", cohort_completed=True, cohort_note="Khóa 2020-2025",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # the commune's People's Committee manages it, the Sở evaluates it
        svc.registration_decide(actor=officer, registration=new, accept=True)
    svc.registration_decide(actor=world.officer_province, registration=new, accept=True)
    assert Registration.objects.get(pk=new.pk).status == "accepted"


# --- Conflicts of interest by person -----------------------------------------------------------------------------------


def _linked(world, user, full_name=None, unit=None):
    """The person's account as an evaluator of the province's network."""
    return svc.evaluator_save(
        actor=None,
        data=svc.EvaluatorInput(
            full_name=full_name or user.full_name, unit=unit or world.province, levels=("primary",), user=user
        ),
    )


def test_the_schools_council_secretary_is_refused_as_leader_of_its_team(world, frameworks_loaded):
    """Reproduction: the Thanh Chấn council secretary's account was accepted as leader of her own school's team."""
    team = accepted_team(world)
    team.members.filter(role="leader").delete()
    secretary = svc.evaluator_save(
        actor=world.officer_district,
        data=svc.EvaluatorInput(
            full_name=world.secretary_a.full_name, unit=world.province, levels=("primary",), user=world.secretary_a
        ),
    )
    with pytest.raises(ValidationError) as refused:  # by the system: the conflict, whoever forms the team
        svc.member_add(actor=None, team=team, evaluator=secretary, role="leader")
    assert "Thư ký" in " ".join(refused.value.messages)
    assert not team.members.filter(evaluator=secretary).exists()


def test_ties_by_account_refuse_with_the_reason(world, frameworks_loaded):
    team = accepted_team(world)
    # A council member of another year whose account has since left the school; a former monitor likewise.
    later = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    council_member_create(
        actor=world.principal_a, cycle=later, full_name="Lê Văn Minh", role=CouncilRole.SECRETARY, user=world.member_a
    )
    plan = improvement.plan_create(actor=world.principal_a, cycle=later)
    improvement.monitor_add(actor=world.principal_a, plan=plan, full_name="", user=world.principal_a)
    Membership.objects.filter(user__in=[world.member_a, world.principal_a]).update(is_active=False)
    cases = (
        (world.member_a, "Thư ký Hội đồng tự đánh giá của Trường Tiểu học An Bình (năm học 2026-2027)"),
        (world.principal_a, "thành viên tổ giám sát kế hoạch cải tiến chất lượng của Trường Tiểu học An Bình"),
        (world.officer_commune_a, "cán bộ của Xã An Bình, đơn vị quản lý Trường Tiểu học An Bình"),
        (world.officer_district, "cán bộ của Huyện Đông Sơn, đơn vị quản lý Trường Tiểu học An Bình"),
    )
    for user, why in cases:
        person = _linked(world, user)
        with pytest.raises(ValidationError) as refused:
            svc.member_add(actor=world.officer_province, team=team, evaluator=person, role="member", namesake_note="x")
        message = " ".join(refused.value.messages)
        assert why in message and f"(tài khoản {user.username})" in message, message
    # The network record's own unit and school.
    own_unit = evaluator(world, "dgv_huyen", "Ngô Văn Huyện", unit=world.district)
    with pytest.raises(ValidationError) as refused:
        svc.member_add(actor=world.officer_province, team=team, evaluator=own_unit, role="member")
    assert "công tác tại Huyện Đông Sơn, đơn vị quản lý" in " ".join(refused.value.messages)
    # Nothing was added, nor recorded: the two members of accepted_team only.
    assert team.members.count() == 2 and AuditEvent.objects.filter(event_type="team.member_added").count() == 2
    # An officer of another commune of the same district, or of the province, is no tie.
    other = user_create(actor=None, username="canbo_xa_b", password=PASSWORD, full_name="Võ Thị Bích")
    membership_grant(actor=None, user=other, role=Role.OFFICER, unit=world.commune_b)
    svc.member_add(actor=world.officer_province, team=team, evaluator=_linked(world, other), role="member")
    svc.member_add(
        actor=world.officer_province, team=team, evaluator=_linked(world, world.officer_province), role="member"
    )
    assert team.members.count() == 4


def test_a_namesake_needs_the_officers_confirmation_with_a_reason(client, world, frameworks_loaded):
    team = accepted_team(world)
    later = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    council_member_create(
        actor=world.principal_a, cycle=later, full_name="Nguyễn Thị Hồng Nhung", role=CouncilRole.MEMBER
    )
    namesake = evaluator(world, "dgv_nhung", "Nguyen Thi Hong Nhung")  # typed without diacritics: the same name
    with pytest.raises(ValidationError) as refused:
        svc.member_add(actor=world.officer_province, team=team, evaluator=namesake, role="member")
    assert "namesake_note" in refused.value.error_dict
    message = " ".join(refused.value.messages)
    assert "trùng với Nguyễn Thị Hồng Nhung, Ủy viên Hội đồng tự đánh giá của Trường Tiểu học An Bình" in message
    assert not team.members.filter(evaluator=namesake).exists()
    # On the page: the confirmation field answers it; the reason is kept on the member and in the audit log.
    client.force_login(world.officer_province)
    url = reverse("evaluation:team", args=[team.pk])
    response = client.post(url, {"evaluator": namesake.pk, "role": "member"})
    assert response.status_code == 200 and "hãy ghi lý do xác nhận" in response.text
    reason = "Đánh giá viên sinh năm 1975, công tác tại Sở từ 2010; ủy viên hội đồng là giáo viên sinh năm 1990."
    response = client.post(url, {"evaluator": namesake.pk, "role": "member", "namesake_note": reason})
    assert response.status_code == 302
    member = team.members.get(evaluator=namesake)
    assert member.namesake_note == reason
    event = AuditEvent.objects.filter(event_type="team.member_added").latest("id")
    assert event.data["namesake_note"] == reason and "Nguyễn Thị Hồng Nhung" in event.data["namesakes"][0]
    assert reason in client.get(url).text
    # A different name is not asked about.
    other = evaluator(world, "dgv_khac", "Nguyễn Thị Hồng Nhân")
    svc.member_add(actor=world.officer_province, team=team, evaluator=other, role="member")
    assert team.members.get(evaluator=other).namesake_note == ""


# --- The team's end ----------------------------------------------------------------------------------------------------


def test_evaluators_lose_the_team_review_pages_at_the_teams_end(client, world, frameworks_loaded):
    """Reproduction: after the team's last day its members still opened the reviews, ratings and report."""
    today = timezone.localdate()
    team = accepted_team(world, start=today - timedelta(days=60), end=today - timedelta(days=1))
    leader = team.members.get(role="leader").evaluator.user
    client.force_login(leader)
    for name, args in (("home", []), ("review", ["1.1"]), ("ratings", []), ("report", [])):
        url = reverse(f"evaluation_work:{name}", args=[team.pk, *args])
        assert client.get(url).status_code == 404, name


def test_the_team_pages_open_and_close_with_the_dossier(client, world, frameworks_loaded):
    """One rule with the dossier (Team.is_open): before the first day, during, after the last day."""
    today = timezone.localdate()
    team = accepted_team(world, start=today + timedelta(days=3), end=today + timedelta(days=40))
    leader = team.members.get(role="leader").evaluator.user
    cycle = team.registration.cycle
    pages = [
        reverse("evaluation_work:home", args=[team.pk]),
        reverse("evaluation_work:review", args=[team.pk, "1.1"]),
        reverse("evaluation_work:ratings", args=[team.pk]),
        reverse("evaluation_work:report", args=[team.pk]),
        reverse("documents:evaluation_report", args=[team.pk, "docx"]),
        reverse("workflow:cycle_detail", args=[cycle.pk]),
    ]

    def statuses():
        client.force_login(leader)
        return [client.get(url).status_code for url in pages]

    assert statuses() == [404] * len(pages)  # not yet
    Team.objects.filter(pk=team.pk).update(dossier_from=today - timedelta(days=3))
    assert statuses() == [200] * len(pages)
    client.force_login(leader)
    team_page = client.get(reverse("evaluation:team", args=[team.pk])).text
    assert reverse("evaluation_work:home", args=[team.pk]) in team_page
    Team.objects.filter(pk=team.pk).update(ends_on=today - timedelta(days=1))
    assert statuses() == [404] * len(pages)  # over
    client.force_login(leader)
    team_page = client.get(reverse("evaluation:team", args=[team.pk]))  # their appointment stays visible
    assert team_page.status_code == 200 and reverse("evaluation_work:home", args=[team.pk]) not in team_page.text
    client.force_login(world.officer_district)  # the officers above the school keep reading the team's work
    assert client.get(pages[0]).status_code == 200 and client.get(pages[2]).status_code == 200


# --- The evaluator form ------------------------------------------------------------------------------------------------


def _errors(html: str, username: str) -> list[str]:
    return re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', html.replace(username, "USERNAME"), re.S)


def test_the_evaluator_form_does_not_tell_which_usernames_exist(client, world):
    """Reproduction: "no such account" for an unknown username, while another province's officer's account was
    linked (and given the evaluator role)."""
    client.force_login(world.officer_district)
    data = {"full_name": "Trần Văn Đánh", "unit": world.district.pk, "levels": ["primary"], "is_active": "on"}
    missing = client.post(reverse("evaluation:evaluator_add"), {**data, "username": "khong_co_ai"})
    existing = client.post(
        reverse("evaluation:evaluator_add"), {**data, "username": world.officer_other_province.username}
    )
    assert missing.status_code == existing.status_code == 200
    assert _errors(missing.text, "khong_co_ai") == _errors(existing.text, world.officer_other_province.username)
    assert not Evaluator.objects.exists()


def test_only_accounts_within_reach_are_linked_and_every_refusal_reads_the_same(client, world):
    client.force_login(world.officer_district)
    add = reverse("evaluation:evaluator_add")
    data = {"full_name": "Trần Văn Đánh", "unit": world.district.pk, "levels": ["primary"], "is_active": "on"}
    fresh = user_create(actor=None, username="dgv_moi", password=PASSWORD, full_name="Bùi Văn Mới")  # no role yet
    teacher = user_create(actor=None, username="giaovien_b", password=PASSWORD, full_name="Trần Văn Đánh")
    membership_grant(actor=None, user=teacher, role=Role.STAFF, school=world.school_b)  # in the district's reach
    linked_elsewhere = user_create(actor=None, username="dgv_cu", password=PASSWORD, full_name="Bạch Văn Cũ")
    _linked(world, linked_elsewhere)
    refused = {
        "khong_co_ai": "no such account",
        world.admin.username: "a system administrator",
        world.officer_other_province.username: "another province's officer",
        linked_elsewhere.username: "already another evaluator's",
        fresh.username: "no role the officer manages (an admin links it)",
    }
    answers = set()
    for username in refused:
        response = client.post(add, {**data, "username": username})
        assert response.status_code == 200, username
        (answer,) = _errors(response.text, username)
        answers.add(answer)
    assert len(answers) == 1 and "Không gắn được tài khoản" in answers.pop()
    assert not Evaluator.objects.filter(full_name="Trần Văn Đánh").exists()
    assert not Membership.objects.filter(user=world.officer_other_province, role=Role.EVALUATOR).exists()
    response = client.post(add, {**data, "username": teacher.username})  # a teacher of the district: linked
    assert response.status_code == 302
    assert Evaluator.objects.get(full_name="Trần Văn Đánh").user == teacher
    assert Membership.objects.filter(user=teacher, role=Role.EVALUATOR).exists()
    client.force_login(world.admin)  # the administrator links the role-less account
    response = client.post(add, {**data, "full_name": "Bùi Văn Mới", "username": fresh.username})
    assert response.status_code == 302 and Evaluator.objects.get(full_name="Bùi Văn Mới").user == fresh
