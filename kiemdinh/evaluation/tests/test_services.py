from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from kiemdinh.evaluation.access import evaluator_cycle_ids
from kiemdinh.evaluation.models import Registration
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.evaluation.tests.helpers import accepted_cycle, accepted_team, evaluator, register
from kiemdinh.selfassessment.access import cycles_visible
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db


def test_registration_needs_an_accepted_cycle_and_a_completed_cohort(world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    with pytest.raises(ValidationError) as exc:
        register(world, cycle, cohort_completed=False)
    messages = " ".join(exc.value.messages)
    assert "chưa được cơ quan quản lý chấp nhận" in messages and "chưa có khóa học sinh" in messages
    assert not Registration.objects.exists()


def test_registration_accepted_then_team_with_conflicts_refused(world, frameworks_loaded):
    team = accepted_team(world)
    registration = team.registration
    assert registration.requested_level == 3 and registration.status == "accepted"
    with pytest.raises(ValidationError):  # one open registration per cycle
        register(world, registration.cycle)
    own_school = evaluator(world, "dgv_a", "Giáo Viên A", unit=world.commune_a, school=world.school_a)
    with pytest.raises(ValidationError) as exc:
        svc.member_add(actor=world.officer_province, team=team, evaluator=own_school, role="member")
    assert "công tác tại chính" in exc.value.messages[0]
    same_unit = evaluator(world, "dgv_b", "Cán Bộ Xã", unit=world.commune_a)
    with pytest.raises(ValidationError) as exc:
        svc.member_add(actor=world.officer_province, team=team, evaluator=same_unit, role="member")
    assert "đơn vị quản lý" in exc.value.messages[0]
    kindergarten_only = evaluator(world, "dgv_c", "Cô Mầm Non", levels=("kindergarten",))
    with pytest.raises(ValidationError):
        svc.member_add(actor=world.officer_province, team=team, evaluator=kindergarten_only, role="secretary")
    second_leader = evaluator(world, "dgv_d", "Người Thứ Hai")
    with pytest.raises(ValidationError) as exc:
        svc.member_add(actor=world.officer_province, team=team, evaluator=second_leader, role="leader")
    assert "trưởng đoàn" in exc.value.messages[0]
    assert team.members.count() == 2


def test_evaluators_see_their_team_s_dossier_only_during_its_dates(world, frameworks_loaded):
    team = accepted_team(world, start=date(2026, 3, 2), end=date(2026, 5, 29))
    leader = team.members.get(role="leader").evaluator.user
    cycle_id = team.registration.cycle_id
    assert list(evaluator_cycle_ids(leader, date(2026, 4, 1))) == [{"cycle_id": cycle_id}]
    assert not evaluator_cycle_ids(leader, date(2026, 6, 1)).exists()
    assert not evaluator_cycle_ids(world.evaluator, date(2026, 4, 1)).exists()  # on no team


def test_stage_dates_must_follow_each_other(world, frameworks_loaded):
    cycle = accepted_cycle(world)
    registration = register(world, cycle)
    svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    with pytest.raises(ValidationError) as exc:
        svc.team_establish(
            actor=world.officer_province,
            registration=registration,
            data=svc.TeamInput(
                issuer="Sở GD&ĐT",
                dossier_from=date(2026, 3, 2),
                preliminary_on=date(2026, 2, 1),
                ends_on=date(2026, 5, 1),
            ),
        )
    assert "preliminary_on" in exc.value.error_dict


def test_cycles_visible_to_an_evaluator_follow_the_calendar(world, frameworks_loaded):
    from django.utils import timezone

    today = timezone.localdate()
    team = accepted_team(world, start=today, end=today)
    leader = team.members.get(role="leader").evaluator.user
    assert list(cycles_visible(leader)) == [team.registration.cycle]


def test_an_evaluator_reads_the_whole_dossier_while_the_team_works_and_writes_nothing(client, world, frameworks_loaded):
    """The cycle, its evidence register, the documents and the offline package (zip), read-only, during the
    team's dates; nothing after them."""
    from django.utils import timezone

    today = timezone.localdate()
    team = accepted_team(world, start=today, end=today)
    cycle = team.registration.cycle
    client.force_login(team.members.get(role="leader").evaluator.user)
    base = f"/tu-danh-gia/{cycle.pk}"
    for url in (f"{base}/", f"{base}/minh-chung/", f"{base}/van-ban/", f"{base}/van-ban/report.docx"):
        assert client.get(url).status_code == 200, url
    zip_response = client.get(f"{base}/van-ban/dossier.zip")
    assert zip_response.status_code == 200 and zip_response["Content-Type"] == "application/zip"
    assert client.post(f"{base}/minh-chung/them/", {"name": "x"}).status_code in (403, 404)
    team.ends_on = team.dossier_from = today - timedelta(days=1)
    team.save(update_fields=["ends_on", "dossier_from"])
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/van-ban/dossier.zip").status_code == 404
