"""The workspace pages as users use them: access, live ratings, autosave, conflicts, history, gaps, submission."""

import pytest
from django.urls import reverse

from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.council.services import criterion_assignments_save
from kiemdinh.selfassessment.models import CriterionForm, CycleStatus, FormDraft, IndicatorRating
from kiemdinh.selfassessment.services import criterion_form_save
from kiemdinh.selfassessment.tests.builders import add_council, complete_dossier, fill_forms
from kiemdinh.workflow.services import cycle_submit

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


WORKFLOW_PAGES = {"cycle_detail", "form", "form_rate", "form_autosave", "form_history", "level4_form", "level4_rate"}
WORKFLOW_PAGES |= {"level4_autosave", "level4_history", "submit", "return", "accept", "publish"}


def url(name, cycle, *args):
    namespace = "workflow" if name in WORKFLOW_PAGES else "selfassessment"
    return reverse(f"{namespace}:{name}", args=[cycle.pk, *args])


def form_data(version=0, **texts):
    data = {"base_version": str(version), "strengths": "", "weaknesses": "", "improvement": ""}
    data.update({f"mo_ta_{k}": v for k, v in texts.items()})
    return data


# --- access -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cycle_detail", "criteria", "gaps"])
def test_outsiders_get_404_and_insiders_200(client, world, cycle, name):
    for user, expected in [
        (world.principal_b, 404),
        (world.officer_other_province, 404),
        (world.evaluator, 404),
        (world.principal_a, 200),
        (world.member_a, 200),
        (world.officer_commune_a, 200),
        (world.officer_district, 200),
    ]:
        client.force_login(user)
        assert client.get(url(name, cycle)).status_code == expected, (user.username, name)


def test_a_member_edits_only_assigned_criteria(client, world, cycle):
    from kiemdinh.selfassessment.council.services import council_member_create

    member = council_member_create(
        actor=world.principal_a, cycle=cycle, full_name="Lê Văn Minh", role="uy_vien", user=world.member_a
    )
    c11 = Criterion.objects.get(version=cycle.framework, code="1.1")
    criterion_assignments_save(actor=world.principal_a, cycle=cycle, criteria={c11.pk: (None, member.pk)})
    client.force_login(world.member_a)
    page = client.get(url("form", cycle, "1.1"))
    assert b'name="mo_ta_1.a"' in page.content
    assert client.post(url("form", cycle, "1.1"), form_data(**{"1.a": "Tôi viết"})).status_code == 302
    other = client.get(url("form", cycle, "1.2"))
    assert b'name="mo_ta_1.a"' not in other.content and "không được phân công cho bạn" in other.content.decode()
    assert client.post(url("form", cycle, "1.2"), form_data(**{"1.a": "Không được"})).status_code == 403
    assert client.post(url("form_rate", cycle, "1.2"), {"dat": ["1.a"]}).status_code == 403
    assert list(CriterionForm.objects.filter(version__gt=0).values_list("criterion__code", flat=True)) == ["1.1"]


def test_officers_read_but_cannot_write(client, world, cycle):
    client.force_login(world.officer_commune_a)
    assert client.post(url("form", cycle, "1.1"), form_data(**{"1.a": "x"})).status_code == 403
    assert client.post(url("submit", cycle)).status_code == 403
    assert not CriterionForm.objects.exists()


# --- the criterion form ----------------------------------------------------------------------------------------------


def test_ticking_returns_the_new_level_and_school_summary_without_reload(client, world, cycle):
    client.force_login(world.secretary_a)
    response = client.post(url("form_rate", cycle, "1.1"), {"dat": ["1.a", "1.b", "1.c"]}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="ratings"' in html and "đạt Mức 1" in html
    assert 'id="school-summary" class="card summary-card" hx-swap-oob="true"' in html
    assert IndicatorRating.objects.filter(cycle=cycle, achieved=True).count() == 3
    # unticking one lowers the level again
    response = client.post(url("form_rate", cycle, "1.1"), {"dat": ["1.a", "1.b"]}, HTTP_HX_REQUEST="true")
    assert "chưa đạt Mức 1" in response.content.decode()


def test_conflict_merges_what_only_one_side_changed(client, world, cycle):
    client.force_login(world.principal_a)
    client.post(url("form", cycle, "1.1"), form_data(0, **{"1.a": "Gốc"}))
    client.post(url("form", cycle, "1.1"), {**form_data(1, **{"1.a": "Gốc"}), "strengths": "Hiệu trưởng thêm"})
    client.force_login(world.secretary_a)  # opened at version 1, edits another text
    response = client.post(url("form", cycle, "1.1"), form_data(1, **{"1.a": "Thư ký sửa"}))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Hiệu trưởng thêm</textarea>" in html and "Thư ký sửa</textarea>" in html
    assert "đã tự động gộp" in html and "cần gộp" not in html


def test_save_and_conflict_shows_both_versions_and_keeps_the_users_text(client, world, cycle):
    client.force_login(world.secretary_a)
    page = client.get(url("form", cycle, "1.1"))
    assert 'name="base_version" value="0"' in page.content.decode()
    client.post(url("form", cycle, "1.1"), form_data(0, **{"1.a": "Thư ký lưu trước [H1-1.1-01]"}))
    client.force_login(world.principal_a)
    response = client.post(url("form", cycle, "1.1"), form_data(0, **{"1.a": "Hiệu trưởng lưu sau"}))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Thư ký lưu trước" in html and "Hiệu trưởng lưu sau" in html
    assert 'name="base_version" value="1"' in html  # merging and saving again is based on the current version
    assert CriterionForm.objects.get().descriptions == {"1.a": "Thư ký lưu trước [H1-1.1-01]"}
    merged = client.post(url("form", cycle, "1.1"), form_data(1, **{"1.a": "Bản gộp của hai người"}))
    assert merged.status_code == 302
    assert CriterionForm.objects.get().descriptions == {"1.a": "Bản gộp của hai người"}


def test_autosave_keeps_a_draft_that_is_offered_back(client, world, cycle):
    client.force_login(world.secretary_a)
    response = client.post(
        url("form_autosave", cycle, "1.1"), form_data(0, **{"1.a": "Đang gõ dở [H9-9.9-01]"}), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Đã tự lưu nháp" in html and "[H9-9.9-01] — chưa có trong danh mục" in html
    page = client.get(url("form", cycle, "1.1")).content.decode()
    assert 'data-testid="draft-banner"' in page
    restored = client.get(url("form", cycle, "1.1") + "?nhap=1").content.decode()
    assert "Đang gõ dở [H9-9.9-01]</textarea>" in restored
    client.post(url("form_autosave", cycle, "1.1"), {"bo_nhap": "1"})
    assert not FormDraft.objects.exists()


def test_history_shows_who_changed_what(client, world, cycle):
    c11 = Criterion.objects.get(version=cycle.framework, code="1.1")
    criterion_form_save(
        actor=world.secretary_a,
        cycle=cycle,
        criterion=c11,
        base_version=0,
        descriptions={"1.a": "Có kế hoạch chiến lược"},
    )
    criterion_form_save(
        actor=world.principal_a,
        cycle=cycle,
        criterion=c11,
        base_version=1,
        descriptions={"1.a": "Có kế hoạch chiến lược rõ ràng"},
    )
    client.force_login(world.member_a)
    html = client.get(url("form_history", cycle, "1.1")).content.decode()
    assert "<ins> rõ ràng</ins>" in html or "<ins>rõ ràng</ins>" in html
    assert world.secretary_a.display_name in html and world.principal_a.display_name in html


def test_citations_in_a_saved_form_are_linked_or_flagged(client, world, cycle):
    from kiemdinh.evidence.services import evidence_create

    c11 = Criterion.objects.get(version=cycle.framework, code="1.1")
    link = evidence_create(actor=world.principal_a, cycle=cycle, criterion=c11, name="Quyết định thành lập")
    criterion_form_save(
        actor=world.principal_a,
        cycle=cycle,
        criterion=c11,
        base_version=0,
        descriptions={"1.a": f"Có quyết định {link.code}; {'[H1-1.1-07]'}"},
    )
    client.force_login(world.principal_a)
    html = client.get(url("form", cycle, "1.1")).content.decode()
    assert f'title="Quyết định thành lập">{link.code}</a>' in html
    assert "[H1-1.1-07] — chưa có trong danh mục" in html


# --- gaps and what-if ------------------------------------------------------------------------------------------------


def test_what_if_rates_without_saving(client, world, cycle):
    fill_forms(cycle, world.principal_a, criteria={"1.1"})
    client.force_login(world.member_a)
    before = sorted(IndicatorRating.objects.filter(cycle=cycle).values_list("indicator_id", "achieved"))
    stored = client.get(url("gaps", cycle)).content.decode()
    assert "Trường đạt Mức 1" in stored and "26 tiêu chí chưa đạt Mức 1" in stored
    every = [
        str(pk) for pk in Criterion.objects.filter(version=cycle.framework).values_list("indicators__pk", flat=True)
    ]
    response = client.post(url("gaps", cycle), {"dat": every}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Giả định (không lưu)" in html and "đạt Mức 3" in html
    assert sorted(IndicatorRating.objects.filter(cycle=cycle).values_list("indicator_id", "achieved")) == before


# --- overview and submission ------------------------------------------------------------------------------------------


def test_overview_lists_the_seven_steps_with_what_is_missing(client, world, cycle):
    client.force_login(world.principal_a)
    html = client.get(url("cycle_detail", cycle)).content.decode()
    assert html.count('class="step step-') == 7
    assert "Thành lập hội đồng tự đánh giá" in html and "Chưa có thành viên hội đồng." in html
    assert 'data-testid="blockers"' in html


def test_principal_submits_officer_returns_with_comments(client, world, cycle):
    complete_dossier(cycle, world.principal_a)
    client.force_login(world.secretary_a)
    assert client.post(url("submit", cycle)).status_code == 403  # only the principal approves
    client.force_login(world.principal_a)
    assert client.post(url("submit", cycle)).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED
    client.force_login(world.officer_commune_a)
    home = client.get("/").content.decode()
    assert 'data-testid="awaiting-review"' in home and f"{world.school_a.name} — năm học 2025-2026" in home
    client.force_login(world.officer_other_province)
    assert 'data-testid="awaiting-review"' not in client.get("/").content.decode()
    client.force_login(world.officer_commune_a)
    client.post(url("return", cycle), {"comment": "", "tc_1.1": "Thiếu biên bản họp"})
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RETURNED
    client.force_login(world.principal_a)
    form_page = client.get(url("form", cycle, "1.1")).content.decode()
    assert "Thiếu biên bản họp" in form_page
    overview = client.get(url("cycle_detail", cycle)).content.decode()
    assert "Cơ quan quản lý trả lại" in overview


# --- bounded queries -------------------------------------------------------------------------------------------------


# The most queries each page may make; the same at both data sizes (nothing grows with the number of rows).
QUERY_CAPS = {
    ("cycle_detail", ()): 32,  # what the dossier lacks (readiness) is read for every visitor, officers too
    ("criteria", ()): 12,
    ("form", ("1.1",)): 15,
    ("gaps", ()): 10,
    ("form_history", ("1.1",)): 8,
    ("level4_form", ("1",)): 13,
}


@pytest.mark.parametrize("name,args", list(QUERY_CAPS))
def test_pages_use_a_bounded_number_of_queries(client, world, cycle, django_assert_max_num_queries, name, args):
    client.force_login(world.principal_a)
    fill_forms(cycle, world.principal_a, criteria={"1.1", "1.2"})
    with django_assert_max_num_queries(QUERY_CAPS[name, args]) as small:
        assert client.get(url(name, cycle, *args)).status_code == 200
    add_council(cycle, world.principal_a, size=9)
    fill_forms(cycle, world.principal_a)
    with django_assert_max_num_queries(QUERY_CAPS[name, args]) as large:
        assert client.get(url(name, cycle, *args)).status_code == 200
    assert len(large) == len(small), (name, len(small), len(large))


def test_submitted_cycle_pages_are_read_only(client, world, cycle):
    complete_dossier(cycle, world.principal_a)
    cycle_submit(actor=world.principal_a, cycle=cycle)
    client.force_login(world.principal_a)
    html = client.get(url("form", cycle, "1.1")).content.decode()
    assert "<textarea" not in html and "chỉ xem" in html
    link = cycle.evidence_links.get(code="[H1-1.1-01]")
    assert f'<a class="cite" href="/tu-danh-gia/{cycle.pk}/minh-chung/{link.pk}/">[H1-1.1-01]</a>' in html
    assert client.post(url("form_rate", cycle, "1.1"), {"dat": []}).status_code == 403
