"""Phiếu xác định nội hàm (Phụ lục 2 and 3): rows per indicator and Mức 4 item, progress, carry-over, screens."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.selfassessment.council import selectors
from kiemdinh.selfassessment.council import services as svc
from kiemdinh.selfassessment.council.constants import LEVEL4_PAGE
from kiemdinh.selfassessment.models import ScopeAnalysis
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXTS = {
    "meaning": "Kế hoạch phát triển",
    "questions": "Có kế hoạch không?",
    "evidence_needed": "Kế hoạch",
    "sources": "Văn thư",
}


def indicator(cycle, code, level=1, letter="a"):
    return Indicator.objects.select_related("criterion").get(
        criterion__version=cycle.framework, criterion__code=code, level=level, letter=letter
    )


def save_url(cycle, ind):
    return reverse("selfassessment:worksheet_indicator_save", args=[cycle.pk, ind.pk])


def page_url(cycle, page=""):
    url = reverse("selfassessment:worksheet", args=[cycle.pk])
    return f"{url}?tieu-chuan={page}" if page else url


# --- services and selectors ----------------------------------------------------------------------------------------


def test_save_creates_then_updates_one_row_with_one_event_each(world, cycle):
    ind = indicator(cycle, "1.1")
    first = svc.scope_analysis_save(actor=world.principal_a, cycle=cycle, indicator=ind, meaning=" Nội hàm ")
    second = svc.scope_analysis_save(actor=world.secretary_a, cycle=cycle, indicator=ind, **TEXTS)
    assert first.pk == second.pk
    row = ScopeAnalysis.objects.get()
    assert (row.meaning, row.sources, row.updated_by) == ("Kế hoạch phát triển", "Văn thư", world.secretary_a)
    events = AuditEvent.objects.filter(event_type="worksheet.row_saved")
    assert events.count() == 2
    assert events.latest("id").data["filled"] == ["meaning", "questions", "evidence_needed", "sources"]


def test_save_refuses_rows_outside_the_cycles_framework(world, cycle):
    tt57 = cycle_open(actor=None, school=world.school_a, school_year="2026-2027")
    with pytest.raises(ValidationError) as e:
        svc.scope_analysis_save(actor=None, cycle=tt57, indicator=indicator(cycle, "1.1"), meaning="x")
    assert "không thuộc bộ tiêu chuẩn" in str(e.value)
    with pytest.raises(ValidationError):
        svc.scope_analysis_save(actor=None, cycle=cycle, meaning="x")
    kindergarten = cycle_open(actor=None, school=world.school_b, school_year="2025-2026")
    missing = Level4Item.objects.get(version=kindergarten.framework, code="6")
    missing.confidence, missing.text = "missing", ""  # an item whose text is not known (none is, today)
    missing.save()
    with pytest.raises(ValidationError) as e:
        svc.scope_analysis_save(actor=None, cycle=kindergarten, level4_item=missing, meaning="x")
    assert "chưa có văn bản" in str(e.value)
    assert not ScopeAnalysis.objects.exists()


def test_progress_counts_rows_with_meaning_and_evidence(world, cycle):
    indicators = Indicator.objects.filter(criterion__version=cycle.framework).count()
    items = Level4Item.objects.filter(version=cycle.framework).count()
    assert selectors.worksheet_progress(cycle) == (0, indicators + items)
    svc.scope_analysis_save(actor=None, cycle=cycle, indicator=indicator(cycle, "1.1"), **TEXTS)
    svc.scope_analysis_save(actor=None, cycle=cycle, indicator=indicator(cycle, "1.2"), meaning="Chỉ có nội hàm")
    item = Level4Item.objects.get(version=cycle.framework, code="1")
    svc.scope_analysis_save(actor=None, cycle=cycle, level4_item=item, meaning="a", evidence_needed="b")
    assert selectors.worksheet_progress(cycle) == (2, indicators + items)


def test_kindergarten_worksheet_skips_level4_items_without_text(world):
    kindergarten = cycle_open(actor=None, school=world.school_b, school_year="2025-2026")
    page = selectors.worksheet_page(kindergarten, page=LEVEL4_PAGE)
    assert [r.level4_item.code for r in page.level4_rows] == ["1", "2", "3", "4", "5", "6"]  # TT19 Điều 22
    # An item whose text is not known (data marked "missing"; none is today) is left out.
    Level4Item.objects.filter(version=kindergarten.framework, code="6").update(confidence="missing", text="")
    page = selectors.worksheet_page(kindergarten, page=LEVEL4_PAGE)
    assert [r.level4_item.code for r in page.level4_rows] == ["1", "2", "3", "4", "5"]
    indicators = Indicator.objects.filter(criterion__version=kindergarten.framework).count()
    assert selectors.worksheet_progress(kindergarten) == (0, indicators + 5)


def test_worksheet_copy_matches_indicators_and_leaves_the_source_unchanged(world, cycle):
    earlier = cycle_open(actor=None, school=world.school_a, school_year="2024-2025")
    svc.scope_analysis_save(actor=None, cycle=earlier, indicator=indicator(earlier, "1.1"), **TEXTS)
    svc.scope_analysis_save(
        actor=None, cycle=earlier, indicator=indicator(earlier, "2.1", level=2, letter="a"), meaning="Mức 2"
    )
    item = Level4Item.objects.get(version=earlier.framework, code="2")
    svc.scope_analysis_save(actor=None, cycle=earlier, level4_item=item, meaning="Mức 4")
    before = list(ScopeAnalysis.objects.filter(cycle=earlier).values_list("indicator", "level4_item", "meaning"))

    report = svc.worksheet_copy(actor=world.principal_a, source=earlier, target=cycle)

    assert report.counts == {"rows": 3} and report.skipped == ()
    assert (
        list(ScopeAnalysis.objects.filter(cycle=earlier).values_list("indicator", "level4_item", "meaning")) == before
    )
    copied = ScopeAnalysis.objects.get(cycle=cycle, indicator=indicator(cycle, "1.1"))
    assert (copied.meaning, copied.questions, copied.evidence_needed, copied.sources) == tuple(TEXTS.values())
    assert ScopeAnalysis.objects.get(cycle=cycle, level4_item=item).meaning == "Mức 4"
    with pytest.raises(ValidationError) as e:
        svc.worksheet_copy(actor=None, source=earlier, target=cycle)
    assert "đã có nội dung" in str(e.value)


def test_worksheet_copy_across_regimes_copies_nothing_and_says_why(world, cycle):
    tt57 = cycle_open(actor=None, school=world.school_a, school_year="2026-2027")
    svc.scope_analysis_save(actor=None, cycle=cycle, indicator=indicator(cycle, "1.1"), **TEXTS)
    report = svc.worksheet_copy(actor=None, source=cycle, target=tt57)
    assert report.counts == {"rows": 0}
    assert "có yêu cầu khác nhau" in report.skipped[0]
    assert not ScopeAnalysis.objects.filter(cycle=tt57).exists()


# --- screens -------------------------------------------------------------------------------------------------------


def test_principal_sees_every_row_of_a_standard_editable(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.get(page_url(cycle))
    assert response.status_code == 200 and response.context["tab"] == "worksheet"
    page = response.context["page"]
    assert page.standard.code == "1"
    rows = [r for block in page.criteria for r in block.rows]
    assert len(rows) == Indicator.objects.filter(criterion__standard=page.standard).count()
    assert all(r.editable for r in rows)
    html = response.content.decode()
    assert html.count('name="meaning"') == len(rows)
    assert indicator(cycle, "1.1").text[:40] in html
    level4 = client.get(page_url(cycle, "muc-4"))
    assert "Phụ lục 3" in level4.content.decode()
    assert len(level4.context["page"].level4_rows) == Level4Item.objects.filter(version=cycle.framework).count()


def test_htmx_save_swaps_the_row_with_the_time_saved(client, world, cycle):
    client.force_login(world.principal_a)
    ind = indicator(cycle, "1.1")
    response = client.post(save_url(cycle, ind), TEXTS, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="i{ind.pk}"')
    assert "Đã lưu lúc " in html
    assert 'id="worksheet-progress" hx-swap-oob="true">1/' in html
    assert ScopeAnalysis.objects.get(cycle=cycle, indicator=ind).meaning == TEXTS["meaning"]


def test_plain_save_redirects_back_to_the_row(client, world, cycle):
    client.force_login(world.principal_a)
    ind = indicator(cycle, "2.1")
    response = client.post(save_url(cycle, ind), TEXTS)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?tieu-chuan=2#i{ind.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu nội hàm tiêu chí 2.1 Mức 1 a)." in page
    assert "Kế hoạch phát triển" in page


def test_too_long_text_is_refused_and_kept_on_screen(client, world, cycle):
    client.force_login(world.principal_a)
    ind = indicator(cycle, "1.1")
    data = {**TEXTS, "questions": "x" * 10_001}
    response = client.post(save_url(cycle, ind), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Câu hỏi đặt ra dài quá 10.000 ký tự." in html
    assert "Kế hoạch phát triển" in html  # the other texts are not lost
    assert "Câu hỏi đặt ra dài quá" in client.post(save_url(cycle, ind), data, **HTMX).content.decode()
    assert not ScopeAnalysis.objects.exists()


def test_suggested_evidence_shows_as_a_hint(client, world):
    tt57 = cycle_open(actor=None, school=world.school_a, school_year="2026-2027")
    suggestion = Criterion.objects.get(version=tt57.framework, code="1.1").suggested_evidence
    assert suggestion
    client.force_login(world.principal_a)
    html = client.get(page_url(tt57)).content.decode()
    assert f'placeholder="Gợi ý: {suggestion}"' in html


def test_member_edits_only_the_criteria_assigned_to_them(client, world, cycle):
    mine, other = indicator(cycle, "1.1"), indicator(cycle, "1.2")
    member = svc.council_member_create(
        actor=None, cycle=cycle, full_name="Lê Văn Minh", role="uy_vien", user=world.member_a
    )
    svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={mine.criterion_id: (None, member.pk)})
    client.force_login(world.member_a)
    response = client.get(page_url(cycle))
    editable = {r.indicator.criterion.code for b in response.context["page"].criteria for r in b.rows if r.editable}
    assert editable == {"1.1"}
    assert client.post(save_url(cycle, other), TEXTS).status_code == 403
    assert client.post(save_url(cycle, mine), TEXTS, **HTMX).status_code == 200
    assert list(ScopeAnalysis.objects.values_list("indicator", flat=True)) == [mine.pk]


def test_members_edit_through_their_group_too(client, world, cycle):
    group = svc.working_group_create(actor=None, cycle=cycle, name="Nhóm 2")
    svc.council_member_create(
        actor=None, cycle=cycle, full_name="Lê Văn Minh", role="uy_vien", user=world.member_a, group=group
    )
    ind = indicator(cycle, "2.1")
    svc.criterion_assignments_save(actor=None, cycle=cycle, criteria={ind.criterion_id: (group.pk, None)})
    client.force_login(world.member_a)
    assert client.post(save_url(cycle, ind), TEXTS).status_code == 302


def test_unassigned_member_and_officer_read_only(client, world, cycle):
    ind = indicator(cycle, "1.1")
    svc.scope_analysis_save(actor=None, cycle=cycle, indicator=ind, **TEXTS)
    for persona in (world.member_a, world.officer_commune_a):
        client.force_login(persona)
        response = client.get(page_url(cycle))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="meaning"' not in html and "Kế hoạch phát triển" in html
        assert client.post(save_url(cycle, ind), {"meaning": "Sửa"}).status_code == 403
    item = Level4Item.objects.get(version=cycle.framework, code="1")
    level4_url = reverse("selfassessment:worksheet_level4_save", args=[cycle.pk, item.pk])
    assert client.post(level4_url, {"meaning": "Sửa"}).status_code == 403
    assert ScopeAnalysis.objects.get().meaning == "Kế hoạch phát triển"


@pytest.mark.parametrize("persona", ["principal_b", "officer_other_province"])
def test_outsiders_get_404(client, world, cycle, persona):
    client.force_login(getattr(world, persona))
    assert client.get(page_url(cycle)).status_code == 404
    assert client.post(save_url(cycle, indicator(cycle, "1.1")), TEXTS).status_code == 404
    assert not ScopeAnalysis.objects.exists()


def test_indicator_of_another_framework_is_not_found(client, world, cycle):
    tt57 = cycle_open(actor=None, school=world.school_a, school_year="2026-2027")
    client.force_login(world.principal_a)
    assert client.post(save_url(tt57, indicator(cycle, "1.1")), TEXTS).status_code == 404


def test_level4_rows_save_with_htmx(client, world, cycle):
    item = Level4Item.objects.get(version=cycle.framework, code="3")
    client.force_login(world.principal_a)
    url = reverse("selfassessment:worksheet_level4_save", args=[cycle.pk, item.pk])
    html = client.post(url, TEXTS, **HTMX).content.decode()
    assert html.lstrip().startswith(f'<form id="m{item.pk}"') and "Đã lưu lúc" in html
    assert ScopeAnalysis.objects.get(level4_item=item).evidence_needed == "Kế hoạch"


def test_copy_screen_copies_an_earlier_worksheet(client, world, cycle):
    earlier = cycle_open(actor=None, school=world.school_a, school_year="2024-2025")
    svc.scope_analysis_save(actor=None, cycle=earlier, indicator=indicator(earlier, "1.1"), **TEXTS)
    client.force_login(world.principal_a)
    assert "Phiếu nội hàm còn trống" in client.get(page_url(cycle)).content.decode()
    response = client.post(
        reverse("selfassessment:worksheet_copy", args=[cycle.pk]), {"source": earlier.pk}, follow=True
    )
    assert "Đã sao chép phiếu nội hàm năm học 2024-2025 (1 dòng)." in response.content.decode()
    assert ScopeAnalysis.objects.filter(cycle=cycle).count() == 1


def test_worksheet_page_queries_do_not_grow_with_the_rows(client, world, cycle, django_assert_max_num_queries):
    client.force_login(world.principal_a)
    standards = {
        code: Indicator.objects.filter(criterion__version=cycle.framework, criterion__standard__code=code).count()
        for code in ("1", "5")
    }
    assert standards["1"] != standards["5"]
    for ind in Indicator.objects.filter(criterion__version=cycle.framework, criterion__standard__code="5"):
        svc.scope_analysis_save(actor=None, cycle=cycle, indicator=ind, **TEXTS)
    client.get(page_url(cycle))
    counts = []
    for code in ("1", "5", "muc-4"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(cycle, code)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] == counts[2]
    with django_assert_max_num_queries(12):
        client.get(page_url(cycle, "5"))
