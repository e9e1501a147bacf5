"""Issue #18 §3 for decisions: only the issuing body (or one it delegated to) enters, corrects and revokes a decision;
revocation needs a reason and keeps the history, shown on the decision's page; the public pages stop showing it. The
first two tests reproduce the defects as found (they fail on the code before the rule table)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kiemdinh.accounts.models import Body
from kiemdinh.core.audit import AuditEvent
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import Decision, Delegation
from kiemdinh.recognition.services import (
    Correction,
    DecisionInput,
    DelegationInput,
    decision_correct,
    decision_record,
    decision_revoke,
    delegation_end,
    delegation_grant,
)

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
        reverse("recognition:revoke", args=[decision.pk]),
        {"revoked_on": "07/12/2026", "revoked_reason": "Thử", "confirm": "on"},
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


def test_the_refusal_names_the_body_on_the_page(client, world):
    decision = provincial_decision(world)
    client.force_login(world.officer_commune_a)
    response = client.post(
        reverse("recognition:revoke", args=[decision.pk]),
        {"revoked_on": "07/12/2026", "revoked_reason": "Thử", "confirm": "on"},
    )
    assert 'data-testid="refusal"' in response.text
    assert "Việc thu hồi quyết định công nhận trường đạt chuẩn quốc gia do Ủy ban nhân dân tỉnh Thử Nghiệm" in (
        response.text
    )
    page = client.get(reverse("recognition:decision", args=[decision.pk])).text  # reads it, is told who decides
    assert 'data-testid="revoke-form"' not in page and 'data-testid="decision-elsewhere"' in page
    decisions = client.get(reverse("recognition:school", args=[world.school_a.pk])).text
    assert 'id="ghi-quyet-dinh"' not in decisions and 'data-testid="decisions-elsewhere"' in decisions


def test_revocation_needs_a_reason_keeps_the_history_and_leaves_the_public_pages(client, world):
    decision = provincial_decision(world)
    client.force_login(world.officer_committee)
    url = reverse("recognition:decision", args=[decision.pk])
    page = client.get(url).text
    assert 'data-testid="revoke-form"' in page and 'data-testid="correct-form"' in page
    public = reverse("public:school", args=[world.school_a.code])
    assert "1120/QĐ-UBND" in client.get(public).text
    revoke = reverse("recognition:revoke", args=[decision.pk])
    response = client.post(revoke, {"revoked_on": "01/09/2026", "revoked_reason": "  ", "confirm": "on"})
    assert response.status_code == 400 and "Hãy ghi lý do thu hồi" in response.text
    decision.refresh_from_db()
    assert decision.revoked_on is None
    reason = "Trường không còn đáp ứng tiêu chuẩn cơ sở vật chất sau khi sáp nhập điểm trường."
    unconfirmed = client.post(revoke, {"revoked_on": "01/09/2026", "revoked_reason": reason})
    assert unconfirmed.status_code == 400 and "Hãy đánh dấu xác nhận thu hồi." in unconfirmed.text
    decision.refresh_from_db()
    assert decision.revoked_on is None
    assert (
        client.post(revoke, {"revoked_on": "01/09/2026", "revoked_reason": reason, "confirm": "on"}).status_code == 302
    )
    decision.refresh_from_db()
    assert (decision.revoked_on, decision.revoked_reason) == (date(2026, 9, 1), reason)
    versions = list(decision.history.order_by("history_id"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert versions[-1].history_user == world.officer_committee and reason in versions[-1].history_change_reason
    assert versions[0].revoked_on is None  # the earlier version is kept as it was
    page = client.get(url).text
    assert 'data-testid="revoked"' in page and page.count('data-testid="decision-version"') == 2
    assert reason in page and "ngày thu hồi: (trống) → <strong>01/09/2026</strong>" in page
    assert 'data-testid="revoke-form"' not in page  # once is enough
    assert "1120/QĐ-UBND" not in client.get(public).text
    with pytest.raises(ValidationError):
        decision_revoke(actor=world.officer_committee, decision=decision, revoked_on=date(2026, 9, 2), reason="Lại")


def test_correction_by_the_issuing_body_with_a_reason(client, world):
    grade = decision_record(
        actor=world.officer_province,
        school=world.school_a,
        data=DecisionInput(kind="accreditation", level=2, decided_on=date(2024, 5, 15), number="845/QĐ-SGDĐT"),
    )
    assert grade.issuer == "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"  # blank: the body's name, as it signs
    same = Correction(
        number="845/QĐ-SGDĐT", decided_on=grade.decided_on, valid_until=grade.valid_until, issuer=grade.issuer
    )
    with pytest.raises(ValidationError) as refused:
        decision_correct(actor=world.officer_province, decision=grade, data=same, reason="Không đổi")
    assert "giống hệt" in " ".join(refused.value.messages)
    fixed = Correction(number="854/QĐ-SGDĐT", decided_on=date(2024, 5, 16), valid_until=date(2029, 5, 16))
    with pytest.raises(ValidationError) as refused:
        decision_correct(actor=world.officer_province, decision=grade, data=fixed, reason="")
    assert "reason" in refused.value.error_dict
    for actor in (world.officer_committee, world.officer_district, world.officer_commune_a, world.admin):
        with pytest.raises(PermissionDenied):
            decision_correct(actor=actor, decision=grade, data=fixed, reason="Gõ nhầm số")
    grade.refresh_from_db()
    assert grade.number == "845/QĐ-SGDĐT" and grade.history.count() == 1
    decision_correct(actor=world.officer_province, decision=grade, data=fixed, reason="Gõ nhầm số và ngày ký")
    grade.refresh_from_db()
    assert (grade.number, grade.valid_from, grade.valid_until) == ("854/QĐ-SGDĐT", date(2024, 5, 16), date(2029, 5, 16))
    event = AuditEvent.objects.filter(event_type="decision.corrected").get()
    assert event.data["before"]["number"] == "845/QĐ-SGDĐT" and event.data["after"]["number"] == "854/QĐ-SGDĐT"
    client.force_login(world.principal_a)  # the school reads the history, without the forms
    page = client.get(reverse("recognition:decision", args=[grade.pk])).text
    assert "số quyết định: 845/QĐ-SGDĐT → <strong>854/QĐ-SGDĐT</strong>" in page and "Gõ nhầm số và ngày ký" in page
    assert 'data-testid="correct-form"' not in page and 'data-testid="decision-elsewhere"' not in page
    client.force_login(world.officer_province)
    response = client.post(reverse("recognition:correct", args=[grade.pk]), {"number": "1", "reason": ""})
    assert response.status_code == 400 and "Hãy ghi lý do đính chính" in response.text


def test_a_body_acts_for_another_only_by_a_recorded_delegation(client, world):
    """The provincial People's Committee has the Sở enter its national-standard decisions: the Sở's officers then
    enter them in its name (and the history says so), but do not revoke them; the delegation ends, and so does that."""
    data = DecisionInput(kind="national_standard", level=1, decided_on=date(2024, 5, 15), number="1120/QĐ-UBND")
    with pytest.raises(PermissionDenied):
        decision_record(actor=world.officer_province, school=world.school_a, data=data)
    delegation_input = DelegationInput(
        unit=world.province,
        body=Body.COMMITTEE,
        delegate_unit=world.province,
        delegate_body=Body.EDUCATION,
        actions=(Action.DECISION_ENTER,),
        kind="national_standard",
        document_number="25/UBND-VX",
        document_on=date(2024, 1, 10),
        valid_from=date(2024, 1, 10),
    )
    for actor in (world.officer_province, world.officer_district):  # only the delegating body records it
        with pytest.raises(PermissionDenied):
            delegation_grant(actor=actor, data=delegation_input)
    with pytest.raises(ValidationError) as refused:
        delegation_grant(
            actor=world.officer_committee,
            data=DelegationInput(**{**delegation_input.__dict__, "delegate_unit": world.other_province}),
        )
    assert "cùng tỉnh" in " ".join(refused.value.messages)
    delegation = delegation_grant(actor=world.officer_committee, data=delegation_input)
    decision = decision_record(actor=world.officer_province, school=world.school_a, data=data)
    assert decision.issuer == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    reason = decision.history.get().history_change_reason
    assert "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm, được Ủy ban nhân dân tỉnh Thử Nghiệm ủy quyền" in reason
    assert "25/UBND-VX" in reason
    assert AuditEvent.objects.filter(event_type="decision.recorded").latest("id").data["delegation"] == delegation.pk
    with pytest.raises(PermissionDenied):  # entering only: revoking stays with the People's Committee
        decision_revoke(actor=world.officer_province, decision=decision, revoked_on=date(2025, 1, 1), reason="Sai")
    with pytest.raises(PermissionDenied):  # and the grade is the Sở's own, not the district's by delegation
        decision_record(
            actor=world.officer_district,
            school=world.school_a,
            data=DecisionInput(kind="national_standard", level=1, decided_on=date(2024, 6, 1)),
        )
    client.force_login(world.officer_province)
    page = client.get(reverse("recognition:school", args=[world.school_a.pk])).text
    assert 'id="ghi-quyet-dinh"' in page and "được Ủy ban nhân dân tỉnh Thử Nghiệm ủy quyền" in page
    delegation_end(actor=world.officer_committee, delegation=delegation, ended_on=date(2026, 1, 1), reason="Hết hạn")
    assert Delegation.objects.get().ended_on == date(2026, 1, 1)
    with pytest.raises(PermissionDenied):
        decision_record(actor=world.officer_province, school=world.school_a, data=data)
    assert Decision.objects.count() == 1


def test_the_decision_page_and_the_list_run_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    def decision(number: str):
        return decision_record(
            actor=world.officer_province,
            school=world.school_a,
            data=DecisionInput(kind="accreditation", level=2, decided_on=date(2024, 5, 15), number=number),
        )

    first = decision("1/QĐ")
    client.force_login(world.officer_province)
    decision_url = reverse("recognition:decision", args=[first.pk])
    list_url = reverse("recognition:school", args=[world.school_a.pk])
    counts = {}
    for url in (decision_url, list_url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    for n in range(5):
        correction = Correction(number=f"1/QĐ-{n}", decided_on=first.decided_on, valid_until=first.valid_until)
        decision_correct(actor=world.officer_province, decision=first, data=correction, reason=f"Lần {n}")
        first.refresh_from_db()
        decision(f"{n + 2}/QĐ")
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_delegations_page(client, world):
    url = reverse("recognition:delegations")
    client.force_login(world.officer_committee)
    page = client.get(url).text
    assert 'data-testid="delegation-form"' in page and "Ủy ban nhân dân tỉnh Thử Nghiệm" in page
    bad = client.post(url, {"body": f"{world.province.pk}:committee", "document_number": ""})
    assert bad.status_code == 400 and "Hãy chọn việc được ủy quyền" in bad.text and not Delegation.objects.exists()
    forged = client.post(  # another unit's body than the user's own: not offered, refused
        url,
        {
            "body": f"{world.district.pk}:education",
            "actions": ["decision_enter"],
            "document_number": "1/UBND",
            "document_on": "10/01/2024",
            "valid_from": "10/01/2024",
        },
    )
    assert forged.status_code == 400 and not Delegation.objects.exists()
    response = client.post(
        url,
        {
            "body": f"{world.province.pk}:committee",
            "actions": ["decision_enter", "decision_correct"],
            "kind": "national_standard",
            "document_number": "25/UBND-VX",
            "document_on": "10/01/2024",
            "valid_from": "10/01/2024",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.body, delegation.delegate_body, delegation.action_list) == (
        "committee",
        "education",
        ["decision_enter", "decision_correct"],
    )
    client.force_login(world.officer_province)  # the delegate reads it, does not end it
    page = client.get(url).text
    assert "25/UBND-VX" in page and "đang hiệu lực" in page and "Ghi chấm dứt" not in page
    end = reverse("recognition:delegation_end", args=[delegation.pk])
    assert client.post(end, {"ended_on": "01/01/2026", "ended_reason": "Thử"}).status_code == 403
    client.force_login(world.officer_commune_a)  # below the province: does not see it
    assert "25/UBND-VX" not in client.get(url).text
    assert client.post(end, {"ended_on": "01/01/2026", "ended_reason": "Thử"}).status_code == 404
    client.force_login(world.officer_committee)
    assert client.post(end, {"ended_on": "01/01/2026", "ended_reason": "Hết nhiệm vụ"}).status_code == 302
    delegation.refresh_from_db()
    assert delegation.ended_on == date(2026, 1, 1) and "chấm dứt 01/01/2026" in client.get(url).text
