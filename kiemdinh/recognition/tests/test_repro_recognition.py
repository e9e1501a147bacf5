"""Reproductions of issue #18 §3 (recognition): they fail on the code before the rule table."""

from datetime import date

import pytest
from django.urls import reverse

from kiemdinh.recognition.models import Decision
from kiemdinh.recognition.services import DecisionInput, decision_record

pytestmark = pytest.mark.django_db


def provincial_decision(world):
    """A national-standard decision of the provincial People's Committee, entered by the system (a command)."""
    return decision_record(
        actor=None,
        school=world.school_a,
        data=DecisionInput(
            kind="national_standard",
            level=1,
            decided_on=date(2024, 5, 15),
            number="1120/QĐ-UBND",
            issuer="Ủy ban nhân dân tỉnh Thử Nghiệm",
        ),
    )


def test_a_commune_officer_cannot_revoke_the_provinces_decision(client, world):
    decision = provincial_decision(world)
    client.force_login(world.officer_commune_a)
    response = client.post(
        reverse("recognition:revoke", args=[decision.pk]), {"revoked_on": "07/12/2026", "revoked_reason": "Thử"}
    )
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.revoked_on is None and decision.revoked_reason == ""


def test_a_commune_officer_cannot_enter_a_national_standard_decision_in_the_provinces_name(client, world):
    client.force_login(world.officer_commune_a)
    response = client.post(
        reverse("recognition:school", args=[world.school_a.pk]),
        {
            "kind": "national_standard",
            "level": "2",
            "recognition_round": "first",
            "number": "999/QĐ-UBND",
            "decided_on": "01/12/2026",
            "issuer": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        },
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()
    public = client.get(reverse("public:school", args=[world.school_a.code])).text
    assert "999/QĐ-UBND" not in public
