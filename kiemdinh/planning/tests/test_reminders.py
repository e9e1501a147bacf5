"""Reminders (nhắc việc) per persona, their fixed query counts, the include template, and the daily e-mail command.

The day is fixed (10/04/2026): reminders_for and send_reminders take it as a parameter."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from kiemdinh.accounts.models import User
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.tests.helpers import crit
from kiemdinh.planning import services as planning
from kiemdinh.planning.models import GoalMeasure, GoalMetric, GoalScope, PlanKind, ReminderDigest, ReportKind
from kiemdinh.planning.selectors import next_report_due
from kiemdinh.planning.selectors.reminders import Kind, Reminder, Severity, reminders_for
from kiemdinh.recognition.models import DecisionKind, years_after
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.units.services import school_create
from kiemdinh.workflow.services import cycle_open

TODAY = date(2026, 4, 10)
YEAR = "2025-2026"
FMT = "%d/%m/%Y"


def recognise(actor, school, valid_until: date):
    """CĐ2-MĐ1 signed five years before `valid_until`, entered by the system: each kind has its own issuing body
    (recognition.authority), which reminders do not care about; `actor` is kept for the callers' sake."""
    signed = years_after(valid_until, -5)
    for kind, level in ((DecisionKind.ACCREDITATION, 2), (DecisionKind.NATIONAL_STANDARD, 1)):
        decision_record(actor=None, school=school, data=DecisionInput(kind=kind, level=level, decided_on=signed))


def goal(officer, plan, text, deadline, **over):
    data = {
        "text": text,
        "metric": GoalMetric.SELF_ASSESSMENT_SUBMITTED,
        "measure": GoalMeasure.PERCENT,
        "target_value": Decimal(100),
        "school_year": YEAR,
        "deadline": deadline,
        **over,
    }
    return planning.goal_save(actor=officer, plan=plan, data=planning.GoalInput(**data))


def task(officer, plan, content, deadline: date, school=None, agency="Phòng Giáo dục và Đào tạo"):
    return planning.task_save(
        actor=officer,
        plan=plan,
        data=planning.TaskInput(agency=agency, content=content, deadline=deadline.strftime(FMT), school=school),
    )


@pytest.fixture
def scene(world, frameworks_loaded):
    """The district's issued 2026 plan (reports every 3 months from 01/01/2026, none yet, so the first is overdue
    since 01/04/2026) with three self-assessment targets for 2025-2026 (every school, due in 10 days; kindergartens
    only; the listed schools — B only) and a kindergarten target for 2024-2025 that B met, a task for school A overdue, an agency task due in 20 days, one due in two
    months. School A: open 2025-2026 cycle, an overdue improvement line, CĐ2-MĐ1 running out in 200 days. School B:
    a submitted 2024-2025 cycle, CĐ2-MĐ1 running out in 100 days."""
    officer = world.officer_district
    cycle_a = cycle_open(actor=world.principal_a, school=world.school_a, school_year=YEAR)
    plan_a = improvement.plan_create(actor=world.principal_a, cycle=cycle_a)
    improvement.line_create(
        actor=world.principal_a,
        plan=plan_a,
        criterion=crit(cycle_a, "1.1"),
        target="Có đủ phòng học bộ môn",
        tasks=["Lập dự toán"],
        lead="Hiệu trưởng",
        starts_on=date(2025, 9, 1),
        due_on=date(2025, 12, 31),
    )
    framework = FrameworkVersion.objects.get(code="tt19-2018")
    Cycle.objects.create(school=world.school_b, framework=framework, school_year="2024-2025", status="submitted")
    recognise(officer, world.school_a, TODAY + timedelta(days=200))
    recognise(officer, world.school_b, TODAY + timedelta(days=100))
    plan = planning.plan_create(
        actor=officer,
        unit=world.district,
        data=planning.PlanInput(
            kind=PlanKind.YEAR,
            period="2026",
            title="Kế hoạch kiểm định chất lượng giáo dục năm 2026",
            number="20/KH-UBND",
            issued_on=date(2026, 1, 4),
            signer_name="Nguyễn Văn Chủ",
            report_every_months=3,
        ),
    )
    planning.target_add(
        actor=officer, plan=plan, school=world.school_b, data=planning.TargetInput(accreditation_grade=2)
    )
    goal(officer, plan, "100% trường nộp báo cáo tự đánh giá", TODAY + timedelta(days=10))
    goal(officer, plan, "100% trường mầm non nộp báo cáo", TODAY + timedelta(days=40), school_types=("MN",))
    goal(officer, plan, "Trường trong danh sách nộp báo cáo", TODAY + timedelta(days=5), scope=GoalScope.TARGETS)
    goal(
        officer,
        plan,
        "Mầm non, năm học trước",
        TODAY - timedelta(days=5),
        school_year="2024-2025",
        school_types=("MN",),
    )
    task(officer, plan, "Trường rà soát minh chứng", TODAY - timedelta(days=3), school=world.school_a)
    task(officer, plan, "Bố trí kinh phí đánh giá ngoài", TODAY + timedelta(days=20), agency="Phòng Tài chính")
    task(officer, plan, "Tổng kết năm", TODAY + timedelta(days=60))
    planning.plan_issue(actor=officer, plan=plan)
    return {"plan": plan, "cycle_a": cycle_a}


def fresh(user) -> User:
    """The user as a request loads it (no cached scope)."""
    return User.objects.get(pk=user.pk)


def summary(reminders: list[Reminder]) -> list[tuple[str, str, str]]:
    return [(r.kind, r.severity, r.where) for r in reminders]


# --- per persona ----------------------------------------------------------------------------------------------------


def test_principal_of_a(world, scene):
    reminders = reminders_for(fresh(world.principal_a), TODAY)
    a = "Trường Tiểu học An Bình"
    assert summary(reminders) == [
        (Kind.IMPROVEMENT, Severity.OVERDUE, a),  # due 31/12/2025
        (Kind.TASK, Severity.OVERDUE, a),  # due 07/04/2026
        (Kind.CYCLE_DEADLINE, Severity.SOON, a),
        (Kind.RECOGNITION, Severity.INFO, a),  # re-register by 27/05/2026: 47 days
    ]
    improvement_line, task_, deadline, recognition = reminders
    assert improvement_line.url.endswith(f"/tu-danh-gia/{scene['cycle_a'].pk}/cai-tien/")
    assert task_.title == "Trường rà soát minh chứng" and "/nhiem-vu/" in task_.url
    assert deadline.due_on == TODAY + timedelta(days=10)
    assert deadline.title == "Nộp báo cáo tự đánh giá năm học 2025-2026 (20/KH-UBND của UBND Huyện Đông Sơn)"
    assert deadline.url == f"/tu-danh-gia/{scene['cycle_a'].pk}/"
    assert "CĐ2-MĐ1" in recognition.title and recognition.due_on == date(2026, 5, 27)


def test_principal_of_b(world, scene):
    reminders = reminders_for(fresh(world.principal_b), TODAY)
    b = "Trường Mầm non Bình Minh"
    assert summary(reminders) == [
        (Kind.RECOGNITION, Severity.OVERDUE, b),  # re-register by 19/02/2026
        (Kind.CYCLE_DEADLINE, Severity.SOON, b),  # the listed schools' target, in 5 days
        (Kind.CYCLE_DEADLINE, Severity.SOON, b),  # every school, in 10 days
        (Kind.CYCLE_DEADLINE, Severity.INFO, b),  # kindergartens, in 40 days
    ]
    assert all(r.url == "/tu-danh-gia/" for r in reminders if r.kind == Kind.CYCLE_DEADLINE)  # no cycle yet


def test_officer_of_the_district(world, scene):
    reminders = reminders_for(fresh(world.officer_district), TODAY)
    assert [(r.kind, r.severity) for r in reminders] == [
        (Kind.RECOGNITION, Severity.OVERDUE),  # B: re-registration was due before today
        (Kind.REPORT, Severity.OVERDUE),
        (Kind.TASK, Severity.OVERDUE),
        (Kind.TASK, Severity.SOON),
        (Kind.RECOGNITION, Severity.INFO),  # A: runs out in 200 days, re-register within 2 months
        (Kind.REVIEW, Severity.INFO),
    ]
    report = reminders[1]
    assert report.due_on == date(2026, 3, 31) and report.url.endswith("/bao-cao/")
    assert report.where == "Huyện Đông Sơn"
    assert reminders[3].title == "Bố trí kinh phí đánh giá ngoài"
    assert reminders[4].where == "Trường Tiểu học An Bình"
    assert reminders[5].where == "Trường Mầm non Bình Minh" and "2024-2025" in reminders[5].title


def test_a_periodic_report_moves_the_next_due_date(world, scene):
    planning.report_save(
        actor=world.officer_district,
        plan=scene["plan"],
        data=planning.ReportInput(
            kind=ReportKind.PERIODIC, reported_on=date(2026, 4, 5), title="Báo cáo quý I", body="Kết quả quý I."
        ),
    )
    kinds = [r.kind for r in reminders_for(fresh(world.officer_district), TODAY)]
    assert Kind.REPORT not in kinds
    scene["plan"].refresh_from_db()
    assert next_report_due(scene["plan"], date(2026, 4, 5)) == date(2026, 6, 30)
    assert next_report_due(scene["plan"], None) == date(2026, 3, 31)


@pytest.mark.parametrize("persona", ["officer_other_province", "evaluator", "admin"])
def test_nothing_for_others(world, scene, persona):
    assert reminders_for(fresh(getattr(world, persona)), TODAY) == []


def test_commune_officer_sees_only_its_school_s_recognition(world, scene):
    """Not the district's plan or school B's: only school A's recognition, running out within a year."""
    reminders = reminders_for(fresh(world.officer_commune_a), TODAY)
    assert [(r.kind, r.where) for r in reminders] == [(Kind.RECOGNITION, "Trường Tiểu học An Bình")]


def test_submitting_clears_the_cycle_deadline(world, scene):
    Cycle.objects.filter(pk=scene["cycle_a"].pk).update(status=CycleStatus.SUBMITTED)
    kinds = [r.kind for r in reminders_for(fresh(world.principal_a), TODAY)]
    assert Kind.CYCLE_DEADLINE not in kinds


# --- query counts ---------------------------------------------------------------------------------------------------


def count_queries(user) -> int:
    user = fresh(user)
    with CaptureQueriesContext(connection) as ctx:
        reminders_for(user, TODAY)
    return len(ctx)


def test_query_counts_do_not_grow(world, scene):
    before = {p: count_queries(getattr(world, p)) for p in ("principal_a", "principal_b", "officer_district")}
    officer = world.officer_district
    for n in range(6):
        school = school_create(
            actor=None, code=f"X{n}", name=f"Trường Mầm non Số {n}", school_type="MN", unit=world.commune_b
        )
        recognise(officer, school, TODAY + timedelta(days=30 + n))
        Cycle.objects.create(
            school=school,
            framework=FrameworkVersion.objects.get(code="tt19-2018"),
            school_year=YEAR,
            status="submitted",
        )
        task(officer, scene["plan"], f"Việc {n}", TODAY + timedelta(days=n), school=world.school_a)
    after = {p: count_queries(getattr(world, p)) for p in before}
    assert after == before
    assert before == {"principal_a": 8, "principal_b": 8, "officer_district": 5}
    assert len(reminders_for(fresh(officer), TODAY)) > 10


# --- the include ----------------------------------------------------------------------------------------------------


def test_include_template(world, scene):
    html = render_to_string("planning/_reminders.html", {"reminders": reminders_for(fresh(world.principal_a), TODAY)})
    assert html.count('data-testid="reminder"') == 4
    assert 'class="reminder-overdue"' in html and 'class="reminder-soon"' in html
    assert "07/04/2026" in html and "Quá hạn" in html and "Sắp đến hạn" in html
    assert f'href="/tu-danh-gia/{scene["cycle_a"].pk}/"' in html
    assert "Không có việc nào cần nhắc." in render_to_string("planning/_reminders.html", {"reminders": []})


# --- the e-mail -----------------------------------------------------------------------------------------------------


@pytest.fixture
def addresses(world, scene):
    for user, email in (
        (world.principal_a, "hieutruong.a@example.vn"),
        (world.officer_district, "canbo.huyen@example.vn"),
        (world.officer_other_province, "canbo.tinhkhac@example.vn"),  # nothing to remind
    ):
        User.objects.filter(pk=user.pk).update(email=email)
    User.objects.filter(pk=world.principal_b.pk).update(email="")  # reminders, but no address


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_send_reminders_once_per_day(world, addresses, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "Đã gửi 2 thư nhắc việc ngày 10/04/2026." in run("--site-url", "https://kiemdinh.example.vn/")
    assert sorted(m.to[0] for m in mail.outbox) == ["canbo.huyen@example.vn", "hieutruong.a@example.vn"]
    message = next(m for m in mail.outbox if m.to == ["hieutruong.a@example.vn"])
    assert message.subject == "[Kiểm định] Nhắc việc ngày 10/04/2026: 3 việc quá hạn hoặc sắp đến hạn"
    assert message.body.startswith("Kính gửi Nguyễn Văn An,")
    assert "[Quá hạn] Nhiệm vụ: Trường rà soát minh chứng — hạn 07/04/2026" in message.body
    assert f"https://kiemdinh.example.vn/tu-danh-gia/{Cycle.objects.get(school=world.school_a).pk}/" in message.body
    assert "Công nhận CĐ2-MĐ1" not in message.body  # info only: not in the e-mail
    assert ReminderDigest.objects.filter(sent_on=TODAY).count() == 2

    assert "Đã gửi 0 thư nhắc việc" in run()
    assert len(mail.outbox) == 2
    out = StringIO()
    call_command("send_reminders", "--date", "2026-04-11", stdout=out)  # the next day: sent again
    assert len(mail.outbox) == 4


def test_dry_run_sends_nothing(world, addresses, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    output = run("--dry-run")
    assert "hieutruong.a@example.vn: 3 việc" in output and "canbo.huyen@example.vn" in output
    assert "Chạy thử: 2 người sẽ nhận thư" in output
    assert mail.outbox == [] and not ReminderDigest.objects.exists()


def test_bad_date(db):
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("send_reminders", "--date", "10/04/2026")


def test_tasks_of_a_plan_long_over_no_longer_remind(world):
    from kiemdinh.planning import services as svc
    from kiemdinh.planning.tests.helpers import make_plan

    plan = make_plan(world, period="2024")
    svc.target_add(actor=None, plan=plan, school=world.school_a, data=svc.TargetInput())
    svc.task_save(
        actor=None,
        plan=plan,
        data=svc.TaskInput(
            agency="Trường", content="Báo cáo kết quả năm", deadline="20/12/2024", school=world.school_a
        ),
    )
    svc.plan_issue(actor=None, plan=plan)
    for user in (world.officer_district, world.principal_a):
        assert Kind.TASK in [r.kind for r in reminders_for(fresh(user), date(2025, 1, 10))]
        assert Kind.TASK not in [r.kind for r in reminders_for(fresh(user), date(2025, 4, 15))]
