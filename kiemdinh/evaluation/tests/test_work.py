"""The team's work: reviews, agreed ratings, the report and its round with the school; services and screens per persona.

The frameworks, the personas and one accepted team (open today) are built once for the module and rolled back at its
end; each test runs in its own transaction on top."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kiemdinh.core.audit import AuditEvent
from kiemdinh.evaluation.models import MemberReview, ReportStatus, SchoolFeedback, Team, TeamRating, TeamStatus
from kiemdinh.evaluation.selectors import work as sel
from kiemdinh.evaluation.services import work as ws
from kiemdinh.evaluation.tests.helpers import (  # noqa: F401 (fixtures: world, team)
    working_team_base,
    working_team_fixture,
    working_team_world_fixture,
)
from kiemdinh.frameworks.models import Criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(team):
    return team.members.select_related("evaluator__user").get(role="leader")


@pytest.fixture
def member(team):
    return team.members.select_related("evaluator__user").get(role="member")


def criteria(team):
    return list(Criterion.objects.filter(version=team.registration.cycle.framework).order_by("position"))


def agree_all(team, actor, level=2):
    for c in criteria(team):
        ws.rating_save(actor=actor, team=team, criterion=c, level=min(level, c.max_level))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, team, *args):
    return reverse(f"evaluation_work:{name}", args=[team.pk, *args])


def sent_report(team, leader_user):
    agree_all(team, leader_user)
    ws.report_save(actor=leader_user, team=team, data=ws.ReportInput(conclusions="Trường có nhiều điểm mạnh."))
    return ws.report_send(actor=leader_user, team=team)


# --- Services --------------------------------------------------------------------------------------------------------


def test_review_only_by_the_assigned_member_in_range_and_during_the_dates(team, leader, member):
    c11, c41 = (Criterion.objects.get(version=team.registration.cycle.framework, code=code) for code in ("1.1", "4.1"))
    events = AuditEvent.objects.count()
    review = ws.review_save(
        actor=leader.evaluator.user, team=team, member=leader, criterion=c11,
        data=ws.ReviewInput(strengths="  Kế hoạch rõ ràng  ", proposed_level=3),
    )  # fmt: skip
    assert review.strengths == "Kế hoạch rõ ràng" and review.proposed_level == 3
    assert AuditEvent.objects.count() == events + 1
    Team.objects.filter(pk=team.pk).update()  # status moved to "working"
    assert Team.objects.get(pk=team.pk).status == TeamStatus.WORKING

    with pytest.raises(ValidationError) as exc:  # 4.1 belongs to the other member
        ws.review_save(actor=leader.evaluator.user, team=team, member=leader, criterion=c41, data=ws.ReviewInput())
    assert "không được phân công" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # someone else's review
        ws.review_save(actor=leader.evaluator.user, team=team, member=member, criterion=c41, data=ws.ReviewInput())
    assert "Chỉ thành viên được phân công" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        ws.review_save(
            actor=leader.evaluator.user, team=team, member=leader, criterion=c11,
            data=ws.ReviewInput(proposed_level=c11.max_level + 1),
        )  # fmt: skip
    assert "proposed_level" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        ws.review_save(
            actor=leader.evaluator.user, team=team, member=leader, criterion=c11,
            data=ws.ReviewInput(proposed_level=1), today=team.ends_on + timedelta(days=1),
        )  # fmt: skip
    assert "ngoài thời gian" in exc.value.messages[0]
    assert MemberReview.objects.get(pk=review.pk).proposed_level == 3  # refusals changed nothing
    assert AuditEvent.objects.count() == events + 1


def test_agreed_levels_give_the_school_level_and_only_the_leader_or_secretary_agrees(world, team, leader, member):
    with pytest.raises(ValidationError) as exc:
        ws.rating_save(actor=member.evaluator.user, team=team, criterion=criteria(team)[0], level=2)
    assert "trưởng đoàn hoặc thư ký" in exc.value.messages[0]
    agree_all(team, leader.evaluator.user, level=2)
    result = sel.agreed_result(team)
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (2, 2, 1)
    assert sel.recognition_proposal(team, result) == (
        "Đề nghị công nhận Trường Tiểu học An Bình đạt kiểm định chất lượng giáo dục cấp độ 2 "
        "và đạt chuẩn quốc gia mức độ 1."
    )
    first = criteria(team)[0]
    with pytest.raises(ValidationError):
        ws.rating_save(actor=leader.evaluator.user, team=team, criterion=first, level=first.max_level + 1)
    ws.rating_save(actor=leader.evaluator.user, team=team, criterion=first, level=0, note="Thiếu minh chứng")
    assert sel.ratings_table(team).result.school_level == 0
    assert sel.recognition_proposal(team, sel.agreed_result(team)).startswith("Kết quả đánh giá ngoài chưa đạt Mức 1")


def test_copy_proposals_only_where_members_agree(team, leader, member):
    c11, c12 = (Criterion.objects.get(version=team.registration.cycle.framework, code=code) for code in ("1.1", "1.2"))
    member.criteria.add(c11)  # both study 1.1; only the leader 1.2
    ws.review_save(
        actor=leader.evaluator.user, team=team, member=leader, criterion=c11, data=ws.ReviewInput(proposed_level=3)
    )
    ws.review_save(
        actor=member.evaluator.user, team=team, member=member, criterion=c11, data=ws.ReviewInput(proposed_level=2)
    )
    ws.review_save(
        actor=leader.evaluator.user, team=team, member=leader, criterion=c12, data=ws.ReviewInput(proposed_level=2)
    )
    levels, _items = ws.unanimous_proposals(team)
    assert levels == {c12.pk: 2}
    with pytest.raises(ValidationError):
        ws.ratings_from_proposals(actor=leader.evaluator.user, team=team, criterion_ids=[c11.pk, c12.pk])
    assert not TeamRating.objects.filter(team=team).exists()
    assert ws.ratings_from_proposals(actor=leader.evaluator.user, team=team, criterion_ids=[c12.pk]) == 1
    assert TeamRating.objects.get(team=team, criterion=c12).level == 2


def test_report_round_with_the_school(world, team, leader):
    user = leader.evaluator.user
    ws.report_save(actor=user, team=team, data=ws.ReportInput(conclusions="Kết luận"))
    with pytest.raises(ValidationError) as exc:  # not every criterion agreed
        ws.report_send(actor=user, team=team)
    assert "chưa có mức đoàn thống nhất" in exc.value.messages[0]
    with pytest.raises(ValidationError):  # the school cannot answer a draft
        ws.feedback_add(actor=world.principal_a, team=team, text="Ý kiến")
    agree_all(team, user)
    report = ws.report_send(actor=user, team=team)
    assert report.status == ReportStatus.SENT and report.sent_at
    assert Team.objects.get(pk=team.pk).status == TeamStatus.DRAFT_REPORT
    with pytest.raises(ValidationError):
        ws.report_send(actor=user, team=team)
    with pytest.raises(ValidationError):  # a council member is not the principal or secretary
        ws.feedback_add(actor=world.member_a, team=team, text="Ý kiến")
    c11 = criteria(team)[0]
    feedback = ws.feedback_add(actor=world.secretary_a, team=team, text="Đề nghị xem lại tiêu chí 1.1", criterion=c11)
    with pytest.raises(ValidationError) as exc:
        ws.report_finalise(actor=user, team=team)
    assert "chưa được đoàn trả lời" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        ws.feedback_reply(actor=user, team=team, feedback=feedback, reply="   ")
    ws.feedback_reply(actor=user, team=team, feedback=feedback, reply="Đoàn giữ nguyên mức đánh giá.")
    report = ws.report_finalise(actor=user, team=team)
    assert report.status == ReportStatus.FINAL and report.finalised_at
    assert Team.objects.get(pk=team.pk).status == TeamStatus.DONE
    with pytest.raises(ValidationError) as exc:  # nothing changes after the final report
        ws.rating_save(actor=user, team=team, criterion=c11, level=1)
    assert "đã hoàn thành" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        ws.feedback_add(actor=world.principal_a, team=team, text="Muộn")
    assert SchoolFeedback.objects.get(pk=feedback.pk).text == "Đề nghị xem lại tiêu chí 1.1"


# --- Screens ---------------------------------------------------------------------------------------------------------


def test_leader_and_member_screens(team, leader, member):
    c11, c41 = (Criterion.objects.get(version=team.registration.cycle.framework, code=code) for code in ("1.1", "4.1"))
    leader_client = client_for(leader.evaluator.user)
    page = leader_client.get(url("home", team))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Phạm Văn Trưởng" in text and "Lê Thị Viên" in text and "Nghiên cứu hồ sơ" in text
    page = leader_client.get(url("review", team, "1.1"))
    assert page.status_code == 200 and "Nhà trường tự đánh giá" in page.content.decode()
    response = leader_client.post(
        url("review", team, "1.1"), {"strengths": "Tổ chức tốt", "proposed": "3", "weaknesses": ""}
    )
    assert response.status_code == 302
    assert MemberReview.objects.get(member=leader, criterion=c11).proposed_level == 3
    bad = leader_client.post(url("review", team, "1.1"), {"proposed": "9"})
    assert bad.status_code == 400
    assert leader_client.post(url("review", team, "4.1"), {"proposed": "2"}).status_code == 403
    assert not MemberReview.objects.filter(criterion=c41).exists()

    member_client = client_for(member.evaluator.user)
    assert member_client.get(url("review", team, "1.1")).status_code == 200  # reads others' criteria
    assert member_client.get(url("review_level4", team, "1")).status_code == 200
    assert member_client.post(url("review_level4", team, "1"), {"proposed": "1"}).status_code == 403
    assert member_client.post(url("review", team, "1.1"), {"proposed": "1"}).status_code == 403
    assert member_client.post(url("ratings", team), {"key": "1.1", "1.1-value": "2"}).status_code == 403
    assert not TeamRating.objects.exists()

    response = leader_client.post(url("ratings", team), {"key": "1.1", "1.1-value": "2", "1.1-note": "Đủ"})
    assert response.status_code == 302
    assert TeamRating.objects.get(team=team, criterion=c11).level == 2
    htmx = leader_client.post(url("ratings", team), {"key": "1.1", "1.1-value": "3"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and 'id="team-result"' in htmx.content.decode()
    preview = leader_client.get(url("ratings_copy", team))
    assert preview.status_code == 200 and not TeamRating.objects.filter(level=None).exists()
    report = leader_client.get(url("report", team))
    assert report.status_code == 200 and "Tổng số tiêu chí được đánh giá" in report.content.decode()


def test_who_sees_the_team(world, team, leader):
    officer = client_for(world.officer_district)
    assert officer.get(url("home", team)).status_code == 200
    assert officer.get(url("ratings", team)).status_code == 200
    assert officer.get(url("report", team)).status_code == 200
    assert officer.get(reverse("documents:evaluation_report", args=[team.pk, "docx"])).status_code == 200
    assert officer.post(url("ratings", team), {"key": "1.1", "1.1-value": "2"}).status_code == 403
    for user in (world.principal_b, world.officer_other_province, world.evaluator, world.member_a):
        client = client_for(user)
        assert client.get(url("home", team)).status_code == 404, user.username
        assert client.get(url("report", team)).status_code == 404, user.username
    principal = client_for(world.principal_a)
    assert principal.get(url("report", team)).status_code == 404  # not sent yet
    assert principal.get(url("ratings", team)).status_code == 404
    sent_report(team, leader.evaluator.user)
    page = principal.get(url("report", team))
    assert page.status_code == 200 and "Gửi ý kiến" in page.content.decode()
    assert principal.get(url("home", team)).status_code == 302
    assert principal.get(url("ratings", team)).status_code == 404
    response = principal.post(url("feedback_add", team), {"text": "Ý kiến chung của trường"})
    assert response.status_code == 302 and SchoolFeedback.objects.filter(text="Ý kiến chung của trường").exists()
    assert client_for(world.principal_b).get(url("report", team)).status_code == 404


def test_query_counts_do_not_grow_with_reviews_and_ratings(team, leader, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(leader.evaluator.user)

    def count(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(name, team)).status_code == 200
        return len(ctx.captured_queries)

    before = {name: count(name) for name in ("home", "ratings")}
    user = leader.evaluator.user
    for c in leader.criteria.all():
        ws.review_save(actor=user, team=team, member=leader, criterion=c, data=ws.ReviewInput(proposed_level=2))
    agree_all(team, user)
    after = {name: count(name) for name in ("home", "ratings")}
    assert after == before
