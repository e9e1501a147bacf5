from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kiemdinh.evaluation.models import Evaluator, Registration, Team, TeamMember
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.evaluation.tests.helpers import accepted_cycle, accepted_team, evaluator, register, team_for
from kiemdinh.frameworks.models import Criterion
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db

REGISTRATION_POST = {
    "wants_accreditation": "on",
    "wants_national_standard": "on",
    "recognition_round": "first",
    "cohort_completed": "on",
    "cohort_note": "Khóa 2020-2025 hoàn thành chương trình tiểu học",
}

TEAM_POST = {
    "issuer": "Sở Giáo dục và Đào tạo Tỉnh Thử Nghiệm",
    "decision_number": "125/QĐ-SGDĐT",
    "decision_on": "02/03/2026",
    "signer_name": "Nguyễn Văn Giám",
    "dossier_from": "02/03/2026",
    "dossier_to": "20/03/2026",
    "preliminary_on": "25/03/2026",
    "official_from": "06/04/2026",
    "official_to": "08/04/2026",
    "draft_report_on": "20/04/2026",
    "feedback_until": "30/04/2026",
    "final_report_on": "15/05/2026",
    "ends_on": "29/05/2026",
}


def login(client, user):
    client.force_login(user)
    return client


def accepted_registration(world, cycle=None):
    registration = register(world, cycle or accepted_cycle(world))
    return svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)


# --- The school's registration --------------------------------------------------------------------------------------


def test_principal_sees_eligibility_registers_and_withdraws(client, world, frameworks_loaded):
    cycle = accepted_cycle(world)
    login(client, world.principal_a)
    url = reverse("evaluation:registration", args=[cycle.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Mức 3" in page.text and "đủ điều kiện" in page.text and 'data-testid="registration-form"' in page.text

    # No cohort completed, nothing asked for: every reason, nothing saved.
    response = client.post(url, {"recognition_round": "first"})
    assert response.status_code == 200
    assert "chưa có khóa học sinh" in response.text and "Hãy chọn đề nghị công nhận" in response.text
    assert not Registration.objects.exists()

    response = client.post(url, REGISTRATION_POST)
    assert response.status_code == 302 and response["Location"] == url
    registration = Registration.objects.get()
    assert registration.status == "submitted" and registration.requested_level == 3
    page = client.get(url).text
    assert "Đã đăng ký, chờ xem xét" in page and 'data-testid="registration-form"' not in page

    client.post(reverse("evaluation:registration_withdraw", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    assert 'data-testid="registration-form"' in client.get(url).text  # may register again


def test_cohort_evidence_is_chosen_from_the_cycle_register(client, world, frameworks_loaded):
    from kiemdinh.evidence.models import CycleEvidence

    cycle = accepted_cycle(world)  # the builders put one evidence item per criterion in the register
    link = CycleEvidence.objects.filter(cycle=cycle).select_related("evidence").order_by("code").first()
    login(client, world.principal_a)
    url = reverse("evaluation:registration", args=[cycle.pk])
    assert link.code in client.get(url).text
    response = client.post(url, {**REGISTRATION_POST, "cohort_note": "", "cohort_evidence": "999999"})
    assert response.status_code == 200 and "không có trong danh mục" in response.text
    assert not Registration.objects.exists()
    client.post(url, {**REGISTRATION_POST, "cohort_note": "", "cohort_evidence": link.pk})
    assert Registration.objects.get().cohort_evidence == link.evidence


def test_cycle_not_accepted_shows_the_reason_and_no_form(client, world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    login(client, world.principal_a)
    page = client.get(reverse("evaluation:registration", args=[cycle.pk])).text
    assert "chưa được cơ quan quản lý chấp nhận" in page and 'data-testid="registration-form"' not in page
    response = client.post(reverse("evaluation:registration", args=[cycle.pk]), REGISTRATION_POST)
    assert response.status_code == 200 and "chưa được cơ quan quản lý chấp nhận" in response.text
    assert not Registration.objects.exists()


def test_registration_page_access_per_persona(client, world, frameworks_loaded):
    cycle = accepted_cycle(world)
    url = reverse("evaluation:registration", args=[cycle.pk])
    login(client, world.member_a)
    page = client.get(url)
    assert page.status_code == 200 and "Hiệu trưởng gửi đăng ký" in page.text
    assert client.post(url, REGISTRATION_POST).status_code == 403
    for user in (world.principal_b, world.officer_other_province, world.evaluator):
        login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, REGISTRATION_POST).status_code == 404
    assert not Registration.objects.exists()
    registration = register(world, cycle)
    login(client, world.member_a)
    assert client.post(reverse("evaluation:registration_withdraw", args=[registration.pk])).status_code == 403
    login(client, world.principal_b)
    assert client.post(reverse("evaluation:registration_withdraw", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "submitted"


# --- The authority ---------------------------------------------------------------------------------------------------


def test_officer_returns_with_comment_then_accepts_and_establishes(client, world, frameworks_loaded):
    cycle = accepted_cycle(world)
    registration = register(world, cycle)
    login(client, world.officer_district)
    listing = reverse("evaluation:unit_registrations", args=[world.district.pk])
    page = client.get(listing)
    assert page.status_code == 200 and page.text.count('data-testid="registration-row"') == 1
    assert client.get(listing + "?trang-thai=accepted").text.count('data-testid="registration-row"') == 0

    decide = reverse("evaluation:registration_decide", args=[registration.pk])
    response = client.post(decide, {"decision": "return", "comment": "", "next": listing}, follow=True)
    assert "Hãy ghi lý do trả lại" in response.text
    registration.refresh_from_db()
    assert registration.status == "submitted"
    response = client.post(
        decide, {"decision": "return", "comment": "Bổ sung minh chứng khóa học sinh.", "next": listing}
    )
    assert response.status_code == 302 and response["Location"] == listing
    registration.refresh_from_db()
    assert registration.status == "returned"

    # The school sees the comment and registers again; the officer accepts from the detail page.
    login(client, world.principal_a)
    page = client.get(reverse("evaluation:registration", args=[cycle.pk])).text
    assert "Bổ sung minh chứng khóa học sinh." in page and "Bị trả lại" in page
    client.post(reverse("evaluation:registration", args=[cycle.pk]), REGISTRATION_POST)
    second = Registration.objects.get(status="submitted")
    login(client, world.officer_district)
    client.post(reverse("evaluation:registration_decide", args=[second.pk]), {"decision": "accept"})
    second.refresh_from_db()
    assert second.status == "accepted"
    detail = client.get(reverse("evaluation:registration_detail", args=[second.pk])).text
    # The district accepts registrations; the team is the Sở's (the rule table): the district is told so.
    assert 'data-testid="establish-team"' not in detail and 'data-testid="team-elsewhere"' in detail
    establish = reverse("evaluation:team_establish", args=[second.pk])
    refused = client.post(establish, TEAM_POST)
    assert refused.status_code == 403 and "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm" in refused.text
    assert not Team.objects.exists()
    login(client, world.officer_province)
    detail = client.get(reverse("evaluation:registration_detail", args=[second.pk])).text
    assert 'data-testid="establish-team"' in detail
    assert "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm" in client.get(establish).text
    bad = client.post(establish, {**TEAM_POST, "preliminary_on": "01/02/2026"})
    assert bad.status_code == 200 and "không thể trước ngày" in bad.text and not Team.objects.exists()
    response = client.post(establish, TEAM_POST)
    team = Team.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:team", args=[team.pk])
    assert team.preliminary_on == date(2026, 3, 25) and team.ends_on == date(2026, 5, 29)
    assert client.get(establish).status_code == 302  # a second team is not offered


def test_only_officers_above_the_school_decide(client, world, frameworks_loaded):
    registration = register(world, accepted_cycle(world))
    decide = reverse("evaluation:registration_decide", args=[registration.pk])
    login(client, world.principal_a)
    assert client.get(reverse("evaluation:registration_detail", args=[registration.pk])).status_code == 200
    assert client.post(decide, {"decision": "accept"}).status_code == 403
    login(client, world.officer_other_province)
    assert client.post(decide, {"decision": "accept"}).status_code == 404
    assert client.get(reverse("evaluation:unit_registrations", args=[world.district.pk])).status_code == 404
    login(client, world.principal_b)
    assert client.get(reverse("evaluation:registration_detail", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_team_members_conflicts_criteria_and_dates(client, world, frameworks_loaded):
    registration = accepted_registration(world)
    team = team_for(world, registration)
    leader = evaluator(world, "dgv_1", "Phạm Văn Trưởng")
    member = evaluator(world, "dgv_2", "Lê Thị Viên")
    conflicted = evaluator(world, "dgv_3", "Cán Bộ Xã", unit=world.commune_a)
    evaluator(world, "dgv_4", "Cô Mầm Non", levels=("kindergarten",))  # not offered for a primary school
    login(client, world.officer_province)
    url = reverse("evaluation:team", args=[team.pk])
    page = client.get(url).text
    assert "Phạm Văn Trưởng" in page and "Cán Bộ Xã" in page and "Cô Mầm Non" not in page

    client.post(url, {"evaluator": leader.pk, "role": "leader"})
    client.post(url, {"evaluator": member.pk, "role": "member"})
    response = client.post(url, {"evaluator": conflicted.pk, "role": "member"})
    assert response.status_code == 200
    assert "đơn vị quản lý" in response.text and "Không thể phân công" in response.text
    response = client.post(url, {"evaluator": member.pk, "role": "leader"})
    assert "không có trong danh sách" in response.text  # already on the team
    assert list(team.members.values_list("evaluator__full_name", flat=True)) == ["Phạm Văn Trưởng", "Lê Thị Viên"]

    lead = team.members.get(role="leader")
    criteria = list(Criterion.objects.filter(version=registration.cycle.framework).order_by("position"))
    assign = reverse("evaluation:member_assign", args=[team.pk, lead.pk])
    assert "chưa ai phụ trách" in client.get(assign).text
    client.post(assign, {"criteria": [c.pk for c in criteria if c.code.startswith("1.")]})
    assert set(lead.criteria.values_list("code", flat=True)) == {c.code for c in criteria if c.code.startswith("1.")}
    page = client.get(url).text
    assert 'data-testid="unassigned"' in page and "2.1" in page
    other = reverse("evaluation:member_assign", args=[team.pk, team.members.get(role="member").pk])
    assert "đang giao: Phạm Văn Trưởng" in client.get(other).text
    assert client.post(other, {"criteria": ["999999"]}).status_code == 200  # unknown criterion: nothing saved
    assert not team.members.get(role="member").criteria.exists()

    client.post(reverse("evaluation:member_remove", args=[team.pk, team.members.get(role="member").pk]))
    assert team.members.count() == 1

    edit = reverse("evaluation:team_edit", args=[team.pk])
    bad = client.post(edit, {**TEAM_POST, "ends_on": "01/03/2026"})
    assert bad.status_code == 200 and "không thể trước ngày" in bad.text
    team.refresh_from_db()
    assert team.ends_on == date(2026, 5, 29)
    client.post(edit, {**TEAM_POST, "ends_on": "05/06/2026"})
    team.refresh_from_db()
    assert team.ends_on == date(2026, 6, 5) and team.official_from == date(2026, 4, 6)


def test_team_page_access_and_timeline(client, world, frameworks_loaded):
    today = timezone.localdate()
    team = accepted_team(world, start=today - timedelta(days=3), end=today + timedelta(days=30))
    url = reverse("evaluation:team", args=[team.pk])
    leader = team.members.get(role="leader").evaluator.user
    login(client, leader)
    page = client.get(url)
    assert page.status_code == 200 and "Nghiên cứu hồ sơ" in page.text and 'data-testid="member-form"' not in page.text
    assert client.post(url, {"evaluator": 1, "role": "member"}).status_code == 403
    login(client, world.principal_a)
    assert client.get(url).status_code == 200
    assert client.get(reverse("evaluation:team_edit", args=[team.pk])).status_code == 403
    for user in (world.principal_b, world.officer_other_province, world.evaluator):
        login(client, user)
        assert client.get(url).status_code == 404


# --- The evaluator network -------------------------------------------------------------------------------------------


def test_officer_adds_and_edits_an_evaluator(client, world):
    login(client, world.officer_district)
    add = reverse("evaluation:evaluator_add")
    data = {
        "full_name": "Trần Văn Đánh",
        "title": "Phó trưởng phòng",
        "unit": world.district.pk,
        "levels": ["primary", "lower_secondary"],
        "username": "khong_co_ai",
        "is_active": "on",
    }
    response = client.post(add, data)
    assert response.status_code == 200 and "Không gắn được tài khoản “khong_co_ai”" in response.text
    response = client.post(add, {**data, "username": "", "levels": []})
    assert "Hãy chọn cấp học" in response.text
    response = client.post(add, {**data, "unit": world.other_province.pk, "username": ""})
    assert "không thuộc phạm vi quản lý" in response.text
    response = client.post(add, {**data, "school": world.school_b.pk, "unit": world.commune_a.pk, "username": ""})
    assert "không thuộc Xã An Bình" in response.text
    assert not Evaluator.objects.exists()

    response = client.post(add, {**data, "username": world.member_a.username})
    saved = Evaluator.objects.get()
    assert response.status_code == 302 and saved.user == world.member_a and saved.levels == "primary,lower_secondary"
    detail = client.get(reverse("evaluation:evaluator_detail", args=[saved.pk])).text
    assert "Tiểu học, Trung học cơ sở" in detail and "Chưa tham gia đoàn nào" in detail

    second = {**data, "full_name": "Người Thứ Hai", "username": world.member_a.username}
    response = client.post(add, second)  # already linked: the same answer as for an unknown username
    assert response.status_code == 200 and f"Không gắn được tài khoản “{world.member_a.username}”" in response.text
    assert Evaluator.objects.count() == 1
    client.post(reverse("evaluation:evaluator_edit", args=[saved.pk]), {**data, "username": "", "levels": ["primary"]})
    saved.refresh_from_db()
    assert saved.user is None and saved.levels == "primary" and saved.is_active

    listing = reverse("evaluation:evaluators")
    assert client.get(listing).text.count('data-testid="evaluator-row"') == 1
    assert client.get(listing + "?cap-hoc=kindergarten").text.count('data-testid="evaluator-row"') == 0
    assert client.get(listing + "?hoat-dong=0").text.count('data-testid="evaluator-row"') == 0


def test_network_visibility_and_participation_history(client, world, frameworks_loaded):
    team = accepted_team(world)  # two evaluators of the province
    leader = team.members.get(role="leader").evaluator
    login(client, world.officer_district)  # the province's evaluators are above the district
    assert client.get(reverse("evaluation:evaluators")).text.count('data-testid="evaluator-row"') == 0
    assert client.get(reverse("evaluation:evaluator_detail", args=[leader.pk])).status_code == 404
    login(client, world.admin)
    assert client.get(reverse("evaluation:evaluators")).text.count('data-testid="evaluator-row"') == 2
    page = client.get(reverse("evaluation:evaluator_detail", args=[leader.pk])).text
    assert world.school_a.name in page and "Trưởng đoàn" in page and "2025-2026" in page
    for user in (world.principal_a, world.evaluator):
        login(client, user)
        assert client.get(reverse("evaluation:evaluators")).status_code == 403


# --- An evaluator's own page -----------------------------------------------------------------------------------------


def test_evaluator_sees_the_dossier_only_while_the_team_works(client, world, frameworks_loaded):
    today = timezone.localdate()
    team = accepted_team(world, start=today - timedelta(days=1), end=today + timedelta(days=10))
    cycle_id = team.registration.cycle_id
    leader = team.members.get(role="leader").evaluator.user
    login(client, leader)
    page = client.get(reverse("evaluation:mine")).text
    assert 'data-testid="dossier-links"' in page and "Trưởng đoàn" in page and "Nghiên cứu hồ sơ" in page
    for url in (
        reverse("workflow:cycle_detail", args=[cycle_id]),
        reverse("evidence:list", args=[cycle_id]),
        reverse("documents:cycle", args=[cycle_id]),
    ):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200

    # The team's dates end: no links, the dates instead; the dossier closes.
    Team.objects.filter(pk=team.pk).update(dossier_from=today - timedelta(days=40), ends_on=today - timedelta(days=5))
    page = client.get(reverse("evaluation:mine")).text
    assert 'data-testid="dossier-links"' not in page and "đã kết thúc làm việc" in page
    assert client.get(reverse("workflow:cycle_detail", args=[cycle_id])).status_code == 404

    login(client, world.evaluator)  # on no team
    page = client.get(reverse("evaluation:mine"))
    assert page.status_code == 200 and 'data-testid="my-team"' not in page.text
    assert client.get(reverse("workflow:cycle_detail", args=[cycle_id])).status_code == 404


# --- Query counts ----------------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_authority_list_query_count_is_constant(client, world, frameworks_loaded):
    def add(year, *, team: bool):
        registration = accepted_registration(world, accepted_cycle(world, year))
        if team:
            team_for(world, registration)

    add("2025-2026", team=True)
    register(world, accepted_cycle(world, "2024-2025"))
    login(client, world.officer_district)
    url = reverse("evaluation:unit_registrations", args=[world.district.pk])
    small = _count(client, url)
    add("2023-2024", team=True)
    add("2022-2023", team=False)
    register(world, accepted_cycle(world, "2021-2022"))
    assert Registration.objects.count() == 5
    assert _count(client, url) == small


def test_team_page_query_count_is_constant(client, world, frameworks_loaded):
    team = accepted_team(world)
    login(client, world.officer_province)  # with the member form: the page of the body that forms the team
    url = reverse("evaluation:team", args=[team.pk])
    small = _count(client, url)
    criteria = list(Criterion.objects.filter(version=team.registration.cycle.framework).order_by("position"))
    for i in range(3):
        extra = evaluator(world, f"dgv_them_{i}", f"Đánh Giá Viên {i}")
        svc.member_add(actor=world.officer_province, team=team, evaluator=extra, role="member", criteria=criteria[:3])
    assert TeamMember.objects.filter(team=team).count() == 5
    assert _count(client, url) == small
