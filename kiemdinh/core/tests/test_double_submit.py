"""Two identical POSTs create one object (kiemdinh.core.submits): evidence, council members, decisions, plans, tasks.

On PostgreSQL the two requests really run at the same moment, each in its own thread with its own database connection,
from one browser session (a double click). SQLite serialises writers, so there the second request comes right after
the first, as a double click on a fast server does. Either way: one object, and both answers are the same redirect.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kiemdinh.core import submits
from kiemdinh.core.models import SubmitClaim
from kiemdinh.evidence.models import Evidence
from kiemdinh.evidence.tests.conftest import pdf
from kiemdinh.frameworks.models import Criterion
from kiemdinh.planning.models import AnnualPlan, PlanTask
from kiemdinh.planning.tests.helpers import make_plan
from kiemdinh.recognition.models import Decision
from kiemdinh.selfassessment.models import CouncilMember, CouncilRole
from kiemdinh.testing.world import build_world, load_frameworks
from kiemdinh.workflow.services import cycle_open

CONCURRENT = connection.vendor == "postgresql"


def _twice(session_cookie: str, url: str, data_of) -> list:
    """POST the same submission twice from one session: at once in two threads (PostgreSQL), else one after the
    other. data_of() gives a fresh copy of the data (an uploaded file is read by each request)."""
    responses: list = [None, None]

    def post(slot: int, barrier: threading.Barrier | None) -> None:
        client = Client()
        client.cookies["sessionid"] = session_cookie
        data = data_of()
        if barrier is not None:
            barrier.wait()
        try:
            responses[slot] = client.post(url, data)
        finally:
            connection.close()

    if CONCURRENT:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=post, args=(slot, barrier)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        post(0, None)
        post(1, None)
    return responses


@pytest.fixture
def setting(transactional_db):
    load_frameworks(("tt17-2018",))
    world = build_world()
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    return world, cycle


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _one_object_and_the_same_redirect(responses, count: int) -> None:
    assert [r.status_code for r in responses] == [302, 302], [r.content[:300] for r in responses]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert count == 1
    assert sum(r.get("X-Submission-Replayed") == "1" for r in responses) == 1


def test_evidence_added_twice_at_once_is_one_evidence(setting):
    world, cycle = setting
    criterion = Criterion.objects.get(version_id=cycle.framework_id, code="1.2")
    url = reverse("evidence:add", args=[cycle.pk])
    responses = _twice(
        _session_of(world.principal_a),
        url,
        lambda: {"criterion": criterion.pk, "name": "Biên bản họp Hội đồng trường", "files": [pdf("bien-ban.pdf")]},
    )
    _one_object_and_the_same_redirect(responses, Evidence.objects.count())


def test_a_council_member_added_twice_at_once_is_one_member(setting):
    world, cycle = setting
    url = reverse("selfassessment:council_member_add", args=[cycle.pk])
    responses = _twice(
        _session_of(world.principal_a), url, lambda: {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    )
    _one_object_and_the_same_redirect(responses, CouncilMember.objects.filter(cycle=cycle).count())


def test_a_decision_entered_twice_at_once_is_one_decision(setting):
    world, _cycle = setting
    url = reverse("recognition:school", args=[world.school_a.pk])
    data = {
        "kind": "accreditation",
        "level": "2",
        "recognition_round": "first",
        "number": "125/QĐ-SGDĐT",
        "decided_on": "2024-01-04",
    }
    responses = _twice(_session_of(world.officer_province), url, lambda: dict(data))
    _one_object_and_the_same_redirect(responses, Decision.objects.filter(school=world.school_a).count())


def test_a_plan_created_twice_at_once_is_one_plan(setting):
    world, _cycle = setting
    url = reverse("planning:plan_create", args=[world.district.pk])
    data = {"kind": "year", "period": "2024", "title": "Kế hoạch kiểm định chất lượng giáo dục năm 2024"}
    responses = _twice(_session_of(world.officer_district), url, lambda: dict(data))
    _one_object_and_the_same_redirect(responses, AnnualPlan.objects.filter(unit=world.district).count())


def test_a_task_added_twice_at_once_is_one_task(setting):
    world, _cycle = setting
    plan = make_plan(world)
    before = PlanTask.objects.filter(plan=plan).count()
    url = reverse("planning:task_add", args=[plan.pk])
    data = {"agency": "Phòng Giáo dục và Đào tạo", "content": "Hướng dẫn các trường tự đánh giá", "deadline": ""}
    responses = _twice(_session_of(world.officer_district), url, lambda: dict(data))
    _one_object_and_the_same_redirect(responses, PlanTask.objects.filter(plan=plan).count() - before)


# --- What the guard must leave alone -------------------------------------------------------------------------------


@pytest.fixture
def principal(client, world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    client.force_login(world.principal_a)
    return client, reverse("selfassessment:council_member_add", args=[cycle.pk]), cycle


def test_a_different_submission_in_between_runs_again(principal):
    client, url, cycle = principal
    for name in ("Lê Thị Thu", "Trần Văn Bình", "Lê Thị Thu"):
        response = client.post(url, {"full_name": name, "role": CouncilRole.MEMBER})
        assert response.status_code == 302 and "X-Submission-Replayed" not in response
    assert CouncilMember.objects.filter(cycle=cycle).count() == 3


def test_a_submission_to_another_address_in_between_runs_it_again(principal):
    """E.g. "Ban hành" refused, the header fixed through another form, "Ban hành" again: it must run again."""
    client, url, cycle = principal
    data = {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    assert client.post(url, data).status_code == 302
    group_add = reverse("selfassessment:council_group_add", args=[cycle.pk])
    assert client.post(group_add, {"name": "Nhóm công tác 1"}).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 302 and "X-Submission-Replayed" not in response
    assert CouncilMember.objects.filter(cycle=cycle, full_name="Lê Thị Thu").count() == 2


def test_a_replayed_redirect_is_followed_like_the_first(principal):
    client, url, _cycle = principal
    data = {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    first = client.post(url, data, follow=True)
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == first.redirect_chain and again.status_code == 200


def test_a_refused_submission_is_not_kept_so_sending_it_again_runs_again(principal):
    client, url, _cycle = principal
    for _ in range(2):
        response = client.post(url, {"full_name": "", "role": CouncilRole.MEMBER})
        assert response.status_code == 200 and "Hãy nhập họ và tên." in response.content.decode()
        assert "X-Submission-Replayed" not in response
    assert not SubmitClaim.objects.exists()


def test_the_replay_brings_the_first_requests_message(principal):
    client, url, cycle = principal
    data = {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    first = client.post(url, data)
    page_after_first = client.get(first["Location"]).content.decode()
    second = client.post(url, data)
    assert second["X-Submission-Replayed"] == "1" and second["Location"] == first["Location"]
    assert "Lê Thị Thu" in page_after_first
    assert CouncilMember.objects.filter(cycle=cycle).count() == 1


def test_after_the_replay_window_the_same_submission_runs_again(principal, monkeypatch):
    client, url, cycle = principal
    monkeypatch.setattr(submits, "REPLAY_SECONDS", 0)
    data = {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    client.post(url, data)
    client.post(url, data)
    assert CouncilMember.objects.filter(cycle=cycle).count() == 2


def test_a_submission_still_running_is_answered_409_in_vietnamese(principal, monkeypatch):
    client, url, cycle = principal
    monkeypatch.setattr(submits, "WAIT_SECONDS", 0.2)
    data = {"full_name": "Lê Thị Thu", "role": CouncilRole.MEMBER}
    real_try_claim = submits._try_claim

    def running_elsewhere(key, digest):
        # Another worker holds this very submission and has not finished it.
        SubmitClaim.objects.update_or_create(
            key=key,
            defaults={"digest": digest, "token": "x" * 32, "done": False, "expires_at": "2999-01-01T00:00:00Z"},
        )
        return real_try_claim(key, digest)

    monkeypatch.setattr(submits, "_try_claim", running_elsewhere)
    response = client.post(url, data, HTTP_REFERER=f"http://testserver/tu-danh-gia/{cycle.pk}/hoi-dong/")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Yêu cầu này đã được gửi, đang được xử lý." in body and f"/tu-danh-gia/{cycle.pk}/hoi-dong/" in body
    assert not CouncilMember.objects.exists()


def test_moving_a_row_twice_moves_it_twice(client, world):
    from kiemdinh.planning import services as planning

    plan = make_plan(world)
    for heading in ("Mục A", "Mục B", "Mục C"):
        planning.section_save(actor=world.officer_district, plan=plan, heading=heading, body="")
    headings = list(plan.sections.order_by("position").values_list("heading", flat=True))
    last = plan.sections.order_by("position").last()
    client.force_login(world.officer_district)
    url = reverse("planning:section_move", args=[plan.pk, last.pk, "len"])
    for _ in range(2):
        assert client.post(url).status_code == 302
    assert list(plan.sections.order_by("position").values_list("heading", flat=True)) == [
        *headings[:-3],
        "Mục C",
        "Mục A",
        "Mục B",
    ]


def test_anonymous_and_get_requests_claim_nothing(client, world):
    client.get(reverse("accounts:login"))
    client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": "sai"})
    client.post("/api/v1/evaluate", data="{}", content_type="application/json")
    assert not SubmitClaim.objects.exists()


def test_the_same_paper_decision_entered_from_two_sessions_is_refused_the_second_time(world):
    url = reverse("recognition:school", args=[world.school_a.pk])
    data = {"kind": "accreditation", "level": "2", "recognition_round": "first", "number": "125/QĐ-SGDĐT"}
    first, second = Client(), Client()
    first.force_login(world.officer_province)
    second.force_login(world.officer_province)
    assert first.post(url, {**data, "decided_on": "2024-01-04"}).status_code == 302
    refused = second.post(url, {**data, "decided_on": "04/01/2024"})
    assert refused.status_code == 200
    assert "Quyết định số 125/QĐ-SGDĐT đã được ghi cho Trường Tiểu học An Bình." in refused.content.decode()
    assert Decision.objects.filter(school=world.school_a).count() == 1
