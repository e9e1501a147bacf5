from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kiemdinh.core.models import AuditEvent
from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.models import AnnualPlan, PlanTarget, TaskStatus
from kiemdinh.planning.periods import PeriodError, parse_deadline, period_bounds
from kiemdinh.planning.tests.helpers import make_plan, percent_goal, recognise
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.services import school_create, unit_create

pytestmark = pytest.mark.django_db


def test_periods_and_deadlines():
    assert period_bounds("year", "2024") == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_bounds("school_year", "2019-2020") == (date(2019, 8, 1), date(2020, 7, 31))
    assert period_bounds("roadmap", "2021–2025") == (date(2021, 1, 1), date(2025, 12, 31))
    with pytest.raises(PeriodError):
        period_bounds("school_year", "2019-2021")
    assert parse_deadline("quý II năm 2024") == ("quarter", date(2024, 6, 30))
    assert parse_deadline("Quý 4/2023") == ("quarter", date(2023, 12, 31))
    assert parse_deadline("tháng 12/2023") == ("month", date(2023, 12, 31))
    assert parse_deadline("20/01/2024") == ("date", date(2024, 1, 20))
    assert parse_deadline("") == ("", None)
    for bad in ("quý V năm 2024", "31/02/2024", "sớm nhất có thể"):
        with pytest.raises(PeriodError):
            parse_deadline(bad)


def test_plan_create_validates_and_records(world):
    with pytest.raises(ValidationError) as exc:
        svc.plan_create(
            actor=world.officer_district, unit=world.district, data=svc.PlanInput(kind="year", period="24", title="")
        )
    assert set(exc.value.error_dict) == {"period", "title"}
    assert not AnnualPlan.objects.exists()
    plan = make_plan(world)
    assert (plan.starts_on, plan.ends_on) == (date(2024, 1, 1), date(2024, 12, 31))
    assert plan.issuer == f"UBND {world.district.name}"  # the unit has no education office: its People's Committee
    assert AuditEvent.objects.filter(event_type="plan.created", object_id=str(plan.pk)).exists()


def test_dissolved_district_keeps_its_past_plans_only(world):
    world.district.dissolved_on = date(2025, 7, 1)
    world.district.save()
    assert make_plan(world, period="2024").unit == world.district
    with pytest.raises(ValidationError) as exc:
        make_plan(world, period="2026", title="Kế hoạch năm 2026")
    assert "đã giải thể" in exc.value.message_dict["period"][0]
    # The commune, under the province directly after the reform, plans on its own.
    commune = unit_create(actor=None, code="P01-X", name="Xã Mới", kind="commune", parent=world.province)
    plan = svc.plan_create(
        actor=world.admin, unit=commune, data=svc.PlanInput(kind="year", period="2026", title="Kế hoạch năm 2026")
    )
    assert plan.unit == commune


def test_suggestions_expiring_lapsed_and_never_recognised(world):
    plan = make_plan(world)  # 2024
    # A: CĐ2 of 15/01/2019 runs out 15/01/2024, within the plan → CN lại, same grade.
    recognise(world, world.school_a, decided_on=date(2019, 1, 15), number="12/QĐ-SGDĐT")
    recognise(world, world.school_a, kind="national_standard", level=1, decided_on=date(2019, 1, 15))
    open_, _ = sel.suggestions(plan)
    by_school = {s.school.pk: s for s in open_}
    a, b = by_school[world.school_a.pk], by_school[world.school_b.pk]
    assert (a.recognition_round, a.target_label, a.priority) == (RecognitionRound.AGAIN, "CĐ2-MĐ1", 0)
    assert "12/QĐ-SGDĐT" in a.reason and "15/01/2024" in a.reason and "15/08/2023" in a.reason
    assert (b.recognition_round, b.target_label) == (RecognitionRound.FIRST, "CĐ2-MĐ1")
    assert "Chưa từng được công nhận" in b.reason
    assert world.school_other.pk not in by_school  # another province
    assert open_[0].school == world.school_a  # lapsing first


def test_suggestions_skip_schools_recognised_beyond_the_plan_and_count_the_reregistration_lead(world):
    plan = make_plan(world)
    # Runs out 01/03/2025: within 5 months after the plan's end, so it must re-register during 2024.
    recognise(world, world.school_a, decided_on=date(2020, 3, 1))
    # Runs out in 2027: nothing to do in 2024.
    recognise(world, world.school_b, decided_on=date(2022, 9, 1))
    ids = {s.school.pk for s in sel.suggestions(plan)[0]}
    assert ids == {world.school_a.pk}


def test_accepting_and_dismissing_suggestions(world):
    plan = make_plan(world)
    open_, _ = sel.suggestions(plan)
    a = next(s for s in open_ if s.school == world.school_a)
    svc.targets_accept(
        actor=world.officer_district,
        plan=plan,
        proposals=[(a.school, svc.TargetInput(accreditation_grade=2, national_standard_level=1, reason=a.reason))],
    )
    target = PlanTarget.objects.get(plan=plan)
    assert (target.position, target.target_label, target.reason) == (1, "CĐ2-MĐ1", a.reason)
    with pytest.raises(ValidationError):
        svc.suggestion_dismiss(actor=world.officer_district, plan=plan, school=world.school_b, reason="  ")
    svc.suggestion_dismiss(actor=world.officer_district, plan=plan, school=world.school_b, reason="Chưa đủ phòng học")
    open_, dismissed = sel.suggestions(plan)
    assert open_ == [] and [s.dismissed_reason for s in dismissed] == ["Chưa đủ phòng học"]
    # Accepting a school twice is refused and changes nothing.
    with pytest.raises(ValidationError):
        svc.targets_accept(actor=world.officer_district, plan=plan, proposals=[(world.school_a, svc.TargetInput())])
    assert PlanTarget.objects.filter(plan=plan).count() == 1


def test_targets_outside_the_unit_are_refused(world):
    plan = make_plan(world)
    with pytest.raises(ValidationError) as exc:
        svc.target_add(actor=world.officer_district, plan=plan, school=world.school_other, data=svc.TargetInput())
    assert "không thuộc" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.target_add(
            actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput(accreditation_grade=5)
        )
    assert not plan.targets.exists()


def test_target_order_moves_and_closes_gaps(world):
    plan = make_plan(world)
    extra = school_create(actor=None, code="SC", name="Trường THCS Cẩm", school_type="THCS", unit=world.commune_a)
    for school in (world.school_a, world.school_b, extra):
        svc.target_add(actor=world.officer_district, plan=plan, school=school, data=svc.TargetInput())
    last = plan.targets.get(school=extra)
    svc.target_move(actor=world.officer_district, target=last, offset=-1)
    assert [t.school.code for t in plan.targets.order_by("position")] == ["SA", "SC", "SB"]
    svc.target_remove(actor=world.officer_district, target=plan.targets.get(school=world.school_a))
    assert list(plan.targets.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_goal_progress_is_computed_from_decisions(world):
    plan = make_plan(world)
    goal = percent_goal(plan, world, target_value=Decimal(50), school_types=("TH", "MN"))
    count_goal = svc.goal_save(
        actor=world.officer_district,
        plan=plan,
        data=svc.GoalInput(
            text="02 trường đạt chuẩn quốc gia mức độ I",
            metric="national_standard",
            measure="count",
            target_value=Decimal(2),
            level=1,
        ),
    )
    progress = {p.goal.pk: p for p in sel.goals_progress(plan)}
    assert progress[goal.pk].value == 0 and not progress[goal.pk].met
    recognise(world, world.school_a, decided_on=date(2024, 5, 10))  # within 2024
    recognise(world, world.school_b, decided_on=date(2023, 5, 10))  # before the plan: does not count
    recognise(world, world.school_b, kind="national_standard", level=1, decided_on=date(2024, 6, 1))
    progress = {p.goal.pk: p for p in sel.goals_progress(plan)}
    assert progress[goal.pk].value == Decimal("50.0") and progress[goal.pk].met
    assert progress[goal.pk].value_label.startswith("50% (1/2 trường")
    assert progress[count_goal.pk].value == 1 and not progress[count_goal.pk].met
    assert progress[count_goal.pk].value_label == "1/02 trường"


def test_goal_validation(world):
    plan = make_plan(world)
    bad = svc.GoalInput(text="", metric="sa_submitted", measure="percent", target_value=Decimal(120))
    with pytest.raises(ValidationError) as exc:
        svc.goal_save(actor=world.officer_district, plan=plan, data=bad)
    assert {"text", "target_value", "school_year"} <= set(exc.value.error_dict)
    assert not plan.goals.exists()


def test_targets_reached_goal(world):
    plan = make_plan(world)
    svc.target_add(
        actor=world.officer_district,
        plan=plan,
        school=world.school_a,
        data=svc.TargetInput(accreditation_grade=2, national_standard_level=1),
    )
    goal = percent_goal(plan, world, metric="targets_reached", scope="targets")
    recognise(world, world.school_a, decided_on=date(2024, 3, 1))
    assert not sel.goals_progress(plan)[0].met  # grade reached, national standard not yet
    recognise(world, world.school_a, kind="national_standard", level=1, decided_on=date(2024, 3, 1))
    (progress,) = sel.goals_progress(plan)
    assert progress.goal == goal and progress.met


def test_tasks_deadlines_updates_and_refusals(world):
    plan = make_plan(world)
    task = svc.task_save(
        actor=world.officer_district,
        plan=plan,
        data=svc.TaskInput(
            agency="Phòng Tài nguyên và Môi trường", content="Cấp giấy chứng nhận", deadline="quý II năm 2024"
        ),
    )
    assert (task.due_on, task.deadline_label) == (date(2024, 6, 30), "quý II năm 2024")
    assert task.is_overdue(date(2024, 7, 1)) and not task.is_overdue(date(2024, 6, 30))
    with pytest.raises(ValidationError) as exc:
        svc.task_save(
            actor=world.officer_district, plan=plan, data=svc.TaskInput(agency="", content="x", deadline="mai")
        )
    assert set(exc.value.error_dict) == {"agency", "deadline"}
    with pytest.raises(ValidationError):
        svc.task_report(actor=world.officer_district, task=task, status="done", note="")
    svc.task_report(actor=world.officer_district, task=task, status=TaskStatus.DONE, note="Đã cấp giấy")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_on and not task.is_overdue(date(2025, 1, 1))
    with pytest.raises(ValidationError):  # a task with progress is not deleted
        svc.task_delete(actor=world.officer_district, task=task)


def test_report_draft_and_periods(world):
    plan = make_plan(world, report_every_months=3)
    svc.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput())
    percent_goal(plan, world)
    task = svc.task_save(
        actor=world.officer_district,
        plan=plan,
        data=svc.TaskInput(agency="Phòng Tài chính - Kế hoạch", content="Bố trí kinh phí", deadline="tháng 3/2024"),
    )
    svc.task_report(actor=world.officer_district, task=task, status=TaskStatus.BLOCKED, note="Chưa có vốn đối ứng")
    draft = sel.report_draft(plan, date(2024, 4, 10))
    assert draft["period_label"] == "quý I năm 2024"
    assert "quý I năm 2024" in draft["title"] and "20/KH-UBND" in draft["title"]
    body = draft["body"]
    assert "Chưa tự đánh giá: 01 đơn vị." in body
    assert "100% trường được công nhận đạt kiểm định: 0% (0/2 trường; chỉ tiêu 100%), chưa đạt chỉ tiêu." in body
    assert "- Phòng Tài chính - Kế hoạch: Chưa có vốn đối ứng" in body.split("II. KHÓ KHĂN")[1]
    assert sel.next_report_due(plan, None) == date(2024, 3, 31)
    assert sel.next_report_due(plan, date(2024, 4, 2)) == date(2024, 6, 30)
    with pytest.raises(ValidationError):
        svc.report_save(
            actor=world.officer_district,
            plan=plan,
            data=svc.ReportInput(kind="periodic", reported_on=None, title="", body=""),
        )
    assert not plan.reports.exists()


def test_issue_needs_number_date_signer_and_content(world):
    plan = make_plan(world, number="", signer_name="")
    with pytest.raises(ValidationError) as exc:
        svc.plan_issue(actor=world.officer_district, plan=plan)
    assert len(exc.value.messages) == 3
    svc.plan_update(
        actor=world.officer_district,
        plan=plan,
        data=svc.PlanInput(
            kind="year",
            period="2024",
            title=plan.title,
            number="5/KH-UBND",
            issued_on=date(2024, 1, 4),
            signer_name="A",
        ),
    )
    svc.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput())
    assert svc.plan_issue(actor=world.officer_district, plan=plan).is_issued
    with pytest.raises(ValidationError):
        svc.plan_reopen(actor=world.officer_district, plan=plan, reason="")
    assert svc.plan_reopen(actor=world.officer_district, plan=plan, reason="Bổ sung trường").status == "draft"


def test_selectors_query_counts_do_not_grow_with_schools(world, django_assert_num_queries):
    plan = make_plan(world)
    percent_goal(plan, world)
    for school in (world.school_a, world.school_b):
        svc.target_add(actor=world.officer_district, plan=plan, school=school, data=svc.TargetInput())
    recognise(world, world.school_a, decided_on=date(2019, 2, 1))
    empty = make_plan(world, title="Kế hoạch chưa có danh sách")
    # suggestions and goals (a goal over the unit's schools): one more each for the changes of the tree since the
    # plan's date (units.selectors.schools_under_on)
    with django_assert_num_queries(5):
        sel.suggestions(empty)
    with django_assert_num_queries(5):
        sel.goals_progress(plan)
    with django_assert_num_queries(3):
        sel.plan_targets_with_positions(plan, date(2024, 5, 1))
    for i in range(8):
        school = school_create(
            actor=None, code=f"X{i}", name=f"Trường Mầm non {i}", school_type="MN", unit=world.commune_b
        )
        svc.target_add(actor=world.officer_district, plan=plan, school=school, data=svc.TargetInput())
        recognise(world, school, decided_on=date(2019, 2, 1))
    with django_assert_num_queries(5):
        assert len(sel.suggestions(empty)[0]) == 10
    with django_assert_num_queries(5):
        sel.goals_progress(plan)
    with django_assert_num_queries(3):
        sel.plan_targets_with_positions(plan, date(2024, 5, 1))


def test_a_grade_and_a_level_signed_together_are_named_together(world):
    plan = make_plan(world)
    recognise(world, world.school_b, decided_on=date(2019, 1, 15))
    recognise(world, world.school_b, kind="national_standard", level=1, decided_on=date(2019, 1, 15))
    b = next(s for s in sel.suggestions(plan)[0] if s.school == world.school_b)
    assert b.reason.startswith("CĐ2-MĐ1 (quyết định ngày 15/01/2019) hết hiệu lực ngày 15/01/2024")


def test_accepted_suggestions_are_listed_by_school_level(client, world):
    from kiemdinh.units.services import school_create

    plan = make_plan(world)
    school_create(actor=None, code="SC2", name="Trường Mầm non An Phú", school_type="MN", unit=world.commune_a)
    client.force_login(world.officer_district)
    ids = [s.school.pk for s in sel.suggestions(plan)[0]]
    client.post(f"/ke-hoach/{plan.pk}/de-xuat/nhan/", {"school": ids})
    names = list(plan.targets.order_by("position").values_list("school__name", flat=True))
    assert names == ["Trường Mầm non An Phú", "Trường Mầm non Bình Minh", "Trường Tiểu học An Bình"]
