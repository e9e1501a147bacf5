"""The unit dashboard (tổng quan): access, filters, counts by type and stage, chart data, recognitions running out,
deadlines of plans and improvement plans, and a query count that does not grow with the number of schools.

Dates are relative to today, since the page shows today's position. The frameworks needed for cycles (TT17 for a
primary school, TT19 for a kindergarten) are those the test session loaded (`frameworks_loaded`)."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kiemdinh.core.text import fold
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.tests.helpers import crit
from kiemdinh.planning import services as planning
from kiemdinh.planning.dashboard import DashboardFilters, unit_dashboard, with_stage
from kiemdinh.planning.models import GoalMeasure, GoalMetric, PlanKind, TaskStatus
from kiemdinh.planning.selectors import Stage, pipeline
from kiemdinh.recognition.models import DecisionKind, years_after
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.selfassessment.services import cycle_set_status
from kiemdinh.units.models import School
from kiemdinh.units.services import school_create, unit_create
from kiemdinh.workflow.services import cycle_open

YEAR = "2025-2026"  # a 2018-regime school year whatever the day the suite runs


def today() -> date:
    return timezone.localdate()


def url(unit, **params) -> str:
    base = reverse("planning:dashboard", kwargs={"unit_id": unit.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def recognise(actor, school, decided_on, grade=2, level=1):
    """Both decisions, entered by the system: each kind has its own issuing body (recognition.authority), which the
    dashboard does not care about; `actor` is kept for the callers' sake. Under the 2018 regulations, whatever the date
    (a 2018 evaluation may end after 07/7/2026): TT57 has no accreditation grade."""
    for kind, value in ((DecisionKind.ACCREDITATION, grade), (DecisionKind.NATIONAL_STANDARD, level)):
        if value:
            data = DecisionInput(kind=kind, level=value, decided_on=decided_on, regime="2018")
            decision_record(actor=None, school=school, data=data)


def issued_plan(world, **tasks_and_goals):
    """An issued plan of the district for this calendar year, with the given tasks and goals."""
    officer = world.officer_district
    plan = planning.plan_create(
        actor=officer,
        unit=world.district,
        data=planning.PlanInput(
            kind=PlanKind.YEAR,
            period=str(today().year),
            title="Kế hoạch kiểm định chất lượng giáo dục và xây dựng trường chuẩn quốc gia",
            number="20/KH-UBND",
            issued_on=date(today().year, 1, 4),
            signer_name="Nguyễn Văn Chủ",
        ),
    )
    for agency, content, deadline in tasks_and_goals.get("tasks", []):
        planning.task_save(
            actor=officer, plan=plan, data=planning.TaskInput(agency=agency, content=content, deadline=deadline)
        )
    for text, deadline in tasks_and_goals.get("goals", []):
        planning.goal_save(
            actor=officer,
            plan=plan,
            data=planning.GoalInput(
                text=text,
                metric=GoalMetric.ACCREDITED,
                measure=GoalMeasure.COUNT,
                target_value=Decimal(2),
                deadline=deadline,
            ),
        )
    return planning.plan_issue(actor=officer, plan=plan)


@pytest.fixture
def scene(world, frameworks_loaded):
    """School A (TH): 2025-2026 cycle submitted, an overdue improvement line. School B (MN): CĐ2-MĐ1 signed almost
    five years ago, so it runs out in 60 days (re-registration already late). School C (TH, commune A): nothing.
    School D (THCS, commune B): accepted cycle. An issued district plan with an overdue task, a task due in ten days,
    a done task, a task due in three months, and a target due in twenty days that is not met."""
    cycle_a = cycle_open(actor=world.principal_a, school=world.school_a, school_year=YEAR)
    plan = improvement.plan_create(actor=world.principal_a, cycle=cycle_a)
    improvement.line_create(
        actor=world.principal_a,
        plan=plan,
        criterion=crit(cycle_a, "1.1"),
        target="Có đủ phòng học bộ môn",
        tasks=["Lập dự toán"],
        lead="Hiệu trưởng",
        starts_on=date(2025, 9, 1),
        due_on=date(2025, 12, 31),
    )
    cycle_set_status(actor=world.officer_district, cycle=cycle_a, status=CycleStatus.SUBMITTED)
    signed = years_after(today() + timedelta(days=60), -5)
    recognise(world.officer_district, world.school_b, signed)
    school_c = school_create(
        actor=None, code="SC", name="Trường Tiểu học Cây Đa", school_type="TH", unit=world.commune_a
    )
    school_d = school_create(
        actor=None, code="SD", name="Trường THCS Đồng Tâm", school_type="THCS", unit=world.commune_b
    )
    framework = FrameworkVersion.objects.get(code="tt17-2018")
    cycle_d = Cycle.objects.create(school=school_d, framework=framework, school_year=YEAR)
    cycle_set_status(actor=world.officer_district, cycle=cycle_d, status=CycleStatus.ACCEPTED)
    fmt = "%d/%m/%Y"
    district_plan = issued_plan(
        world,
        tasks=[
            ("Phòng Giáo dục và Đào tạo", "Tổng hợp báo cáo tự đánh giá", (today() - timedelta(days=5)).strftime(fmt)),
            (
                "Phòng Tài chính - Kế hoạch",
                "Bố trí kinh phí đánh giá ngoài",
                (today() + timedelta(days=10)).strftime(fmt),
            ),
            ("Phòng Nội vụ", "Việc đã xong", (today() - timedelta(days=2)).strftime(fmt)),
            ("Phòng Văn hóa", "Việc còn xa", (today() + timedelta(days=90)).strftime(fmt)),
        ],
        goals=[("02 trường đạt kiểm định cấp độ 2", today() + timedelta(days=20))],
    )
    done = district_plan.tasks.get(content="Việc đã xong")
    planning.task_report(actor=world.officer_district, task=done, status=TaskStatus.DONE, note="Đã hoàn thành")
    return {"school_c": school_c, "school_d": school_d, "plan": district_plan}


def login(client, user):
    client.force_login(user)


def names(response) -> list[str]:
    return [row.school.name for row in response.context["data"].page]


# --- access ---------------------------------------------------------------------------------------------------------


def test_officer_of_the_district_sees_every_school_below_it(client, world):
    login(client, world.officer_district)
    response = client.get(url(world.district))
    assert response.status_code == 200
    assert names(response) == ["Trường Mầm non Bình Minh", "Trường Tiểu học An Bình"]
    assert world.school_other.name not in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_other_province", "principal_b", "officer_commune_a"])
def test_others_get_404(client, world, persona):
    login(client, getattr(world, persona))
    assert client.get(url(world.district)).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(url(world.district))
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


# --- contents -------------------------------------------------------------------------------------------------------


def test_positions_counts_and_chart_data(client, world, scene):
    login(client, world.officer_district)
    response = client.get(url(world.district))
    data = response.context["data"]
    rows = {row.school.name: row for row in data.page}
    a, b = rows["Trường Tiểu học An Bình"], rows["Trường Mầm non Bình Minh"]
    assert a.position.stage == Stage.SUBMITTED
    assert a.position.cycle.school_year == YEAR
    assert a.overdue_lines == 1
    assert b.position.stage == Stage.RECOGNISED
    assert b.position.recognition_label == "CĐ2-MĐ1"
    assert b.position.expires_on == today() + timedelta(days=60)
    assert rows["Trường THCS Đồng Tâm"].position.stage == Stage.ACCEPTED
    assert rows["Trường Tiểu học Cây Đa"].position.stage == Stage.NO_CYCLE

    by_type = {row.school_type: dict(zip(Stage, row.counts, strict=True)) for row in data.type_rows}
    assert list(by_type) == ["MN", "TH", "THCS"]  # the order of SchoolType, types present only
    assert by_type["TH"] == {
        "no_cycle": 1,
        "in_progress": 0,
        "submitted": 1,
        "accepted": 0,
        "registered": 0,
        "evaluated": 0,
        "recognised": 0,
    }
    assert by_type["MN"]["recognised"] == 1
    assert data.totals.total == 4
    assert data.totals.recognised_label == "25,0%"

    html = response.content.decode()
    chart = json.loads(re.search(r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>', html)[1])
    assert chart["types"] == [
        {"code": "MN", "label": "MN"},
        {"code": "TH", "label": "TH"},
        {"code": "THCS", "label": "THCS"},
    ]
    assert [s["key"] for s in chart["stages"]] == list(Stage)
    submitted = next(s for s in chart["stages"] if s["key"] == Stage.SUBMITTED)
    assert submitted["counts"] == [0, 1, 0]
    assert chart["totals"] == {
        "no_cycle": 1,
        "in_progress": 0,
        "submitted": 1,
        "accepted": 1,
        "registered": 0,
        "evaluated": 0,
        "recognised": 1,
    }
    assert "vendor/chart-4.5.1.umd.min.js" in html and "js/dashboard.js" in html
    assert "CĐ2-MĐ1" in html
    assert reverse("workspace:school", args=[world.school_a.pk]) in html
    # The table's cells link to the schools they count, keeping the other filters.
    assert 'href="?loai=TH&amp;giai_doan=submitted"' in html


def test_expiring_list_flags_late_reregistration(client, world, scene):
    login(client, world.officer_district)
    response = client.get(url(world.district))
    [item] = response.context["data"].expiring
    assert item.school == world.school_b and item.label == "CĐ2-MĐ1"
    assert item.valid_until == today() + timedelta(days=60)
    assert item.reregister_by < today() and item.reregister_urgent and item.reregister_late
    html = response.content.decode()
    section = html[html.index('data-testid="expiring"') :]
    assert "đăng ký đánh giá lại trước" in section and 'data-testid="reregister-urgent"' in section


def test_expiring_keeps_both_decisions_and_a_distant_one_is_not_listed(world, scene):
    recognise(world.officer_district, scene["school_c"], today() - timedelta(days=30))
    data = unit_dashboard(world.district, DashboardFilters(), today())
    assert [(item.school.pk, item.label) for item in data.expiring] == [(world.school_b.pk, "CĐ2-MĐ1")]


def test_expiring_soon_is_not_flagged_until_the_reregistration_date_nears(world, scene):
    """Running out in 8 months: re-register by 3 months from now, not yet urgent."""
    recognise(world.officer_district, scene["school_c"], years_after(today() + timedelta(days=240), -5), level=0)
    data = unit_dashboard(world.district, DashboardFilters(), today())
    item = next(i for i in data.expiring if i.school.pk == scene["school_c"].pk)
    assert item.label == "CĐ2" and not item.reregister_urgent and not item.reregister_late


def test_expiring_lists_the_first_items_counts_schools_and_the_filter_takes_them_all(client, world, scene):
    """Twenty schools have a recognition running out, one of them on two days: the card counts schools, the list shows
    the EXPIRING_SHOWN soonest (then by name), and "Xem cả" filters to every one of them."""
    from kiemdinh.planning.dashboard import EXPIRING_SHOWN

    commune = populate(world, "E", 20)  # its school 018 runs out in 100 days (CĐ2-MĐ1); 019 not for years
    schools = list(School.objects.filter(unit=commune).order_by("code"))[:18]
    for i, school in enumerate(schools):
        recognise(world.officer_district, school, years_after(today() + timedelta(days=110 + i), -5), level=0)
    # School B's CĐ2-MĐ1 runs out in 60 days; a newer MĐ1 moves that kind's end 300 days away: two items, one school.
    recognise(world.officer_district, world.school_b, years_after(today() + timedelta(days=300), -5), grade=0)
    data = unit_dashboard(world.district, DashboardFilters(), today())
    assert data.expiring_schools == 1 + 1 + 18
    assert data.expiring_more
    e018 = School.objects.get(code="E018")
    assert [(item.school.pk, item.label) for item in data.expiring] == [
        (world.school_b.pk, "CĐ2"),
        (e018.pk, "CĐ2-MĐ1"),
        *((school.pk, "CĐ2") for school in schools[: EXPIRING_SHOWN - 2]),
    ]
    login(client, world.officer_district)
    html = client.get(url(world.district)).content.decode()
    assert html.count('data-testid="expiring-item"') == EXPIRING_SHOWN
    assert "Xem cả 20 trường sắp hết hiệu lực" in html
    filtered = client.get(url(world.district, sap_het_han="1")).context["data"]
    assert filtered.page.paginator.count == 20 and filtered.totals.total == 20


def test_deadlines_tasks_goals_and_improvement(client, world, scene):
    login(client, world.officer_district)
    response = client.get(url(world.district))
    data = response.context["data"]
    assert [(t.task.content, t.overdue) for t in data.tasks_due] == [
        ("Tổng hợp báo cáo tự đánh giá", True),
        ("Bố trí kinh phí đánh giá ngoài", False),
    ]
    [goal] = data.goals_due
    assert goal.progress.goal.text == "02 trường đạt kiểm định cấp độ 2"
    assert not goal.overdue and not goal.progress.met
    assert [(o.school_name, o.count) for o in data.overdue_improvement] == [("Trường Tiểu học An Bình", 1)]
    assert [p.number for p in data.plans] == ["20/KH-UBND"]
    html = response.content.decode()
    assert "Quá hạn" in html and "Sắp đến hạn" in html and "Chưa đạt" in html
    assert "dòng kế hoạch cải tiến quá hạn" in html


def test_a_commune_officer_sees_the_district_plan_but_not_its_tasks(client, world, scene):
    """Tasks belong to the plans of the unit and the units below it; the district's plan concerns the commune."""
    login(client, world.officer_commune_a)
    data = client.get(url(world.commune_a)).context["data"]
    assert names_of(data) == ["Trường Tiểu học An Bình", "Trường Tiểu học Cây Đa"]
    assert data.tasks_due == [] and data.goals_due == []
    assert [p.number for p in data.plans] == ["20/KH-UBND"]


def names_of(data) -> list[str]:
    return [row.school.name for row in data.page]


# --- filters --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"loai": "MN"}, ["Trường Mầm non Bình Minh"]),
        ({"giai_doan": "submitted"}, ["Trường Tiểu học An Bình"]),
        ({"giai_doan": "no_cycle"}, ["Trường Tiểu học Cây Đa"]),
        ({"q": "an binh"}, ["Trường Tiểu học An Bình"]),
        ({"q": "ĐỒNG TÂM"}, ["Trường THCS Đồng Tâm"]),
        ({"sap_het_han": "1"}, ["Trường Mầm non Bình Minh"]),
        ({"loai": "TH", "giai_doan": "recognised"}, []),
        ({"loai": "bogus", "giai_doan": "bogus", "don_vi": "x"}, None),  # ignored: everything
    ],
)
def test_filters(client, world, scene, params, expected):
    login(client, world.officer_district)
    response = client.get(url(world.district, **params))
    assert response.status_code == 200
    everything = [
        "Trường Mầm non Bình Minh",
        "Trường THCS Đồng Tâm",
        "Trường Tiểu học An Bình",
        "Trường Tiểu học Cây Đa",
    ]
    assert names(response) == (everything if expected is None else expected)
    data = response.context["data"]
    assert data.totals.total == len(names(response))


def test_sub_unit_filter_and_links_keep_the_filters(client, world, scene):
    login(client, world.officer_district)
    response = client.get(url(world.district, don_vi=world.commune_b.pk, loai="THCS"))
    assert names(response) == ["Trường THCS Đồng Tâm"]
    html = response.content.decode()
    # The chip of the current commune clears it and keeps the type; the other commune's chip keeps the type too.
    assert 'href="?loai=THCS"' in html
    assert f'href="?loai=THCS&amp;don_vi={world.commune_a.pk}"' in html
    # A unit that is not a direct child narrows to nothing rather than escaping the scope.
    response = client.get(url(world.commune_a, don_vi=world.commune_b.pk))
    assert names(response) == []


def test_many_sub_units_are_chosen_from_the_drop_down_only(client, world, scene):
    """A province's hundred communes would be a wall of links above the list: over SUB_UNIT_CHIPS children there are
    none, and the filter's drop-down still lists every child and narrows to it."""
    from kiemdinh.planning.dashboard import SUB_UNIT_CHIPS

    login(client, world.officer_district)
    assert 'class="dash-subunits"' in client.get(url(world.district)).content.decode()
    for i in range(SUB_UNIT_CHIPS - 1):  # the district has two communes: now SUB_UNIT_CHIPS + 1
        unit_create(actor=None, code=f"P01-D1-X{i:02d}", name=f"Xã Thêm {i:02d}", kind="commune", parent=world.district)
    response = client.get(url(world.district))
    html = response.content.decode()
    assert 'class="dash-subunits"' not in html
    drop_down = html[html.index('name="don_vi"') :]
    drop_down = drop_down[: drop_down.index("</select>")]
    assert drop_down.count("<option ") == 1 + SUB_UNIT_CHIPS + 1  # "Mọi đơn vị trực thuộc" and each commune
    response = client.get(url(world.district, don_vi=world.commune_b.pk))
    assert names(response) == ["Trường Mầm non Bình Minh", "Trường THCS Đồng Tâm"]


def test_filters_parse_and_write_back():
    filters = DashboardFilters.from_params(
        {"loai": "TH", "giai_doan": "accepted", "don_vi": "7", "q": " an ", "x": "1"}
    )
    assert filters == DashboardFilters(school_type="TH", stage="accepted", sub_unit=7, query="an")
    assert filters.query_string() == "loai=TH&giai_doan=accepted&don_vi=7&q=an"
    assert filters.query_string(stage="", expiring="1") == "loai=TH&don_vi=7&q=an&sap_het_han=1"
    assert not DashboardFilters.from_params({}).active


# --- the stage in SQL matches pipeline() ----------------------------------------------------------------------------


def test_stage_in_sql_matches_pipeline(world, frameworks_loaded):
    """Edge cases of the rule: a decision signed before the latest cycle's school year (1 August) does not count,
    one signed on 1 August does; a returned cycle is in progress; an expired or revoked decision does not count."""
    framework = FrameworkVersion.objects.get(code="tt17-2018")
    officer = world.officer_district
    cases = {
        "before-august": ("in_progress", date(2025, 7, 31)),
        "on-august-1": ("in_progress", date(2025, 8, 1)),
        "returned": ("returned", None),
        "expired": (None, date(2020, 1, 1)),
        "submitted-old-decision": ("submitted", date(2024, 3, 1)),
        "accepted": ("accepted", None),
        "none": (None, None),
    }
    schools = []
    for n, (code, (status, decided)) in enumerate(cases.items()):
        school = school_create(actor=None, code=f"E{n}", name=code, school_type="TH", unit=world.commune_a)
        if status:
            Cycle.objects.create(school=school, framework=framework, school_year=YEAR, status=status)
            Cycle.objects.create(school=school, framework=framework, school_year="2023-2024", status="accepted")
        if decided:
            recognise(officer, school, decided)
        schools.append(school)
    on = today()
    staged = dict(with_stage(School.objects.filter(pk__in=[s.pk for s in schools]), on).values_list("name", "stage"))
    expected = {p.school.name: p.stage for p in pipeline(schools, on)}
    assert staged == expected
    assert expected["before-august"] == Stage.IN_PROGRESS
    assert expected["on-august-1"] == (
        Stage.RECOGNISED if years_after(date(2025, 8, 1), 5) >= on else Stage.IN_PROGRESS
    )
    assert expected["returned"] == Stage.IN_PROGRESS
    assert expected["expired"] == Stage.NO_CYCLE


# --- query count ----------------------------------------------------------------------------------------------------


def populate(world, code: str, count: int):
    """A commune of the district with `count` schools (bulk-created), a few cycles and decisions."""
    commune = unit_create(actor=None, code=f"P01-D1-{code}", name=f"Xã {code}", kind="commune", parent=world.district)
    kinds = ["TH", "MN", "THCS"]
    School.objects.bulk_create(
        School(
            code=f"{code}{i:03d}",
            name=f"Trường {code} số {i:03d}",
            school_type=kinds[i % 3],
            unit=commune,
            search_text=fold(f"{code}{i:03d} Trường {code} số {i:03d}"),
        )
        for i in range(count)
    )
    schools = list(School.objects.filter(unit=commune).order_by("code"))
    framework = FrameworkVersion.objects.get(code="tt17-2018")
    for school, status in zip(schools[:3], ["submitted", "accepted", "in_progress"], strict=False):
        Cycle.objects.create(school=school, framework=framework, school_year=YEAR, status=status)
    recognise(world.officer_district, schools[-1], today() - timedelta(days=400))
    recognise(world.officer_district, schools[-2], years_after(today() + timedelta(days=100), -5))
    return commune


def test_query_count_does_not_grow_with_the_schools(client, world, scene):
    small, large = populate(world, "S", 5), populate(world, "L", 60)
    login(client, world.officer_district)
    client.get(url(small))  # warm the session and the content types
    counts = []
    for unit, params in ((small, {}), (large, {}), (large, {"trang": 2}), (large, {"giai_doan": "recognised"})):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(unit, **params))
        assert response.status_code == 200
        counts.append(len(ctx))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 20, counts
    data = client.get(url(large)).context["data"]
    assert data.page.paginator.count == 60 and len(data.page.object_list) == 50
    assert data.totals.total == 60
    assert len(client.get(url(large, trang=2)).context["data"].page.object_list) == 10


def test_external_evaluation_stages(world, frameworks_loaded):
    """An accepted cycle registered for external evaluation, then with the team's report final: the Python and the
    SQL rule agree."""
    from kiemdinh.evaluation.models import EvaluationReport
    from kiemdinh.evaluation.tests.helpers import accepted_team
    from kiemdinh.planning.dashboard import with_stage
    from kiemdinh.planning.selectors import pipeline
    from kiemdinh.units.models import School

    team = accepted_team(world)

    def stages():
        python = {p.school.pk: p.stage for p in pipeline([world.school_a], today())}
        sql = dict(with_stage(School.objects.filter(pk=world.school_a.pk), today()).values_list("pk", "stage"))
        assert python == sql
        return python[world.school_a.pk]

    assert stages() == Stage.REGISTERED
    EvaluationReport.objects.create(team=team, status="final")  # the report's round is tested with the team's work
    assert stages() == Stage.EVALUATED
    # Once decisions are issued from the team, the school's place follows them, also after they lapse.
    from kiemdinh.recognition.models import Decision

    Decision.objects.create(
        school=world.school_a, kind="accreditation", level=3, decided_on=date(2019, 6, 1),
        valid_from=date(2019, 6, 1), valid_until=date(2024, 6, 1), team=team,
    )  # fmt: skip
    assert stages() == Stage.ACCEPTED
