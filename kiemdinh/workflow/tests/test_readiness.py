"""Issue #18 §2: one list of what a dossier lacks, read by the submit button, the step tracker and the officer's accept
page; accept and publish ask for confirmation; carried-over forms show their real state and merge without false
conflicts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, CycleSnapshot, CycleStatus
from kiemdinh.selfassessment.selectors import criteria_overview
from kiemdinh.selfassessment.services import criterion_form_save, cycle_set_status, report_texts_save
from kiemdinh.selfassessment.tests.builders import complete_dossier
from kiemdinh.workflow.selectors import dossier_content, snapshot_hash
from kiemdinh.workflow.selectors.readiness import cycle_steps, dossier_blockers, submission_blockers
from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(make_cycle):
    return make_cycle("2024-2025")


def test_an_empty_dossier_lists_every_missing_part_and_cannot_be_submitted(client, world, cycle):
    texts = submission_blockers(cycle)
    for expected in (
        "Hội đồng:",
        "quyết định thành lập hội đồng",
        "phiếu đánh giá tiêu chí chưa đầy đủ",
        "chưa tự đánh giá đủ các chỉ báo",
        "phần chưa viết",
        "số liệu Phần I",
        "kế hoạch cải tiến chất lượng",
    ):
        assert any(expected in t for t in texts), expected
    with pytest.raises(ValidationError):
        cycle_submit(actor=world.principal_a, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.IN_PROGRESS and not CycleSnapshot.objects.exists()
    # The page lists the same blockers, each with a link to where it is put right, and offers no submit button.
    client.force_login(world.principal_a)
    page = client.get(reverse("workflow:cycle_detail", args=[cycle.pk])).content.decode()
    assert 'data-testid="blockers"' in page and 'data-testid="submit-form"' not in page
    assert reverse("selfassessment:report_texts", args=[cycle.pk]) in page
    assert reverse("selfassessment:school_data", args=[cycle.pk]) in page


def test_steps_follow_the_blockers_and_link_to_real_pages(world, cycle):
    rows, _ = criteria_overview(cycle)
    steps = {s.number: s for s in cycle_steps(cycle, rows)}
    assert steps[5].status != "done"
    assert any("chưa viết" in m for m in steps[5].missing)
    assert steps[1].status != "done" and any("quyết định thành lập" in m for m in steps[1].missing)
    assert steps[6].url_name == "workflow:cycle_detail" and steps[6].anchor == "phe-duyet"

    complete_dossier(cycle, world.principal_a)
    rows, _ = criteria_overview(cycle)
    assert dossier_blockers(cycle, rows) == []
    cycle_submit(actor=world.principal_a, cycle=cycle)
    cycle.refresh_from_db()
    steps = {s.number: s for s in cycle_steps(cycle, criteria_overview(cycle)[0])}
    assert [steps[n].status for n in (1, 3, 4, 5)] == ["done"] * 4


def test_a_dossier_submitted_before_the_rules_is_not_accepted_and_its_steps_say_why(client, world, cycle):
    """Submitted behind the services (as dossiers submitted before these rules were): the officer sees the list
    and cannot accept."""
    complete_dossier(cycle, world.principal_a)
    report_texts_save(actor=world.principal_a, cycle=cycle, texts={"conclusion": ""})
    content = dossier_content(cycle)
    CycleSnapshot.objects.create(cycle=cycle, content=content, content_hash=snapshot_hash(content))
    cycle_set_status(actor=None, cycle=cycle, status=CycleStatus.SUBMITTED)
    cycle.refresh_from_db()
    steps = {s.number: s for s in cycle_steps(cycle, criteria_overview(cycle)[0])}
    assert steps[5].status == "doing" and any("Kết luận chung" in m for m in steps[5].missing)
    client.force_login(world.officer_commune_a)
    page = client.get(reverse("workflow:cycle_detail", args=[cycle.pk])).content.decode()
    assert "Hồ sơ chưa đủ để chấp nhận" in page and 'data-testid="accept-form"' not in page
    with pytest.raises(ValidationError, match="chưa đủ để chấp nhận"):
        cycle_accept(actor=world.officer_commune_a, cycle=cycle)
    response = client.post(reverse("workflow:accept", args=[cycle.pk]), {"confirm": "1"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED


def test_accept_and_publish_need_confirmation(client, world, cycle):
    complete_dossier(cycle, world.principal_a)
    cycle_submit(actor=world.principal_a, cycle=cycle)
    client.force_login(world.officer_commune_a)
    page = client.get(reverse("workflow:cycle_detail", args=[cycle.pk])).content.decode()
    assert 'name="confirm"' in page and "data-confirm=" in page
    client.post(reverse("workflow:accept", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED  # no confirmation, no change
    client.post(reverse("workflow:accept", args=[cycle.pk]), {"confirm": "1"})
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.ACCEPTED

    client.force_login(world.principal_a)
    client.post(reverse("workflow:publish", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.published_at is None
    client.post(reverse("workflow:publish", args=[cycle.pk]), {"confirm": "1"})
    cycle.refresh_from_db()
    assert cycle.published_at is not None


@pytest.fixture
def carried(world, cycle):
    complete_dossier(cycle, world.principal_a)
    return cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026", carry_over_from=cycle)


def test_carried_forms_show_their_real_state(world, carried):
    rows, _ = criteria_overview(carried)
    assert not [r.criterion.code for r in rows if "chưa có nội dung" in r.missing]
    form = CriterionForm.objects.get(cycle=carried, criterion__code="1.5")
    assert form.version == 1 and form.history.get().history_change_reason.startswith("Kế thừa từ năm học")


def test_two_people_saving_different_fields_of_a_carried_form_merge_without_a_conflict(client, world, carried):
    """The reproduction: A saves Điểm mạnh, B (who opened the same version) saves Điểm yếu; B's save merges both."""
    criterion = Criterion.objects.get(version=carried.framework, code="1.5")
    form = CriterionForm.objects.get(cycle=carried, criterion=criterion)
    url = reverse("workflow:form", args=[carried.pk, "1.5"])
    texts = {f"mo_ta_{k}": v for k, v in form.descriptions.items()}
    base = {**texts, "strengths": form.strengths, "weaknesses": form.weaknesses, "improvement": form.improvement}
    criterion_form_save(
        actor=world.secretary_a,
        cycle=carried,
        criterion=criterion,
        base_version=form.version,
        descriptions=form.descriptions,
        strengths="Điểm mạnh do A viết",
        weaknesses=form.weaknesses,
        improvement=form.improvement,
    )
    client.force_login(world.principal_a)
    response = client.post(url, {**base, "base_version": str(form.version), "weaknesses": "Điểm yếu do B viết"})
    assert response.status_code == 409
    assert response.context["clash_count"] == 0
    assert not [row for row in response.context["conflict_rows"] if row[4]]
    merged = response.context["texts"]
    assert merged["strengths"] == "Điểm mạnh do A viết" and merged["weaknesses"] == "Điểm yếu do B viết"


def test_the_council_decision_is_entered_on_the_council_page_and_checked(client, world, cycle):
    from datetime import date, timedelta

    from django.utils import timezone

    from kiemdinh.selfassessment.models import CouncilDecision

    url = reverse("selfassessment:council_decision_save", args=[cycle.pk])
    client.force_login(world.principal_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    for data, message in (
        ({"number": "", "issued_on": "2024-09-05"}, "Hãy ghi số quyết định."),
        ({"number": "45/QĐ-TH", "issued_on": ""}, "Hãy ghi ngày ký quyết định."),
        ({"number": "45/QĐ-TH", "issued_on": tomorrow.isoformat()}, "không được sau ngày hôm nay"),
        ({"number": "45/QĐ-TH", "issued_on": "2005-09-05"}, "quá xa so với năm học 2024-2025"),
    ):
        page = client.post(url, data).content.decode()
        assert message in page, message
    assert not CouncilDecision.objects.exists()
    response = client.post(url, {"number": "45/QĐ-TH", "issued_on": "2024-09-05"})
    assert response.status_code == 302
    decision = CouncilDecision.objects.get(cycle=cycle)
    assert (decision.number, decision.issued_on) == ("45/QĐ-TH", date(2024, 9, 5))
    page = client.get(reverse("selfassessment:council", args=[cycle.pk])).content.decode()
    assert "Quyết định số <strong>45/QĐ-TH</strong> ngày <strong>05/09/2024</strong>" in page
    client.force_login(world.member_a)  # a council member does not sign for the council
    assert client.post(url, {"number": "46/QĐ-TH", "issued_on": "2024-09-06"}).status_code == 403
