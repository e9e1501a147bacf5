"""The score table computed from real data (conftest's 2019-2020 year), per rule kind, with ranks, filters and a
bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.documents.emulation import build_score_sheet
from kiemdinh.emulation import services as svc
from kiemdinh.emulation.models import EmulationScheme
from kiemdinh.emulation.selectors import school_standings, score_table
from kiemdinh.emulation.tests.conftest import YEAR
from kiemdinh.units.services import school_create
from kiemdinh.workflow.services import cycle_open


def scheme_with(world, rules, unit=None):
    scheme = svc.scheme_create(
        actor=world.officer_district, unit=unit or world.district, school_year=YEAR, title="Thi đua KĐCLGD"
    )
    for kind, points, parameters in rules:
        svc.rule_create(
            actor=world.officer_district, scheme=scheme, kind=kind, label=kind, points=points, parameters=parameters
        )
    return scheme


def by_code(table):
    return {row.school.code: row for row in table.rows}


def cells(row):
    return [(s.points, s.explanation) for s in row.scores]


ON_TIME = ("sa_submitted_on_time", "2", {"deadline": date(2020, 1, 31), "late_points": "1"})


def test_every_rule_kind_is_computed_from_the_schools_data(world, school_c):
    scheme = scheme_with(
        world,
        [
            ON_TIME,
            ("sa_accepted", "2", {}),
            ("improvement_completion", "3", {}),
            ("level_reached", "2", {"mode": "minimum", "min_level": 3}),
            ("level_reached", "1", {"mode": "per_level"}),
            ("recognised", "2", {"decision_kind": "any"}),
            ("recognised", "1", {"decision_kind": "national_standard"}),
        ],
    )
    rows = by_code(score_table(scheme))
    assert set(rows) == {"SA", "SB", "SC"}  # the other province's school is not below the district
    assert cells(rows["SA"]) == [
        (Decimal("2"), "Nộp ngày 20/01/2020, hạn 31/01/2020"),
        (Decimal("2"), "Được chấp nhận ngày 15/02/2020"),
        (Decimal("2.0"), "2/3 nội dung hoàn thành"),
        (Decimal("2"), "Tự đánh giá đạt Mức 3 (yêu cầu từ Mức 3)"),
        (Decimal("3"), "Tự đánh giá đạt Mức 3: 3 × 1 điểm"),
        (Decimal("2"), "Quyết định số 1234/QĐ-SGDĐT ngày 01/06/2019 công nhận CĐ3, hiệu lực đến 01/06/2024"),
        (Decimal("0"), "Không có quyết định công nhận còn hiệu lực ngày 31/07/2020"),
    ]
    assert rows["SA"].computed == Decimal("13") and rows["SA"].final == Decimal("13") and rows["SA"].rank == 1
    assert cells(rows["SB"]) == [
        (Decimal("0"), "Chưa nộp báo cáo tự đánh giá, hạn 31/01/2020"),
        (Decimal("0"), "Chưa được chấp nhận (đang tự đánh giá)"),
        (Decimal("0"), "Chưa lập kế hoạch cải tiến chất lượng"),
        (Decimal("0"), "Chưa có kết quả tự đánh giá được chấp nhận"),
        (Decimal("0"), "Chưa có kết quả tự đánh giá được chấp nhận"),
        (Decimal("0"), "Không có quyết định công nhận còn hiệu lực ngày 31/07/2020"),  # expired in January 2019
        (Decimal("0"), "Không có quyết định công nhận còn hiệu lực ngày 31/07/2020"),
    ]
    no_cycle = "Chưa mở đợt tự đánh giá năm học 2019-2020"
    assert [e for _, e in cells(rows["SC"])][:5] == [no_cycle] * 5
    assert rows["SB"].rank == rows["SC"].rank == 2  # a tie shares the rank


def test_late_submission_gets_the_late_points_and_a_higher_minimum_level_gives_nothing(world, school_c):
    scheme = scheme_with(
        world,
        [
            ("sa_submitted_on_time", "2", {"deadline": date(2020, 1, 15), "late_points": "0,5"}),
            ("sa_submitted_on_time", "2", {"deadline": "2020-01-19"}),
            ("level_reached", "2", {"mode": "minimum", "min_level": 4}),
            ("improvement_completion", "1", {}),
        ],
    )
    row = by_code(score_table(scheme))["SA"]
    assert cells(row) == [
        (Decimal("0.5"), "Nộp muộn ngày 20/01/2020, hạn 15/01/2020"),
        (Decimal("0"), "Nộp muộn ngày 20/01/2020, hạn 19/01/2020"),
        (Decimal("0"), "Tự đánh giá đạt Mức 3, chưa đạt Mức 4"),
        (Decimal("0.7"), "2/3 nội dung hoàn thành"),  # 1 × 2/3 rounded to 0.1
    ]
    assert row.computed == Decimal("1.2")


def test_adjustments_change_the_final_total_and_the_ranks(world, school_c):
    scheme = scheme_with(world, [("sa_accepted", "2", {})])
    svc.score_adjust(actor=world.officer_district, scheme=scheme, school=school_c, points="2,5", reason="Thêm điểm")
    svc.score_adjust(actor=world.officer_district, scheme=scheme, school=world.school_b, points="-1", reason="Trừ")
    table = score_table(scheme)
    assert [(r.school.code, r.computed, r.adjustment_points, r.final, r.rank) for r in table.rows] == [
        ("SC", Decimal("0"), Decimal("2.5"), Decimal("2.5"), 1),
        ("SA", Decimal("2"), Decimal("0"), Decimal("2"), 2),
        ("SB", Decimal("0"), Decimal("-1.0"), Decimal("-1.0"), 3),
    ]
    only_kindergartens = score_table(scheme, "MN")
    assert [(r.school.code, r.rank) for r in only_kindergartens.rows] == [("SB", 1)]


def test_a_commune_scheme_scores_only_its_schools_and_a_school_sees_the_schemes_above_it(world, school_c):
    district = scheme_with(world, [("sa_accepted", "2", {})])
    commune = scheme_with(world, [("recognised", "1", {})], unit=world.commune_a)
    assert [r.school.code for r in score_table(commune).rows] == ["SA"]
    standings = school_standings(world.school_a)
    assert {s.table.scheme.pk for s in standings} == {district.pk, commune.pk}
    assert {s.row.final for s in standings} == {Decimal("2"), Decimal("1")}
    assert {s.table.scheme.pk for s in school_standings(school_c)} == {district.pk}


@pytest.mark.parametrize("extra", [0, 6])
def test_score_table_runs_a_fixed_number_of_queries(world, school_c, extra, django_assert_num_queries):
    scheme = scheme_with(
        world,
        [
            ON_TIME,
            ("sa_accepted", "2", {}),
            ("improvement_completion", "3", {}),
            ("level_reached", "2", {"mode": "minimum", "min_level": 2}),
            ("recognised", "2", {}),
        ],
    )
    for index in range(extra):
        school = school_create(
            actor=None, code=f"X{index}", name=f"Trường Tiểu học Số {index}", school_type="TH", unit=world.commune_a
        )
        cycle_open(actor=None, school=school, school_year=YEAR)
        svc.score_adjust(actor=world.officer_district, scheme=scheme, school=school, points="1", reason="Bổ sung")
    svc.score_adjust(actor=world.officer_district, scheme=scheme, school=school_c, points="1", reason="Bổ sung")
    with django_assert_num_queries(8):  # rules, schools, adjustments, cycles, transitions, snapshots, plans, decisions
        table = score_table(scheme)
        shown = [
            (r.school.short_type, r.final, r.rank, r.adjustment and r.adjustment.by.display_name, cells(r))
            for r in table.rows
        ]
    assert len(shown) == 3 + extra
    fresh = EmulationScheme.objects.select_related("unit").get(pk=scheme.pk)
    with django_assert_num_queries(9):  # the table's, and the district's parent for the header
        context = build_score_sheet(fresh)
    assert len(context.rows) == 3 + extra


def test_the_score_page_runs_the_same_queries_for_more_schools(client, world, school_c):
    scheme = scheme_with(world, [ON_TIME, ("improvement_completion", "3", {}), ("recognised", "2", {})])
    client.force_login(world.officer_district)
    url = reverse("emulation:scheme", args=[scheme.pk])
    counts = []
    for index in range(2):
        for n in range(4):
            school_create(
                actor=None,
                code=f"Y{index}{n}",
                name=f"Trường Mầm non {index}{n}",
                school_type="MN",
                unit=world.commune_b,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
