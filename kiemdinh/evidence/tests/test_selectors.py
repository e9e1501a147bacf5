from datetime import date, timedelta

from kiemdinh.evidence import selectors, services
from kiemdinh.evidence.tests.conftest import criterion, pdf
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.workflow.services import cycle_open


def add(world, cycle, code, name, **kwargs):
    return services.evidence_create(
        actor=world.member_a, cycle=cycle, criterion=criterion(cycle, code), name=name, **kwargs
    )


def form(cycle, code, **texts):
    return CriterionForm.objects.create(cycle=cycle, criterion=criterion(cycle, code), **texts)


def test_register_groups_by_criterion_in_framework_order_with_citations(world, cycle):
    a = add(world, cycle, "2.1", "Hồ sơ giáo viên")
    add(world, cycle, "1.2", "Quyết định thành lập Hội đồng trường", files=[pdf()])
    services.evidence_cite(actor=None, cycle_evidence=a, criterion=criterion(cycle, "1.1"))
    register = selectors.cycle_evidence_list(cycle)
    assert register.total == 2
    assert [s.standard.code for s in register.standards] == ["1", "2", "3", "4", "5"]
    first = register.standards[0].criteria
    assert [c.criterion.code for c in first[:3]] == ["1.1", "1.2", "1.3"]
    (cited_row,) = first[0].rows
    assert cited_row.cited_here and cited_row.link.code == "[H2-2.1-01]"
    assert [c.code for c in cited_row.also_for] == ["2.1"]
    (own,) = first[1].rows
    assert own.link.code == "[H1-1.2-01]" and not own.cited_here
    assert [f.original_name for f in own.files] == ["quyet-dinh.pdf"]
    home = register.standards[1].criteria[0].rows[0]
    assert home.link.pk == a.pk and [c.code for c in home.also_for] == ["1.1"]


def test_search_ignores_diacritics_and_finds_codes(world, cycle):
    add(world, cycle, "1.1", "Quyết định thành lập Hội đồng trường", issued_by="UBND xã An Bình")
    add(world, cycle, "3.1", "Biên bản kiểm kê tài sản")
    register = selectors.cycle_evidence_list(cycle, q="QUYET DINH")
    assert register.total == 1
    assert [c.criterion.code for s in register.standards for c in s.criteria] == ["1.1"]
    assert selectors.cycle_evidence_list(cycle, q="an binh").total == 1
    assert selectors.cycle_evidence_list(cycle, q="H3-3.1").total == 1
    assert selectors.cycle_evidence_list(cycle, q="không có").standards == []


def test_filter_by_criterion_includes_cited_items(world, cycle):
    a = add(world, cycle, "2.1", "Hồ sơ giáo viên")
    add(world, cycle, "1.1", "Quyết định")
    services.evidence_cite(actor=None, cycle_evidence=a, criterion=criterion(cycle, "1.1"))
    register = selectors.cycle_evidence_list(cycle, criterion=criterion(cycle, "1.1"))
    assert register.total == 2
    ((only,),) = [s.criteria for s in register.standards]
    assert only.criterion.code == "1.1"
    assert {r.link.code for r in only.rows} == {"[H1-1.1-01]", "[H2-2.1-01]"}


def _fill(world, cycle, count):
    for i in range(count):
        link = add(world, cycle, f"{1 + i % 5}.1", f"Minh chứng {i}", files=[pdf(f"tep-{i}.pdf", str(i))])
        if i % 3 == 0:
            services.evidence_cite(actor=None, cycle_evidence=link, criterion=criterion(cycle, "3.2"))
        if i < 5:
            form(cycle, f"{1 + i % 5}.2", strengths=f"Có {link.code}")


def test_register_query_count_is_bounded(world, cycle, django_assert_num_queries):
    _fill(world, cycle, 12)
    with django_assert_num_queries(4):
        register = selectors.cycle_evidence_list(cycle, q="minh")
        assert register.total == 12
        for s in register.standards:
            for c in s.criteria:
                for r in c.rows:
                    [f.original_name for f in r.files]


def test_codes_report_summary_and_health_query_counts(world, cycle, django_assert_max_num_queries):
    _fill(world, cycle, 10)
    with django_assert_max_num_queries(1):
        assert len(selectors.cycle_codes(cycle)) == 10
    with django_assert_max_num_queries(2):
        selectors.citation_report(cycle)
    with django_assert_max_num_queries(4):
        selectors.evidence_summary(cycle)
    with django_assert_max_num_queries(7):
        selectors.evidence_health(cycle)


def test_citation_report(world, cycle):
    a = add(world, cycle, "1.1", "Quyết định")
    b = add(world, cycle, "1.1", "Kế hoạch")
    c = add(world, cycle, "2.1", "Danh sách")
    form(cycle, "1.1", descriptions={"1.a": f"Có {a.code}; [H1-1.1-09]."}, strengths="Tốt [H1-1.1-02]")
    form(cycle, "2.1", weaknesses="Thiếu MC.2.1.01 và [H1-1.1-09]")
    report = selectors.citation_report(cycle)
    assert [(f.ref.code, f.codes, f.unknown) for f in report.forms] == [
        ("1.1", ["[H1-1.1-01]", "[H1-1.1-09]", "[H1-1.1-02]"], ["[H1-1.1-09]"]),
        ("2.1", ["MC.2.1.01", "[H1-1.1-09]"], ["MC.2.1.01", "[H1-1.1-09]"]),
    ]
    assert [(u.code, [w.label for w in u.where]) for u in report.unknown] == [
        ("MC.2.1.01", ["Tiêu chí 2.1"]),
        ("[H1-1.1-09]", ["Tiêu chí 1.1", "Tiêu chí 2.1"]),
    ]
    assert report.uncited == [c]
    assert {a.code, b.code} <= report.cited_codes
    assert report.forms[0].ref.url_name == "workflow:form"


def test_summary(world, cycle):
    a = add(world, cycle, "1.1", "Quyết định")
    add(world, cycle, "1.2", "Kế hoạch")
    services.evidence_cite(actor=None, cycle_evidence=a, criterion=criterion(cycle, "5.5"))
    form(cycle, "1.1", strengths=f"Có {a.code}")
    summary = selectors.evidence_summary(cycle)
    assert summary["total"] == 2
    assert summary["cited"] == 1
    assert summary["uncited"] == 1
    assert "1.1" not in summary["criteria_without"] and "5.5" not in summary["criteria_without"]
    assert summary["criteria_without"][:3] == ["1.3", "1.4", "1.5"]
    assert len(summary["criteria_without"]) == 27 - 3


def test_health(world, cycle):
    today = date(2026, 3, 1)
    old = add(world, cycle, "1.1", "Giấy phép cũ", valid_until=today - timedelta(days=1))
    add(world, cycle, "1.1", "Giấy phép còn hạn", valid_until=today)
    dup_a = add(world, cycle, "2.1", "Bản A", files=[pdf("a.pdf")])
    dup_b = add(world, cycle, "2.2", "Bản B", files=[pdf("b.pdf")])
    form(cycle, "1.1", descriptions={"1.a": f"Theo {old.code}", "1.b": "[H9-9.9-01]", "2": "Không có"})
    health = selectors.evidence_health(cycle, today=today)
    assert health.expired == [old]
    assert [link.code for link in health.uncited] == ["[H1-1.1-02]", "[H2-2.1-01]", "[H2-2.2-01]"]
    (group,) = health.duplicates
    assert {e.link.pk for e in group.entries} == {dup_a.pk, dup_b.pk}
    without = [c.code for c in health.criteria_without]
    assert "1.1" not in without and "2.1" not in without and "1.2" in without
    gaps = {g.criterion.code: g.keys for g in health.indicators_without}
    assert gaps["1.1"] == ["Mức 1 b)", "Mức 1 c)", "Mức 2", "Mức 3"]
    assert gaps["1.2"][0] == "Mức 1 a)"
    assert [u.code for u in health.unknown] == ["[H9-9.9-01]"]
    assert health.problem_count > 0


def test_health_duplicates_include_items_of_other_cycles(world, cycle):
    add(world, cycle, "1.1", "Bản A", files=[pdf("a.pdf")])
    later = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    add(world, later, "1.1", "Bản năm trước", files=[pdf("b.pdf")])
    (group,) = selectors.evidence_health(cycle).duplicates
    assert sorted(e.link is None for e in group.entries) == [False, True]
