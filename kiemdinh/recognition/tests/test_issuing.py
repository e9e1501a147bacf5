"""Issuing the decisions from an external evaluation team's result, the issuing screen, the publication of the team's
summary and the school's history. The team's work (reviews, agreed ratings, the report's draft → sent → final round)
has its own services, tested in kiemdinh/evaluation; here TeamRating rows and the final report are set directly
through the ORM."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kiemdinh.core.models import AuditEvent
from kiemdinh.evaluation.models import EvaluationReport, Publication, TeamRating
from kiemdinh.evaluation.services.issuing import decisions_issue, issue_plan, team_result
from kiemdinh.evaluation.services.publication import publication_publish, publication_withdraw
from kiemdinh.evaluation.tests.helpers import accepted_team
from kiemdinh.frameworks.models import Criterion
from kiemdinh.recognition.models import Decision
from kiemdinh.workspace.history import school_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def tt17(db):
    """Only TT17/2018 (school A is a primary school): loading every framework is slow."""
    from kiemdinh.testing.world import load_frameworks

    load_frameworks(only=("tt17-2018",))


def rate(team, level: int) -> None:
    """The team's agreed level of every criterion (at most the criterion's highest level)."""
    criteria = Criterion.objects.filter(version=team.registration.cycle.framework)
    TeamRating.objects.bulk_create(TeamRating(team=team, criterion=c, level=min(level, c.max_level)) for c in criteria)


def finalise(team) -> None:
    EvaluationReport.objects.update_or_create(team=team, defaults={"status": "final", "finalised_at": timezone.now()})
    team.final_report_on = date(2026, 5, 20)
    team.save(update_fields=["final_report_on"])


def issue(world, team, actor=None, **values):
    """Issue as the Sở GD&ĐT (the grade), or as `actor` (the provincial People's Committee for the 2018 national
    standard)."""
    values = {
        "decided_on": date(2026, 6, 15),
        "number_accreditation": "501/QĐ-SGDĐT",
        "number_national": "1502/QĐ-UBND",
        "signer_accreditation": "Nguyễn Văn Giám",
        "signer_national": "Trần Văn Chủ",
        **values,
    }
    return decisions_issue(actor=actor or world.officer_province, team=team, **values)


def test_team_result_and_both_decisions_issued_once(world, tt17):
    team = accepted_team(world)
    rate(team, 3)
    result = team_result(team)
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (3, 3, 2)
    assert result.complete
    with pytest.raises(ValidationError) as exc:  # the report is still a draft
        issue(world, team)
    assert "chưa phải bản chính thức" in " ".join(exc.value.messages)
    finalise(team)
    plan = issue_plan(team)
    assert [(p.label, p.issuer) for p in plan.planned] == [
        ("CĐ3", "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"),
        ("MĐ2", "Ủy ban nhân dân tỉnh Thử Nghiệm"),
    ]
    with pytest.raises(ValidationError) as exc:  # a number is needed, and the date comes after the final report
        issue(world, team, number_accreditation="", decided_on=date(2026, 5, 1))
    assert {"number_accreditation", "decided_on"} <= set(exc.value.error_dict)
    # Each body issues its own decision (the rule table): the Sở the grade, the provincial People's Committee the
    # national-standard level; the other stays planned for its body.
    events = AuditEvent.objects.count()
    (grade,) = issue(world, team)
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").event_type == "decisions.issued"
    assert (grade.kind, grade.level, grade.team, grade.recognition_round) == ("accreditation", 3, team, "first")
    assert (grade.valid_until, grade.issuer) == (date(2031, 6, 15), "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm")
    assert [p.label for p in issue_plan(team, actor=world.officer_province).elsewhere] == ["MĐ2"]
    with pytest.raises(PermissionDenied) as refused:  # the Sở again: only the committee's decision is left
        issue(world, team)
    assert "Ủy ban nhân dân tỉnh Thử Nghiệm" in str(refused.value)
    (level,) = issue(world, team, actor=world.officer_committee)
    assert (level.kind, level.level, level.issuer, level.number) == (
        "national_standard",
        2,
        "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "1502/QĐ-UBND",
    )
    for actor in (world.officer_province, world.officer_committee):
        with pytest.raises(ValidationError) as exc:
            issue(world, team, actor=actor)
        assert "đã được ban hành" in " ".join(exc.value.messages)
    assert Decision.objects.count() == 2


def test_level_too_low_or_no_cohort_is_refused(world, tt17):
    team = accepted_team(world)
    rate(team, 1)
    finalise(team)
    plan = issue_plan(team)
    assert [p.label for p in plan.planned] == ["CĐ1"]  # Mức 1: accredited, not national standard
    assert any("chưa đạt Mức 2" in reason for reason in plan.reasons)
    # No completed cohort (set directly: registration_submit refuses such a registration in the first place).
    type(team.registration).objects.filter(pk=team.registration.pk).update(cohort_completed=False)
    team.registration.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        issue(world, team)
    assert "hoàn thành chương trình" in " ".join(exc.value.messages)
    assert not Decision.objects.exists()


def test_issuing_page_access_publication_and_history(client, world, tt17, django_assert_max_num_queries):
    team = accepted_team(world)
    rate(team, 2)
    url = reverse("result:issue", args=[team.pk])
    # Outside the scope: 404; the school's principal sees the team but does not issue: 403.
    for user, status in ((world.officer_other_province, 404), (world.principal_b, 404), (world.principal_a, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"decided_on": "15/06/2026"}).status_code == status
    client.force_login(world.officer_committee)
    page = client.get(url).text
    assert "Mức 2" in page and "chưa phải bản chính thức" in page and 'data-testid="issue-form"' not in page
    finalise(team)
    # The district and the commune follow the team but issue nothing: the page says which body issues what.
    for user in (world.officer_district, world.officer_commune_a):
        client.force_login(user)
        page = client.get(url).text
        assert 'data-testid="issue-form"' not in page and 'data-testid="issue-elsewhere"' in page
        assert "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm" in page and "Ủy ban nhân dân tỉnh Thử Nghiệm" in page
        refused = client.post(
            url, {"decided_on": "15/06/2026", "number_accreditation": "1", "number_national": "2", "confirm": "on"}
        )
        assert refused.status_code == 403 and "Ủy ban nhân dân tỉnh Thử Nghiệm" in refused.text
    assert not Decision.objects.exists()
    client.force_login(world.officer_committee)  # the provincial People's Committee: the national standard only
    page = client.get(url).text
    assert 'data-testid="planned-national_standard"' in page and 'data-testid="planned-accreditation"' not in page
    bad = client.post(url, {"decided_on": "15/06/2026", "confirm": "on"})
    assert bad.status_code == 200 and "Hãy ghi số quyết định" in bad.text and not Decision.objects.exists()
    response = client.post(
        url,
        {
            "decided_on": "20/06/2026",
            "number_national": "1502/QĐ-UBND",
            "signer_national": "Trần Văn Chủ",
            "published": "on",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    national = Decision.objects.get(kind="national_standard")
    assert national.decided_on == date(2026, 6, 20) and national.signer_name == "Trần Văn Chủ"
    page = client.get(url).text
    assert "Đã ban hành" in page and reverse("documents:decision", args=[national.pk]) in page
    client.force_login(world.officer_province)  # the Sở: the grade
    response = client.post(url, {"decided_on": "15/06/2026", "number_accreditation": "501/QĐ-SGDĐT", "published": "on"})
    assert response.status_code == 200 and "Hãy đánh dấu xác nhận ban hành." in response.content.decode()
    assert not Decision.objects.filter(team=team, kind="accreditation").exists()  # not without the confirmation
    response = client.post(
        url, {"decided_on": "15/06/2026", "number_accreditation": "501/QĐ-SGDĐT", "published": "on", "confirm": "on"}
    )
    assert response.status_code == 302 and Decision.objects.get(kind="accreditation").level == 2
    decisions_page = client.get(reverse("recognition:school", args=[world.school_a.pk])).text
    assert reverse("documents:decision", args=[national.pk]) in decisions_page
    assert url in decisions_page  # the officer reaches the issuing page from the school's decisions

    # Publishing the team's summary: the form on the same page; withdrawing takes it off.
    publish = reverse("result:publish", args=[team.pk])
    assert client.post(publish, {"summary": ""}).status_code == 400
    assert client.post(publish, {"summary": "Trường đạt Mức 2."}).status_code == 302
    publication = Publication.objects.get()
    assert publication.summary == "Trường đạt Mức 2." and publication.withdrawn_at is None
    assert client.post(reverse("result:withdraw", args=[team.pk])).status_code == 302
    publication.refresh_from_db()
    assert publication.withdrawn_at is not None
    with pytest.raises(ValidationError):
        publication_withdraw(actor=world.officer_province, publication=publication)
    with pytest.raises(PermissionDenied):  # the district follows the team, the Sở publishes its result
        publication_publish(actor=world.officer_district, team=team, summary="Thử.")

    # The history: every step on one list, in order, with a fixed number of queries.
    with django_assert_max_num_queries(5):
        events = school_history(world.school_a, manage=True)
    titles = [e.title for e in events]
    assert [e.on for e in events] == sorted(e.on for e in events)
    for expected in (
        "Mở đợt tự đánh giá — năm học 2025-2026",
        "Cơ quan quản lý chấp nhận — năm học 2025-2026",
        "Đăng ký 2025-2026 được chấp nhận",
        "Báo cáo đánh giá ngoài chính thức",
        "Công khai kết quả đánh giá ngoài",
        "Gỡ nội dung công khai",
    ):
        assert expected in titles, expected
    assert any(t.startswith("Thành lập đoàn đánh giá ngoài năm học 2025-2026") for t in titles)
    assert any("MĐ1 — quyết định 1502/QĐ-UBND" in t for t in titles)
    assert any(t.startswith("Hết hiệu lực CĐ2") for t in titles)
    history_url = reverse("workspace:history", args=[world.school_a.pk])
    page = client.get(history_url).text
    assert "Hết hiệu lực MĐ1" in page and url in page
    client.force_login(world.principal_a)  # anyone who sees the school reads its history, without issuing links
    page = client.get(history_url).text
    assert "Hết hiệu lực MĐ1" in page and url not in page
    client.force_login(world.principal_b)
    assert client.get(history_url).status_code == 404
    # Published again after a withdrawal: the same row, with the new text.
    again = publication_publish(actor=world.officer_province, team=team, summary="Trường đạt Mức 2 (sửa).")
    assert again.pk == publication.pk and again.withdrawn_at is None


def test_province_place_names_the_kind_of_province():
    from kiemdinh.evaluation.services.issuing import province_place
    from kiemdinh.units.models import AdministrativeUnit

    def place(name):
        return province_place(AdministrativeUnit(name=name))

    assert place("Tỉnh Thanh Hóa") == "tỉnh Thanh Hóa"
    assert place("Thừa Thiên Huế") == "tỉnh Thừa Thiên Huế"
    assert place("Thành phố Hồ Chí Minh") == "thành phố Hồ Chí Minh"
    assert place("Đà Nẵng") == "thành phố Đà Nẵng"
