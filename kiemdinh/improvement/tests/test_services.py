"""Improvement plan services: the plan, its lines and their validation, coverage, issuing, monitoring, the next cycle.

State is built through the real services. Loading the frameworks takes about a second, so it is done once per module
inside an outer transaction; every test runs in its own savepoint (pytest-django's `db`) and sees a clean state.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kiemdinh.core.models import AuditEvent
from kiemdinh.evidence.models import CycleEvidence, Evidence
from kiemdinh.evidence.services import evidence_record
from kiemdinh.frameworks.models import Level4Item
from kiemdinh.improvement import services as s
from kiemdinh.improvement.models import (
    CoverageNote,
    ImprovementPlan,
    LineReview,
    LineStatus,
    MonitorRole,
    PlanLine,
    PlanStatus,
    PriorityIssue,
    Review,
    ReviewKind,
)
from kiemdinh.improvement.tests.helpers import crit, item, save_form
from kiemdinh.selfassessment.council.services import council_member_create
from kiemdinh.selfassessment.models import CouncilRole
from kiemdinh.workflow.services import cycle_open

# --- fixtures and helpers -------------------------------------------------------------------------------------------


def values(**over) -> dict:
    base = {
        "target": "Có đủ phòng học bộ môn",
        "tasks": ["Lập dự toán", "Trình UBND xã"],
        "lead": "Hiệu trưởng",
        "collaborators": "Kế toán",
        "starts_on": date(2025, 9, 1),
        "due_on": date(2025, 12, 31),
    }
    return {**base, **over}


def add_line(plan, actor, code="1.1", **over) -> PlanLine:
    return s.line_create(actor=actor, plan=plan, criterion=crit(plan.cycle, code), **values(**over))


def issue(plan, actor, number="17/KH-TrTH", on=date(2025, 10, 15)) -> ImprovementPlan:
    s.plan_update(actor=actor, plan=plan, issued_on=on, number=number)
    return s.plan_issue(actor=actor, plan=plan)


def review(plan, actor, on: date, **kw) -> Review:
    return s.review_schedule(actor=actor, plan=plan, scheduled_on=on, **kw)


def record(actor, rev, held_on, entries, summary="") -> Review:
    return s.review_record(actor=actor, review=rev, held_on=held_on, summary=summary, entries=entries)


def mark(plan, actor, line, status, on=date(2025, 10, 31)):
    """Hold a review at `on` that gives `line` the status."""
    rev = Review.objects.filter(plan=plan, scheduled_on=on).first() or review(plan, actor, on)
    return record(actor, rev, on, {line.pk: s.EntryInput(status=status, progress="Đã làm")})


def messages(exc: pytest.ExceptionInfo) -> str:
    return " | ".join(exc.value.messages)


def event_types(prefix="improvement.") -> list[str]:
    return list(
        AuditEvent.objects.filter(event_type__startswith=prefix).order_by("id").values_list("event_type", flat=True)
    )


def pdf(name="bien-ban.pdf", text="bien ban") -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- the plan -------------------------------------------------------------------------------------------------------


def test_plan_create_is_idempotent_with_default_texts(world, cycle):
    council_member_create(actor=world.principal_a, cycle=cycle, full_name="Nguyễn Văn An", role=CouncilRole.CHAIR)
    plan = s.plan_create(actor=world.principal_a, cycle=cycle)
    again = s.plan_create(actor=world.principal_a, cycle=cycle)
    assert again.pk == plan.pk
    assert ImprovementPlan.objects.filter(cycle=cycle).count() == 1
    assert plan.status == PlanStatus.DRAFT and not plan.is_issued
    assert "năm học 2025 - 2026" in plan.purpose
    assert "Báo cáo tự đánh giá năm học 2025-2026" in plan.bases
    assert cycle.framework.circular in plan.bases
    assert plan.organisation.startswith("1. Hiệu trưởng chỉ đạo")
    assert plan.recipients == "- Phòng GDĐT (để b/c);\n- Lưu VT."
    assert plan.place == "An Bình"
    assert plan.signer_title == "HIỆU TRƯỞNG"
    assert plan.signer_name == "Nguyễn Văn An"
    assert event_types() == ["improvement.plan_created"]
    event = AuditEvent.objects.get(event_type="improvement.plan_created")
    assert (event.actor, event.school, event.object_id) == (world.principal_a, world.school_a, str(plan.pk))


def test_plan_update_validates_and_records_changes(world, plan):
    actor = world.principal_a
    with pytest.raises(ValidationError) as exc:
        s.plan_update(actor=actor, plan=plan, signer_title="  ")
    assert exc.value.message_dict == {"signer_title": ["Hãy ghi chức danh người ký, ví dụ HIỆU TRƯỞNG."]}
    with pytest.raises(ValidationError) as exc:
        s.plan_update(actor=actor, plan=plan, number="1" * 61)
    assert exc.value.message_dict == {"number": ["Số kế hoạch dài quá 60 ký tự."]}
    with pytest.raises(ValueError, match="status"):
        s.plan_update(actor=actor, plan=plan, status="issued")

    updated = s.plan_update(actor=actor, plan=plan, number=" 17/KH-TrTH ", issued_on=date(2025, 10, 15))
    assert (updated.number, updated.issued_on) == ("17/KH-TrTH", date(2025, 10, 15))
    event = AuditEvent.objects.get(event_type="improvement.plan_updated")
    assert event.data == {"changed": ["issued_on", "number"]}
    # Nothing changed: no second event.
    s.plan_update(actor=actor, plan=plan, number="17/KH-TrTH", issued_on=date(2025, 10, 15))
    assert AuditEvent.objects.filter(event_type="improvement.plan_updated").count() == 1


def test_plan_update_of_texts_keeps_the_issue_date(world, plan):
    """Texts are updated one by one; a call that does not give issued_on must not clear it."""
    actor = world.principal_a
    add_line(plan, actor)
    issue(plan, actor)
    plan = s.plan_update(actor=actor, plan=plan, purpose="Mục đích mới")
    assert (plan.purpose, plan.issued_on) == ("Mục đích mới", date(2025, 10, 15))
    # Clearing the number or the date of an issued plan is refused.
    with pytest.raises(ValidationError) as exc:
        s.plan_update(actor=actor, plan=plan, number="")
    assert exc.value.message_dict == {"number": ["Kế hoạch đã ban hành phải có số."]}
    with pytest.raises(ValidationError) as exc:
        s.plan_update(actor=actor, plan=plan, issued_on=None)
    assert exc.value.message_dict == {"issued_on": ["Kế hoạch đã ban hành phải có ngày ban hành."]}
    plan.refresh_from_db()
    assert (plan.number, plan.issued_on) == ("17/KH-TrTH", date(2025, 10, 15))


# --- lines ----------------------------------------------------------------------------------------------------------


def test_line_create_names_every_missing_value(world, plan):
    with pytest.raises(ValidationError) as exc:
        s.line_create(
            actor=world.principal_a, plan=plan, criterion=crit(plan.cycle, "1.1"), target=" ", tasks="\n - \n", lead=""
        )
    assert exc.value.message_dict == {
        "target": ["Hãy ghi kết quả cần đạt."],
        "tasks": ["Hãy ghi ít nhất một công việc hoặc giải pháp."],
        "lead": ["Hãy ghi người hoặc bộ phận chủ trì."],
        "due_on": ["Hãy ghi thời gian thực hiện: tháng bắt đầu, tháng hoàn thành hoặc cách ghi trong kế hoạch."],
    }
    assert not PlanLine.objects.exists()
    assert "improvement.line_added" not in event_types()


def test_line_due_month_before_start_is_refused(world, plan):
    with pytest.raises(ValidationError) as exc:
        add_line(plan, world.principal_a, starts_on=date(2025, 12, 1), due_on=date(2025, 11, 30))
    assert exc.value.message_dict == {"due_on": ["Tháng hoàn thành phải sau tháng bắt đầu."]}
    # The same month for both is fine (due_on is the month's last day).
    line = add_line(plan, world.principal_a, starts_on=date(2025, 12, 20), due_on=date(2025, 12, 2))
    assert (line.starts_on, line.due_on) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("abc", "Kinh phí phải là một số (triệu đồng), ví dụ 12,5."),
        ("-1", "Kinh phí không được âm."),
        (Decimal("-0.5"), "Kinh phí không được âm."),
        ("1e20", "Kinh phí quá lớn."),
    ],
)
def test_line_bad_cost_is_refused(world, plan, cost, expected):
    with pytest.raises(ValidationError) as exc:
        add_line(plan, world.principal_a, cost_million=cost)
    assert exc.value.message_dict == {"cost_million": [expected]}
    assert not PlanLine.objects.exists()


@pytest.mark.parametrize(
    ("cost", "stored"), [("12,5", Decimal("12.5")), (" 300 ", Decimal("300.0")), (7, Decimal("7.0")), ("", None)]
)
def test_line_cost_in_million_vnd(world, plan, cost, stored):
    line = add_line(plan, world.principal_a, cost_million=cost, funding="Ngân sách xã")
    line.refresh_from_db()
    assert line.cost_million == stored
    assert line.funding == "Ngân sách xã"


def test_line_subject_must_be_one_criterion_or_mức4_item_of_the_cycle(world, plan, cycle57):
    actor = world.principal_a
    with pytest.raises(ValidationError) as exc:
        s.line_create(actor=actor, plan=plan, criterion=crit(cycle57, "1.1"), **values())
    assert exc.value.message_dict == {"criterion": ["Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá."]}
    other_item = Level4Item.objects.exclude(version_id=plan.cycle.framework_id).first()
    assert other_item is not None
    with pytest.raises(ValidationError) as exc:
        s.line_create(actor=actor, plan=plan, level4_item=other_item, **values())
    assert exc.value.message_dict == {"level4_item": ["Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá."]}
    for subject in ({}, {"criterion": crit(plan.cycle, "1.1"), "level4_item": item(plan.cycle, "2")}):
        with pytest.raises(ValidationError) as exc:
            s.line_create(actor=actor, plan=plan, **subject, **values())
        assert exc.value.message_dict == {"criterion": ["Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4."]}
    assert not PlanLine.objects.exists()

    line = s.line_create(actor=actor, plan=plan, level4_item=item(plan.cycle, "2"), **values())
    assert (line.criterion, line.level4_item, line.issue) == (None, item(plan.cycle, "2"), None)
    assert AuditEvent.objects.get(event_type="improvement.line_added").data == {
        "subject": "Mức 4 — tiêu chí 2",
        "target": "Có đủ phòng học bộ môn",
        "reason": "",
    }


def test_tt57_line_belongs_to_a_priority_issue_of_the_plan(world, plan57, plan):
    actor = world.principal_a
    c11 = crit(plan57.cycle, "1.1")
    with pytest.raises(ValidationError) as exc:
        s.line_create(actor=actor, plan=plan57, criterion=c11, **values())
    assert exc.value.message_dict == {"issue": ["Hãy chọn vấn đề ưu tiên mà hành động này giải quyết."]}
    with pytest.raises(ValidationError) as exc:
        s.issue_create(actor=actor, plan=plan, criterion=crit(plan.cycle, "1.1"), limitation="Thiếu phòng")
    assert "chỉ dùng cho kế hoạch theo Thông tư 57/2026" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        s.issue_create(actor=actor, plan=plan57, criterion=c11, limitation=" ")
    assert exc.value.message_dict == {"limitation": ["Hãy ghi hạn chế cần cải tiến."]}

    problem = s.issue_create(
        actor=actor, plan=plan57, criterion=c11, limitation="Thiếu phòng học", current_state="3 phòng", cause="Kinh phí"
    )
    with pytest.raises(ValidationError) as exc:
        s.line_create(actor=actor, plan=plan57, issue=problem, **values(target=""))
    assert exc.value.message_dict == {"target": ["Hãy ghi mục tiêu."]}
    line = s.line_create(actor=actor, plan=plan57, issue=problem, content="Xây phòng", **values())
    assert (line.issue, line.criterion, line.level4_item) == (problem, c11, None)
    with pytest.raises(ValidationError) as exc:
        s.issue_delete(actor=actor, issue=problem)
    assert "còn hành động cải tiến" in messages(exc)
    assert "improvement.issue_added" in event_types()


def test_tasks_are_cleaned_of_bullets_and_blank_lines(world, plan):
    text = "- Lập dự toán\n\n+ Trình UBND xã  \n   \n– Mua sắm thiết bị\nNghiệm thu\n-"
    line = add_line(plan, world.principal_a, tasks=text)
    line.refresh_from_db()
    assert line.tasks == ["Lập dự toán", "Trình UBND xã", "Mua sắm thiết bị", "Nghiệm thu"]
    assert s.clean_tasks(["  ", "- Một", "", "Hai "]) == ["Một", "Hai"]
    assert s.clean_tasks(None) == []


def test_months_are_stored_as_first_and_last_day(world, plan):
    line = add_line(plan, world.principal_a, starts_on=date(2025, 10, 17), due_on=date(2026, 2, 3))
    line.refresh_from_db()
    assert (line.starts_on, line.due_on) == (date(2025, 10, 1), date(2026, 2, 28))
    # A time written as text only is accepted.
    line = add_line(plan, world.principal_a, starts_on=None, due_on=None, time_text="Cả năm học")
    assert (line.starts_on, line.due_on, line.time_text) == (None, None, "Cả năm học")
    assert s.time_label(line) == "Cả năm học"


def test_line_update_on_a_draft_needs_no_reason(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    same = s.line_update(actor=actor, line=line, criterion=line.criterion, **values())
    assert same.pk == line.pk
    assert "improvement.line_updated" not in event_types()  # nothing changed
    line = s.line_update(actor=actor, line=line, criterion=line.criterion, **values(lead="Phó hiệu trưởng"))
    assert line.lead == "Phó hiệu trưởng"
    event = AuditEvent.objects.get(event_type="improvement.line_updated")
    assert event.data["changed"] == ["lead"] and event.data["reason"] == ""


def test_after_issue_line_changes_need_a_reason_kept_in_history(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    issue(plan, actor)
    with pytest.raises(ValidationError) as exc:
        s.line_update(actor=actor, line=line, criterion=line.criterion, **values(due_on=date(2026, 3, 1)))
    assert exc.value.message_dict == {"reason": ["Kế hoạch đã ban hành: hãy ghi lý do điều chỉnh."]}
    line.refresh_from_db()
    assert line.due_on == date(2025, 12, 31)

    s.line_update(
        actor=actor,
        line=line,
        reason="Chưa được cấp kinh phí",
        criterion=line.criterion,
        **values(due_on=date(2026, 3, 1)),
    )
    line.refresh_from_db()
    assert line.due_on == date(2026, 3, 31)
    latest = line.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Chưa được cấp kinh phí"
    assert latest.due_on == date(2026, 3, 31)
    event = AuditEvent.objects.get(event_type="improvement.line_adjusted")
    assert event.data["changed"] == ["due_on"] and event.data["reason"] == "Chưa được cấp kinh phí"

    with pytest.raises(ValidationError) as exc:
        s.line_delete(actor=actor, line=line)
    assert "Kế hoạch đã ban hành: không xóa dòng" in messages(exc)
    assert PlanLine.objects.filter(pk=line.pk).exists()


def test_line_delete_on_a_draft_and_not_after_a_review(world, plan):
    actor = world.principal_a
    gone, kept = add_line(plan, actor), add_line(plan, actor, code="1.2")
    s.line_delete(actor=actor, line=gone)
    assert not PlanLine.objects.filter(pk=gone.pk).exists()
    assert AuditEvent.objects.get(event_type="improvement.line_deleted").data["subject"] == "1.1"

    mark(plan, actor, kept, LineStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        s.line_delete(actor=actor, line=kept)
    assert "đã có kết quả giám sát nên không xóa được" in messages(exc)
    assert PlanLine.objects.filter(pk=kept.pk).exists()


# --- coverage and issuing --------------------------------------------------------------------------------------------


def test_plan_issue_lists_the_problems_then_succeeds_after_coverage_notes(world, plan):
    actor = world.principal_a
    cycle = plan.cycle
    save_form(cycle, actor, code="1.1", weaknesses="Thiếu phòng học bộ môn.")
    save_form(cycle, actor, code="1.2", weaknesses="Chưa có kế hoạch chiến lược.")
    save_form(cycle, actor, code="1.3", weaknesses="Không có điểm yếu đáng kể.")
    save_form(cycle, actor, level4="2", weaknesses="Chưa đạt.")
    with pytest.raises(ValidationError) as exc:
        s.plan_issue(actor=actor, plan=plan)
    assert exc.value.messages == [
        "Chưa ghi số kế hoạch.",
        "Chưa ghi ngày ban hành.",
        "Kế hoạch chưa có dòng nào.",
        "Còn điểm yếu chưa có dòng kế hoạch hoặc lý do không lập: 1.1, 1.2, Mức 4 — tiêu chí 2.",
    ]
    s.plan_update(actor=actor, plan=plan, number="17/KH-TrTH", issued_on=date(2025, 10, 15))
    add_line(plan, actor, code="1.1")
    with pytest.raises(ValidationError) as exc:
        s.plan_issue(actor=actor, plan=plan)
    assert exc.value.messages == ["Còn điểm yếu chưa có dòng kế hoạch hoặc lý do không lập: 1.2, Mức 4 — tiêu chí 2."]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT

    s.coverage_note_save(actor=actor, plan=plan, criterion=crit(cycle, "1.2"), reason="Đưa vào dòng của 1.1")
    s.coverage_note_save(actor=actor, plan=plan, level4_item=item(cycle, "2"), reason="Chưa đủ điều kiện")
    issued = s.plan_issue(actor=actor, plan=plan)
    assert issued.status == PlanStatus.ISSUED and issued.issued_by == actor and issued.issued_at is not None
    assert AuditEvent.objects.get(event_type="improvement.plan_issued").data == {"number": "17/KH-TrTH"}
    with pytest.raises(ValidationError) as exc:
        s.plan_issue(actor=actor, plan=plan)
    assert exc.value.messages == ["Kế hoạch đã được ban hành."]


def test_coverage_note_validation_and_replacement(world, plan, cycle57):
    actor = world.principal_a
    c12 = crit(plan.cycle, "1.2")
    with pytest.raises(ValidationError) as exc:
        s.coverage_note_save(actor=actor, plan=plan, criterion=c12, reason=" ")
    assert exc.value.message_dict == {"reason": ["Hãy ghi lý do không lập dòng kế hoạch cho điểm yếu này."]}
    with pytest.raises(ValidationError) as exc:
        s.coverage_note_save(actor=actor, plan=plan, criterion=c12, level4_item=item(plan.cycle, "1"), reason="x")
    assert exc.value.messages == ["Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4."]
    with pytest.raises(ValidationError):
        s.coverage_note_save(actor=actor, plan=plan, criterion=crit(cycle57, "1.2"), reason="x")
    s.coverage_note_save(actor=actor, plan=plan, criterion=c12, reason="Lần một")
    note = s.coverage_note_save(actor=actor, plan=plan, criterion=c12, reason="Lần hai")
    assert list(CoverageNote.objects.values_list("reason", flat=True)) == ["Lần hai"]
    assert event_types()[-2:] == ["improvement.coverage_noted", "improvement.coverage_noted"]
    s.coverage_note_delete(actor=actor, note=note)
    assert not CoverageNote.objects.exists()


# --- monitoring team ------------------------------------------------------------------------------------------------


def test_monitor_add_refuses_second_leader_foreign_and_duplicate_users(world, plan):
    actor = world.principal_a
    leader = s.monitor_add(actor=actor, plan=plan, full_name="", user=world.secretary_a, role=MonitorRole.LEADER)
    assert (leader.full_name, leader.role, leader.user) == ("Trần Thị Thu", MonitorRole.LEADER, world.secretary_a)
    with pytest.raises(ValidationError) as exc:
        s.monitor_add(actor=actor, plan=plan, full_name="Lê Văn Minh", role=MonitorRole.LEADER)
    assert exc.value.message_dict == {"role": ["Tổ giám sát đã có tổ trưởng."]}
    with pytest.raises(ValidationError) as exc:
        s.monitor_add(actor=actor, plan=plan, full_name="Bùi Thị Bình", user=world.principal_b)
    assert exc.value.message_dict == {"user": ["Tài khoản này không thuộc trường."]}
    with pytest.raises(ValidationError) as exc:
        s.monitor_add(actor=actor, plan=plan, full_name="Trần Thị Thu", user=world.secretary_a)
    assert exc.value.message_dict == {"user": ["Tài khoản này đã có trong tổ giám sát."]}
    with pytest.raises(ValidationError) as exc:
        s.monitor_add(actor=actor, plan=plan, full_name=" ")
    assert exc.value.message_dict == {"full_name": ["Hãy ghi họ và tên thành viên tổ giám sát."]}
    member = s.monitor_add(actor=actor, plan=plan, full_name="Lê Văn Minh", job_title="Giáo viên", user=world.member_a)
    assert list(plan.monitors.values_list("full_name", "position")) == [("Trần Thị Thu", 1), ("Lê Văn Minh", 2)]
    assert event_types().count("improvement.monitor_added") == 2
    s.monitor_remove(actor=actor, member=member)
    assert plan.monitors.count() == 1


# --- review schedule ------------------------------------------------------------------------------------------------


def test_review_schedule_refuses_a_duplicate_or_far_away_date(world, plan):
    actor = world.principal_a
    first = review(plan, actor, date(2025, 11, 30), kind=ReviewKind.MONTHLY)
    assert first.title == "Sơ kết tháng (11/2025)" and not first.is_held
    assert AuditEvent.objects.get(event_type="improvement.review_scheduled").data == {"date": "2025-11-30"}
    with pytest.raises(ValidationError) as exc:
        review(plan, actor, date(2025, 11, 30), title="Khác")
    assert exc.value.message_dict == {"scheduled_on": ["Đã có đợt rà soát ngày 30/11/2025."]}
    for far in (date(2040, 1, 1), date(2023, 12, 31)):
        with pytest.raises(ValidationError) as exc:
            review(plan, actor, far)
        assert exc.value.message_dict == {"scheduled_on": ["Ngày rà soát nằm quá xa năm học của kế hoạch."]}
    with pytest.raises(ValidationError) as exc:
        review(plan, actor, date(2025, 12, 1), kind="weekly")
    assert exc.value.message_dict == {"kind": ["Loại rà soát không hợp lệ."]}
    assert Review.objects.filter(plan=plan).count() == 1


def test_review_presets_terms_and_monthly_are_idempotent(world, plan):
    actor = world.principal_a
    created = s.review_schedule_preset(actor=actor, plan=plan, preset="terms")
    assert [(r.kind, r.scheduled_on) for r in created] == [
        (ReviewKind.TERM_I, date(2026, 1, 15)),
        (ReviewKind.YEAR_END, date(2026, 5, 25)),
    ]
    assert s.review_schedule_preset(actor=actor, plan=plan, preset="terms") == []
    monthly = s.review_schedule_preset(actor=actor, plan=plan, preset="monthly")
    assert [r.scheduled_on for r in monthly] == [
        date(2025, 10, 31),
        date(2025, 11, 30),
        date(2025, 12, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert {r.kind for r in monthly} == {ReviewKind.MONTHLY}
    assert s.review_schedule_preset(actor=actor, plan=plan, preset="monthly") == []
    assert plan.reviews.count() == 8
    assert plan.reviews.filter(kind=ReviewKind.TERM_I).count() == 1
    with pytest.raises(ValidationError) as exc:
        s.review_schedule_preset(actor=actor, plan=plan, preset="weekly")
    assert exc.value.message_dict == {"preset": ["Lịch mẫu không hợp lệ."]}
    assert [e.data for e in AuditEvent.objects.filter(event_type="improvement.reviews_scheduled").order_by("id")] == [
        {"preset": "terms", "dates": ["2026-01-15", "2026-05-25"]},
        {"preset": "monthly", "dates": [r.scheduled_on.isoformat() for r in monthly]},
    ]  # a preset that adds nothing records nothing


def test_monthly_preset_on_an_empty_plan_includes_the_terms(world, plan):
    dates = [on for _, _, on in s.preset_dates(plan, "monthly")]
    assert len(dates) == 8 and dates == sorted(dates)
    assert date(2026, 1, 15) in dates and date(2026, 5, 25) in dates


# --- recording a review ---------------------------------------------------------------------------------------------


def test_review_record_refuses_a_future_date(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    rev = review(plan, actor, date(2025, 11, 30))
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record(actor, rev, tomorrow, {line.pk: s.EntryInput(status=LineStatus.DONE)})
    assert exc.value.message_dict == {"held_on": ["Ngày thực hiện rà soát không được sau hôm nay."]}
    rev.refresh_from_db()
    line.refresh_from_db()
    assert not rev.is_held and line.status == LineStatus.NOT_STARTED


def test_adjusted_without_adjustment_is_refused_and_nothing_changes(world, plan):
    actor = world.principal_a
    first, second = add_line(plan, actor, code="1.1"), add_line(plan, actor, code="1.2")
    rev = review(plan, actor, date(2025, 11, 30))
    with pytest.raises(ValidationError) as exc:
        record(
            actor,
            rev,
            date(2025, 11, 30),
            {
                first.pk: s.EntryInput(status=LineStatus.DONE, progress="Xong"),
                second.pk: s.EntryInput(status=LineStatus.ADJUSTED, adjustment="  ", new_due_on=date(2026, 3, 1)),
            },
        )
    assert exc.value.messages == [
        "1.2: trạng thái “Điều chỉnh” cần ghi nội dung điều chỉnh.",
        "1.2: đổi thời gian hoàn thành cần ghi nội dung điều chỉnh.",
    ]
    rev.refresh_from_db()
    assert not rev.is_held and rev.recorded_at is None
    assert not LineReview.objects.exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (LineStatus.NOT_STARTED, LineStatus.NOT_STARTED)
    assert second.due_on == date(2025, 12, 31)
    assert "improvement.review_recorded" not in event_types()

    with pytest.raises(ValidationError) as exc:
        record(actor, rev, date(2025, 11, 30), {first.pk: s.EntryInput(status="unknown")})
    assert exc.value.messages == ["1.1: trạng thái không hợp lệ."]
    with pytest.raises(ValidationError) as exc:
        record(
            actor,
            rev,
            date(2025, 11, 30),
            {first.pk: s.EntryInput(status="done", new_due_on=date(2025, 8, 1), adjustment="Sớm hơn")},
        )
    assert exc.value.messages == ["1.1: tháng hoàn thành mới phải sau tháng bắt đầu."]


def test_new_due_month_is_applied_with_the_adjustment_in_history(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor, time_text="Tháng 9 đến tháng 12/2025")
    issue(plan, actor)
    rev = review(plan, actor, date(2025, 11, 30), title="Sơ kết tháng 11")
    entry = s.EntryInput(
        status=LineStatus.ADJUSTED, adjustment="Lùi sang tháng 3 vì chờ kinh phí", new_due_on=date(2026, 3, 10)
    )
    record(actor, rev, date(2025, 11, 30), {line.pk: entry}, summary="Đúng tiến độ")
    line.refresh_from_db()
    assert (line.due_on, line.time_text, line.status) == (date(2026, 3, 31), "", LineStatus.ADJUSTED)
    reasons = list(line.history.order_by("history_id").values_list("history_change_reason", "due_on"))
    assert ("Điều chỉnh tại Sơ kết tháng 11: Lùi sang tháng 3 vì chờ kinh phí", date(2026, 3, 31)) in reasons
    assert reasons[-1][0] == "Kết quả rà soát: Điều chỉnh"
    row = LineReview.objects.get(line=line)
    assert (row.status, row.adjustment) == (LineStatus.ADJUSTED, "Lùi sang tháng 3 vì chờ kinh phí")
    rev.refresh_from_db()
    assert (rev.held_on, rev.summary, rev.recorded_by) == (date(2025, 11, 30), "Đúng tiến độ", actor)
    event = AuditEvent.objects.get(event_type="improvement.review_recorded")
    assert event.data == {"title": "Sơ kết tháng 11", "held_on": "2025-11-30", "lines": 1}


def test_review_evidence_must_belong_to_the_school(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    rev = review(plan, actor, date(2025, 11, 30))
    foreign = evidence_record(actor=world.principal_b, school=world.school_b, name="Biên bản trường B")
    own = evidence_record(actor=actor, school=world.school_a, name="Biên bản trường A")
    with pytest.raises(ValidationError) as exc:
        record(
            actor, rev, date(2025, 11, 30), {line.pk: s.EntryInput(status="done", evidence_ids=[own.pk, foreign.pk])}
        )
    assert exc.value.messages == ["1.1: minh chứng không thuộc trường."]
    assert not LineReview.objects.exists()
    record(actor, rev, date(2025, 11, 30), {line.pk: s.EntryInput(status="done", evidence_ids=[own.pk, own.pk])})
    assert list(LineReview.objects.get(line=line).evidence.all()) == [own]


def test_review_line_of_another_plan_is_refused(world, plan, plan57):
    actor = world.principal_a
    problem = s.issue_create(actor=actor, plan=plan57, criterion=crit(plan57.cycle, "1.1"), limitation="Thiếu phòng")
    other = s.line_create(actor=actor, plan=plan57, issue=problem, **values(due_on=date(2026, 12, 1)))
    rev = review(plan, actor, date(2025, 11, 30))
    with pytest.raises(ValidationError) as exc:
        record(actor, rev, date(2025, 11, 30), {other.pk: s.EntryInput(status="done")})
    assert exc.value.messages == ["Dòng kế hoạch không thuộc kế hoạch này."]


def test_uploaded_file_becomes_an_evidence_item_of_the_school(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    existing = evidence_record(actor=actor, school=world.school_a, name="Quyết định thành lập tổ")
    rev = review(plan, actor, date(2025, 11, 30), title="Sơ kết tháng 11")
    entry = s.EntryInput(status=LineStatus.IN_PROGRESS, evidence_ids=[existing.pk], files=[pdf()])
    record(actor, rev, date(2025, 11, 30), {line.pk: entry})
    row = LineReview.objects.get(line=line)
    items = list(row.evidence.order_by("id"))
    assert len(items) == 2 and items[0] == existing
    new = items[1]
    assert new.school == world.school_a
    version = new.latest_version()
    assert version.name.startswith("Minh chứng thực hiện kế hoạch cải tiến — 1.1 (Sơ kết tháng 11)")
    assert version.issue_ref == "30/11/2025"
    assert [f.original_name for f in version.files.all()] == ["bien-ban.pdf"]
    with version.files.get().file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-1.4")
    assert "evidence.recorded" in event_types("evidence.")


def test_bad_uploaded_file_refuses_the_whole_review(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    rev = review(plan, actor, date(2025, 11, 30))
    fake = SimpleUploadedFile("gia.pdf", b"MZ\x90\x00 not a pdf at all" * 20)
    with pytest.raises(ValidationError):
        record(actor, rev, date(2025, 11, 30), {line.pk: s.EntryInput(status="done", files=[fake])})
    rev.refresh_from_db()
    line.refresh_from_db()
    assert not rev.is_held and line.status == LineStatus.NOT_STARTED
    assert not LineReview.objects.exists() and not Evidence.objects.exists()


def test_status_is_that_of_the_latest_held_review_and_corrections_apply(world, plan):
    actor = world.principal_a
    line = add_line(plan, actor)
    october, november = review(plan, actor, date(2025, 10, 31)), review(plan, actor, date(2025, 11, 30))
    record(actor, november, date(2025, 11, 30), {line.pk: s.EntryInput(status=LineStatus.DONE)})
    line.refresh_from_db()
    assert line.status == LineStatus.DONE
    # The October review recorded afterwards does not override the later one.
    record(actor, october, date(2025, 10, 31), {line.pk: s.EntryInput(status=LineStatus.IN_PROGRESS)})
    line.refresh_from_db()
    assert line.status == LineStatus.DONE
    # Correcting the November review changes the line.
    record(actor, november, date(2025, 11, 30), {line.pk: s.EntryInput(status=LineStatus.LATE, progress="Chậm")})
    line.refresh_from_db()
    assert line.status == LineStatus.LATE
    assert LineReview.objects.filter(line=line).count() == 2
    assert LineReview.objects.get(review=november).progress == "Chậm"
    # A held review cannot be deleted; an unheld one can.
    with pytest.raises(ValidationError):
        s.review_delete(actor=actor, review=november)
    spare = review(plan, actor, date(2025, 12, 31))
    s.review_delete(actor=actor, review=spare)
    assert not Review.objects.filter(pk=spare.pk).exists()
    assert event_types().count("improvement.review_recorded") == 3
    assert "improvement.review_deleted" in event_types()


def test_lines_not_given_keep_their_status(world, plan):
    actor = world.principal_a
    first, second = add_line(plan, actor, code="1.1"), add_line(plan, actor, code="1.2")
    mark(plan, actor, first, LineStatus.IN_PROGRESS, on=date(2025, 10, 31))
    mark(plan, actor, second, LineStatus.DONE, on=date(2025, 11, 30))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (LineStatus.IN_PROGRESS, LineStatus.DONE)


# --- next cycle: carry over ------------------------------------------------------------------------------------------


@pytest.fixture
def earlier(world):
    """School A's 2024-2025 plan (TT17/2018), lines: 1.1 done, 1.2 in progress, 1.10 not started, Mức 4 item 2 late."""
    actor = world.principal_a
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2024-2025")
    plan = s.plan_create(actor=actor, cycle=cycle)
    lines = {
        "1.1": add_line(plan, actor, code="1.1", starts_on=date(2024, 9, 1), due_on=date(2024, 12, 1)),
        "1.2": add_line(plan, actor, code="1.2", starts_on=date(2024, 9, 1), due_on=date(2025, 4, 1), cost_million=5),
        "1.10": add_line(plan, actor, code="1.10", starts_on=None, due_on=None, time_text="Năm học 2024-2025"),
        "M4": s.line_create(
            actor=actor, plan=plan, level4_item=item(cycle, "2"), **values(starts_on=None, due_on=date(2025, 5, 1))
        ),
    }
    rev = review(plan, actor, date(2025, 5, 25))
    record(
        actor,
        rev,
        date(2025, 5, 25),
        {
            lines["1.1"].pk: s.EntryInput(status=LineStatus.DONE, progress="Đã xây xong 2 phòng"),
            lines["1.2"].pk: s.EntryInput(status=LineStatus.IN_PROGRESS),
            lines["M4"].pk: s.EntryInput(status=LineStatus.LATE),
        },
    )
    for line in lines.values():
        line.refresh_from_db()
    return plan, lines


def test_carry_over_copies_unfinished_lines_once(world, earlier, plan):
    actor = world.principal_a
    source, lines = earlier
    report = s.lines_carry_over(actor=actor, plan=plan, source=source)
    assert report.carried == ["1.2", "1.10", "Mức 4 — tiêu chí 2"] and report.skipped == []
    copies = {line.carried_from_id: line for line in plan.lines.all()}
    assert set(copies) == {lines["1.2"].pk, lines["1.10"].pk, lines["M4"].pk}
    copy = copies[lines["1.2"].pk]
    assert (copy.criterion, copy.target, copy.tasks, copy.cost_million) == (
        lines["1.2"].criterion,
        lines["1.2"].target,
        lines["1.2"].tasks,
        Decimal("5.0"),
    )
    # A completion month before the new school year moves to its end; the status starts again.
    # Past months move into the new school year (2025-2026): from its start to its end.
    assert (copy.starts_on, copy.due_on, copy.status) == (date(2025, 9, 1), date(2026, 5, 31), LineStatus.NOT_STARTED)
    assert copies[lines["1.10"].pk].time_text == "Năm học 2024-2025"
    assert copies[lines["M4"].pk].level4_item == lines["M4"].level4_item
    assert copy.history.first().history_change_reason == "Chuyển tiếp từ kế hoạch năm trước"
    event = AuditEvent.objects.get(event_type="improvement.lines_carried_over")
    assert event.data == {"from": source.pk, "carried": ["1.2", "1.10", "Mức 4 — tiêu chí 2"], "skipped": []}

    again = s.lines_carry_over(actor=actor, plan=plan, source=source)
    assert again.carried == [] and plan.lines.count() == 3


def test_carry_over_refuses_another_school_or_a_later_plan(world, earlier, plan):
    source, _ = earlier
    other_cycle = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2024-2025")
    other = s.plan_create(actor=world.principal_b, cycle=other_cycle)
    message = "Chỉ chuyển tiếp từ kế hoạch của một năm học trước của cùng trường."
    for target, origin in ((plan, other), (source, plan), (plan, plan)):
        with pytest.raises(ValidationError) as exc:
            s.lines_carry_over(actor=world.principal_a, plan=target, source=origin)
        assert exc.value.messages == [message]
    assert not plan.lines.exists()


def test_carry_over_between_circulars_maps_nothing_by_code(world, plan, plan57):
    actor = world.principal_a
    add_line(plan, actor, code="1.1", target="Đủ phòng học")
    s.line_create(actor=actor, plan=plan, level4_item=item(plan.cycle, "3"), **values())
    report = s.lines_carry_over(actor=actor, plan=plan57, source=plan)
    # TT17 1.1 and TT57 1.1 are different criteria: the user re-plans under the new circular instead.
    reason = "(bộ tiêu chuẩn khác: lập lại theo tiêu chí của Thông tư 57/2026/TT-BGDĐT)"
    assert report.carried == [] and report.skipped == [f"1.1 {reason}", f"Mức 4 — tiêu chí 3 {reason}"]
    assert not plan57.lines.exists() and not PriorityIssue.objects.filter(plan=plan57).exists()


def test_carry_over_within_tt57_keeps_the_priority_issue(world, plan57):
    actor = world.principal_a
    problem = s.issue_create(
        actor=actor,
        plan=plan57,
        criterion=crit(plan57.cycle, "1.3"),
        current_state="Ba phần mềm",
        limitation="Dữ liệu phân tán",
        cause="Chưa phân công",
    )
    line = s.line_create(actor=actor, plan=plan57, issue=problem, **values(due_on=date(2027, 1, 1)))
    later = cycle_open(actor=actor, school=world.school_a, school_year="2027-2028")
    target = s.plan_create(actor=actor, cycle=later)
    report = s.lines_carry_over(actor=actor, plan=target, source=plan57)
    assert report.carried == ["1.3"] and report.skipped == []
    copied = PriorityIssue.objects.get(plan=target)
    assert (copied.criterion.code, copied.current_state, copied.limitation, copied.cause) == (
        "1.3",
        "Ba phần mềm",
        "Dữ liệu phân tán",
        "Chưa phân công",
    )
    copy = target.lines.get()
    assert (copy.issue, copy.carried_from, copy.due_on) == (copied, line, date(2028, 5, 31))


# --- next cycle: a finished line as evidence -------------------------------------------------------------------------


def test_only_a_done_line_becomes_evidence(world, earlier, cycle):
    _, lines = earlier
    with pytest.raises(ValidationError) as exc:
        s.line_result_to_evidence(actor=world.principal_a, cycle=cycle, line=lines["1.2"], criterion=crit(cycle, "1.2"))
    assert exc.value.messages == ["Chỉ dùng làm minh chứng những hành động đã hoàn thành."]
    other_cycle = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2025-2026")
    with pytest.raises(ValidationError) as exc:
        s.line_result_to_evidence(
            actor=world.principal_b, cycle=other_cycle, line=lines["1.1"], criterion=crit(other_cycle, "1.1")
        )
    assert exc.value.messages == ["Chỉ dùng kết quả của kế hoạch một năm học trước của cùng trường."]
    assert not CycleEvidence.objects.exists()


def test_done_line_becomes_evidence_of_the_new_cycle_once(world, earlier, cycle):
    actor = world.principal_a
    source, lines = earlier
    done = lines["1.1"]
    # Evidence collected while monitoring the line is linked too.
    collected = evidence_record(actor=actor, school=world.school_a, name="Biên bản nghiệm thu phòng học")
    rev = review(source, actor, date(2025, 5, 31))
    record(actor, rev, date(2025, 5, 31), {done.pk: s.EntryInput(status="done", evidence_ids=[collected.pk])})
    done.refresh_from_db()

    c11 = crit(cycle, "1.1")
    link = s.line_result_to_evidence(actor=actor, cycle=cycle, line=done, criterion=c11)
    assert (link.cycle, link.criterion, link.evidence.school) == (cycle, c11, world.school_a)
    assert link.version.name.startswith("Kết quả thực hiện kế hoạch cải tiến chất lượng năm học 2024-2025")
    assert "Tiêu chí 1.1: Có đủ phòng học bộ môn" in link.version.name
    assert link.version.issue_ref == "Kế hoạch cải tiến chất lượng; rà soát ngày 31/05/2025"
    done.refresh_from_db()
    assert done.result_evidence == link.evidence
    in_cycle = set(CycleEvidence.objects.filter(cycle=cycle).values_list("evidence_id", flat=True))
    assert in_cycle == {link.evidence_id, collected.pk}

    # Again: the same item, nothing new.
    again = s.line_result_to_evidence(actor=actor, cycle=cycle, line=done, criterion=c11)
    assert again.evidence_id == link.evidence_id
    assert Evidence.objects.filter(versions__name__startswith="Kết quả thực hiện").distinct().count() == 1
    assert CycleEvidence.objects.filter(cycle=cycle).count() == 2


def test_done_line_evidence_from_the_callers_copy_is_not_duplicated(world, earlier, cycle):
    """A caller holding the line read before the first call still gets the same item."""
    actor = world.principal_a
    _, lines = earlier
    done = lines["1.1"]
    first = s.line_result_to_evidence(actor=actor, cycle=cycle, line=done, criterion=crit(cycle, "1.1"))
    second = s.line_result_to_evidence(actor=actor, cycle=cycle, line=done, criterion=crit(cycle, "1.1"))
    assert first.evidence_id == second.evidence_id
    assert Evidence.objects.count() == 1


def test_a_line_added_to_an_issued_plan_is_an_adjustment_with_its_reason(world, plan):
    actor = world.principal_a
    add_line(plan, actor)
    issued = issue(plan, actor)
    with pytest.raises(ValidationError) as exc:
        add_line(issued, actor, code="1.2")
    assert exc.value.message_dict == {"reason": ["Kế hoạch đã ban hành: hãy ghi lý do điều chỉnh."]}
    assert issued.lines.count() == 1
    line = s.line_create(
        actor=actor, plan=issued, criterion=crit(plan.cycle, "1.2"), reason="Bổ sung sau sơ kết tháng 10", **values()
    )
    assert line.history.first().history_change_reason == "Bổ sung sau sơ kết tháng 10"
