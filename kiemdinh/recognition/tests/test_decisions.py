from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdinh.recognition.models import Decision, months_before, years_after
from kiemdinh.recognition.selectors import expiring, standing_counts, standings
from kiemdinh.recognition.services import DecisionInput, decision_record, decision_revoke

pytestmark = pytest.mark.django_db


def body_officer(world, kind="accreditation"):
    """The officer of the body that issues this kind of 2018 decision (the rule table: recognition.authority)."""
    return world.officer_province if kind == "accreditation" else world.officer_committee


def record(world, school, **values):
    values = {"kind": "accreditation", "level": 2, "decided_on": date(2020, 5, 4), **values}
    return decision_record(actor=body_officer(world, values["kind"]), school=school, data=DecisionInput(**values))


def test_dates():
    assert years_after(date(2020, 2, 29), 5) == date(2025, 2, 28)
    assert months_before(date(2024, 7, 31), 5) == date(2024, 2, 29)
    assert months_before(date(2024, 1, 15), 5) == date(2023, 8, 15)


def test_valid_five_years_and_reregistration(world):
    d = record(world, world.school_a, number="1/QĐ")
    assert (d.valid_from, d.valid_until, d.reregister_by) == (date(2020, 5, 4), date(2025, 5, 4), date(2024, 12, 4))
    assert d.label == "CĐ2"
    other = record(world, world.school_a, kind="national_standard", level=1, valid_until=date(2024, 1, 1))
    assert other.label == "MĐ1" and other.valid_until == date(2024, 1, 1)


def test_bad_input_is_refused(world):
    for values, field in (
        ({"level": 5}, "level"),
        ({"kind": "national_standard", "level": 3}, "level"),
        ({"decided_on": None}, "decided_on"),
        ({"valid_until": date(2019, 1, 1)}, "valid_until"),
    ):
        with pytest.raises(ValidationError) as exc:
            record(world, world.school_a, **values)
        assert field in exc.value.error_dict
    assert not Decision.objects.exists()


def test_standings_and_expiring_follow_revocations_and_renewals(world):
    old = record(world, world.school_a, decided_on=date(2019, 6, 1))
    record(world, world.school_b, kind="national_standard", level=1, decided_on=date(2019, 9, 1))
    assert standings([world.school_a.pk, world.school_b.pk], date(2024, 1, 1))[world.school_a.pk].label == "CĐ2"
    soon = expiring([world.school_a.pk, world.school_b.pk], date(2024, 1, 1), date(2024, 12, 31))
    assert [d.school for d in soon] == [world.school_a, world.school_b]
    record(world, world.school_a, level=3, decided_on=date(2024, 3, 1), recognition_round="again")  # renewed
    soon = expiring([world.school_a.pk, world.school_b.pk], date(2024, 1, 1), date(2024, 12, 31))
    assert [d.school for d in soon] == [world.school_b]
    assert standings([world.school_a.pk], date(2024, 4, 1))[world.school_a.pk].label == "CĐ3"
    # The counts follow the same rule: the renewal supersedes the CĐ2 still formally in force.
    both = [world.school_a.pk, world.school_b.pk]
    assert standing_counts(both, date(2024, 4, 1)) == {("accreditation", 3): 1, ("national_standard", 1): 1}
    Decision.objects.filter(school=world.school_b).update(published=False)  # kept off the public pages
    assert standing_counts(both, date(2024, 4, 1), public=True) == {("accreditation", 3): 1}
    with pytest.raises(ValidationError):
        decision_revoke(actor=world.officer_province, decision=old, revoked_on=date(2019, 1, 1), reason="Sai")
    decision_revoke(
        actor=world.officer_province, decision=old, revoked_on=date(2020, 1, 1), reason="Hồ sơ không trung thực"
    )
    assert standings([world.school_a.pk], date(2021, 1, 1)) == {}


def test_pages_and_access(client, world):
    url = reverse("recognition:school", args=[world.school_a.pk])
    client.force_login(world.officer_province)
    response = client.post(
        url, {"kind": "accreditation", "level": "2", "recognition_round": "first", "decided_on": "04/05/2020"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    page = client.get(url).text
    assert "04/05/2025" in page and "04/12/2024" in page
    school_page = client.get(reverse("workspace:school", args=[world.school_a.pk])).text
    assert "Công nhận hiện nay:" in school_page
    bad = client.post(url, {"kind": "accreditation", "level": "4", "recognition_round": "first", "decided_on": ""})
    assert bad.status_code == 200 and "Hãy ghi ngày ký" in bad.text and Decision.objects.count() == 1
    # The principal reads, but does not record or revoke.
    client.force_login(world.principal_a)
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url, {"kind": "accreditation", "level": "2", "recognition_round": "first", "decided_on": "04/05/2020"}
        ).status_code
        == 403
    )
    revoke = reverse("recognition:revoke", args=[decision.pk])
    assert client.post(revoke, {"revoked_on": "01/01/2021", "revoked_reason": "x", "confirm": "on"}).status_code == 403
    # Outside the scope: 404.
    for user in (world.principal_b, world.officer_other_province):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(revoke, {"revoked_on": "01/01/2021", "revoked_reason": "x", "confirm": "on"}).status_code == 404
        )
    decision.refresh_from_db()
    assert decision.revoked_on is None
