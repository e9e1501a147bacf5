"""Reproductions of issue #18 §3 (external evaluation): they fail on the code before the fix."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kiemdinh.evaluation import services as svc
from kiemdinh.evaluation.models import Evaluator, Team
from kiemdinh.evaluation.tests.helpers import accepted_cycle, accepted_team, register

pytestmark = pytest.mark.django_db

TEAM_POST = {
    "issuer": "Sở Giáo dục và Đào tạo Tỉnh Thử Nghiệm",
    "decision_number": "125/QĐ-SGDĐT",
    "decision_on": "02/03/2026",
    "dossier_from": "02/03/2026",
    "ends_on": "29/05/2026",
}


def test_a_commune_officer_cannot_form_the_sos_team(client, world, frameworks_loaded):
    registration = register(world, accepted_cycle(world))
    svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    client.force_login(world.officer_commune_a)
    response = client.post(reverse("evaluation:team_establish", args=[registration.pk]), TEAM_POST)
    assert response.status_code == 403
    assert not Team.objects.exists()


def test_the_schools_council_secretary_is_refused_as_leader_of_its_team(world, frameworks_loaded):
    team = accepted_team(world)
    team.members.filter(role="leader").delete()
    secretary = svc.evaluator_save(
        actor=world.officer_district,
        data=svc.EvaluatorInput(
            full_name=world.secretary_a.full_name, unit=world.province, levels=("primary",), user=world.secretary_a
        ),
    )
    with pytest.raises(ValidationError) as refused:
        svc.member_add(actor=world.officer_province, team=team, evaluator=secretary, role="leader")
    assert "Thư ký" in " ".join(refused.value.messages)
    assert not team.members.filter(evaluator=secretary).exists()


def test_evaluators_lose_the_team_review_pages_at_the_teams_end(client, world, frameworks_loaded):
    today = timezone.localdate()
    team = accepted_team(world, start=today - timedelta(days=60), end=today - timedelta(days=1))
    leader = team.members.get(role="leader").evaluator.user
    client.force_login(leader)
    for name, args in (("home", []), ("review", ["1.1"]), ("ratings", []), ("report", [])):
        url = reverse(f"evaluation_work:{name}", args=[team.pk, *args])
        assert client.get(url).status_code == 404, name


def test_the_evaluator_form_does_not_tell_which_usernames_exist(client, world):
    client.force_login(world.officer_district)
    data = {"full_name": "Trần Văn Đánh", "unit": world.district.pk, "levels": ["primary"], "is_active": "on"}
    missing = client.post(reverse("evaluation:evaluator_add"), {**data, "username": "khong_co_ai"})
    existing = client.post(
        reverse("evaluation:evaluator_add"), {**data, "username": world.officer_other_province.username}
    )
    assert missing.status_code == existing.status_code == 200
    strip = lambda html, name: html.replace(name, "USERNAME")  # noqa: E731

    def errors(html):
        import re

        return re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', html, re.S)

    assert errors(strip(missing.text, "khong_co_ai")) == errors(
        strip(existing.text, world.officer_other_province.username)
    )
    assert not Evaluator.objects.exists()
