"""Improvement plan selectors: weaknesses and coverage, proposals, the grouped table, overdue lines, monitoring state,
next-cycle offers, and their fixed query counts.

Loading the frameworks takes about a second, so it is done once per module inside an outer transaction; every test
runs in its own savepoint (pytest-django's `db`) and sees a clean state.
"""

from datetime import UTC, date, datetime

import pytest

from kiemdinh.evidence.services import evidence_record
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import selectors as q
from kiemdinh.improvement import services as s
from kiemdinh.improvement.models import ImprovementPlan, LineStatus, PlanLine, PriorityIssue, ReviewKind
from kiemdinh.improvement.tests.helpers import crit, item, save_form
from kiemdinh.workflow.services import cycle_open

# --- fixtures and helpers -------------------------------------------------------------------------------------------


@pytest.fixture
def actor(world):
    return world.principal_a


def values(**over) -> dict:
    base = {
        "target": "Có đủ phòng học bộ môn",
        "tasks": ["Lập dự toán", "Trình UBND xã"],
        "lead": "Hiệu trưởng",
        "starts_on": date(2025, 9, 1),
        "due_on": date(2025, 12, 31),
    }
    return {**base, **over}


def add_line(plan, actor, code="1.1", **over) -> PlanLine:
    return s.line_create(actor=actor, plan=plan, criterion=crit(plan.cycle, code), **values(**over))


def add_m4(plan, actor, code="1", **over) -> PlanLine:
    return s.line_create(actor=actor, plan=plan, level4_item=item(plan.cycle, code), **values(**over))


def hold(plan, actor, on: date, statuses: dict, evidence=None):
    """A review held on `on` giving each line (PlanLine → status) its status."""
    rev = plan.reviews.filter(scheduled_on=on).first() or s.review_schedule(actor=actor, plan=plan, scheduled_on=on)
    entries = {
        line.pk: s.EntryInput(status=status, progress="Đã làm", evidence_ids=list(evidence or []))
        for line, status in statuses.items()
    }
    return s.review_record(actor=actor, review=rev, held_on=on, summary="", entries=entries)


def fresh(plan) -> ImprovementPlan:
    """The plan as a view loads it (cycle, framework and school joined)."""
    return ImprovementPlan.objects.select_related("cycle__framework", "cycle__school").get(pk=plan.pk)


# --- weaknesses and coverage ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Không có điểm yếu đáng kể.", False),
        ("KHÔNG CÓ ĐIỂM YẾU", False),
        ("Chưa có điểm yếu đáng kể.", False),
        ("Không", False),
        ("Không.", False),
        ("- Không có.", False),
        ("", False),
        ("  \n ", False),
        (None, False),
        ("Thiếu phòng học bộ môn.", True),
        ("Không có phòng y tế riêng.", True),
        ("Chưa có kế hoạch chiến lược.", True),
    ],
)
def test_has_weakness(text, expected):
    assert q.has_weakness(text) is expected


def test_coverage_states_in_framework_order(cycle, plan, actor):
    save_form(cycle, actor, code="2.1", weaknesses="Đội ngũ chưa đủ.")
    save_form(cycle, actor, level4="2", weaknesses="Chưa đạt.")
    save_form(
        cycle, actor, code="1.10", weaknesses="Chưa có hệ thống kiểm soát nội bộ.", improvement="Xây dựng quy chế"
    )
    save_form(cycle, actor, code="1.2", weaknesses="Thiếu phòng họp.")
    save_form(cycle, actor, code="1.3", weaknesses="Không có điểm yếu đáng kể.")
    save_form(cycle, actor, code="1.4", weaknesses="Không")
    save_form(cycle, actor, code="1.5", weaknesses="")
    save_form(cycle, actor, level4="1", weaknesses="")
    add_line(plan, actor, code="1.2")
    add_line(plan, actor, code="1.2")
    add_line(plan, actor, code="1.3")  # a line without a weakness is allowed and does not add a row
    s.coverage_note_save(actor=actor, plan=plan, criterion=crit(cycle, "2.1"), reason="Đã đưa vào dòng của 1.2")

    rows = q.coverage(fresh(plan))
    assert [(r.label, r.state, r.line_count) for r in rows] == [
        ("1.2", "covered", 2),
        ("1.10", "uncovered", 0),
        ("2.1", "excused", 0),
        ("Mức 4 — tiêu chí 2", "uncovered", 0),
    ]
    assert rows[1].weakness == "Chưa có hệ thống kiểm soát nội bộ." and rows[1].improvement == "Xây dựng quy chế"
    assert rows[2].note.reason == "Đã đưa vào dòng của 1.2"
    assert [r.query for r in rows] == ["tieu_chi=1.2", "tieu_chi=1.10", "tieu_chi=2.1", "muc4=2"]

    # A Mức 4 line covers its item; a note on a covered criterion does not change "covered".
    add_m4(plan, actor, code="2")
    s.coverage_note_save(actor=actor, plan=plan, criterion=crit(cycle, "1.2"), reason="Thừa")
    assert [r.state for r in q.coverage(fresh(plan))] == ["covered", "uncovered", "excused", "covered"]


def test_coverage_of_tt57_counts_the_lines_of_the_issues(plan57, actor):
    cycle = plan57.cycle
    save_form(cycle, actor, code="1.1", weaknesses="Thiếu phòng học.")
    save_form(cycle, actor, code="3.2", weaknesses="Thiết bị cũ.")
    problem = s.issue_create(actor=actor, plan=plan57, criterion=crit(cycle, "1.1"), limitation="Thiếu phòng học.")
    s.line_create(actor=actor, plan=plan57, issue=problem, **values())
    assert [(r.label, r.state) for r in q.coverage(fresh(plan57))] == [("1.1", "covered"), ("3.2", "uncovered")]


def test_proposal_gives_starting_values_and_saves_nothing(cycle, plan, actor, django_assert_num_queries):
    save_form(cycle, actor, code="1.2", weaknesses="Thiếu phòng họp.", improvement="- Lập dự toán\n- Xin kinh phí")
    save_form(cycle, actor, code="1.3", weaknesses="Không có điểm yếu đáng kể.", improvement="Tiếp tục duy trì.")
    save_form(cycle, actor, level4="3", weaknesses="Thư viện chưa có tài liệu số.", improvement="Mua tài liệu số")
    lines, plans, issues = PlanLine.objects.count(), ImprovementPlan.objects.count(), PriorityIssue.objects.count()
    c12, c13, c14, m3 = crit(cycle, "1.2"), crit(cycle, "1.3"), crit(cycle, "1.4"), item(cycle, "3")
    with django_assert_num_queries(1):
        proposed = q.proposal(cycle, criterion=c12)
    assert proposed == {
        "target": "Thiếu phòng họp.",
        "tasks": "- Lập dự toán\n- Xin kinh phí",
        "limitation": "Thiếu phòng họp.",
    }
    assert q.proposal(cycle, criterion=c13) == {"target": "", "tasks": "Tiếp tục duy trì.", "limitation": ""}
    assert q.proposal(cycle, level4_item=m3)["target"] == "Thư viện chưa có tài liệu số."
    assert q.proposal(cycle, criterion=c14) == {}
    assert (PlanLine.objects.count(), ImprovementPlan.objects.count(), PriorityIssue.objects.count()) == (
        lines,
        plans,
        issues,
    )
    # The values fill a line once the user adds what the form cannot know.
    line = s.line_create(
        actor=actor,
        plan=plan,
        criterion=c12,
        target=proposed["target"],
        tasks=proposed["tasks"],
        lead="Hiệu trưởng",
        due_on=date(2026, 5, 1),
    )
    assert line.tasks == ["Lập dự toán", "Xin kinh phí"]


# --- the grouped table ----------------------------------------------------------------------------------------------


def test_plan_table_groups_by_standard_criterion_then_mức4(cycle, plan, actor):
    made = [
        add_line(plan, actor, code="2.1"),
        add_line(plan, actor, code="1.10"),
        add_line(plan, actor, code="1.2", target="Thứ nhất"),
        add_m4(plan, actor, code="3"),
        add_line(plan, actor, code="1.2", target="Thứ hai"),
        add_m4(plan, actor, code="1"),
    ]
    table = q.plan_table(fresh(plan))
    assert not table.tt57 and not table.is_empty and table.issues == []
    assert [b.standard.code for b in table.standards] == ["1", "2"]
    assert [[c.criterion.code for c in b.criteria] for b in table.standards] == [["1.2", "1.10"], ["2.1"]]
    assert [line.target for line in table.standards[0].criteria[0].lines] == ["Thứ nhất", "Thứ hai"]
    assert [b.item.code for b in table.level4] == ["1", "3"]
    assert [line.pk for line in table.lines] == [made[i].pk for i in (2, 4, 1, 0, 5, 3)]
    other = s.plan_create(actor=actor, cycle=cycle_open(actor=actor, school=cycle.school, school_year="2024-2025"))
    assert q.plan_table(fresh(other)).is_empty


def test_plan_table_of_tt57_groups_by_priority_issue(plan57, actor):
    cycle = plan57.cycle
    late = s.issue_create(actor=actor, plan=plan57, criterion=crit(cycle, "2.1"), limitation="Thiếu giáo viên")
    first = s.issue_create(actor=actor, plan=plan57, criterion=crit(cycle, "1.1"), limitation="Thiếu phòng")
    lonely = s.issue_create(actor=actor, plan=plan57, criterion=crit(cycle, "1.3"), limitation="Chưa có quy chế")
    a = s.line_create(actor=actor, plan=plan57, issue=late, **values(content="Tuyển dụng"))
    b = s.line_create(actor=actor, plan=plan57, issue=first, **values(content="Xây phòng"))
    c = s.line_create(actor=actor, plan=plan57, issue=first, **values(content="Sửa phòng"))
    table = q.plan_table(fresh(plan57))
    assert table.tt57 and table.standards == [] and table.level4 == []
    assert [(blk.issue, [ln.pk for ln in blk.lines]) for blk in table.issues] == [
        (first, [b.pk, c.pk]),
        (lonely, []),
        (late, [a.pk]),
    ]
    assert [ln.pk for ln in table.lines] == [b.pk, c.pk, a.pk]


# --- overdue lines --------------------------------------------------------------------------------------------------


def test_overdue_lines_and_is_overdue(world, cycle, plan, actor):
    earlier_cycle = cycle_open(actor=actor, school=world.school_a, school_year="2024-2025")
    earlier = s.plan_create(actor=actor, cycle=earlier_cycle)
    carried = add_line(earlier, actor, starts_on=date(2024, 9, 1), due_on=date(2025, 3, 1))
    lines = {
        "past_due": add_line(plan, actor, due_on=date(2025, 12, 1)),
        "done": add_line(plan, actor, due_on=date(2025, 12, 1)),
        "continues": add_line(plan, actor, due_on=date(2025, 11, 1), continues=True),
        "continues_late": add_line(plan, actor, due_on=date(2025, 11, 1), continues=True),
        "late_not_due": add_line(plan, actor, due_on=date(2026, 3, 1)),
        "not_due": add_line(plan, actor, due_on=date(2026, 3, 1)),
        "no_month": add_line(plan, actor, starts_on=None, due_on=None, time_text="Cả năm học"),
        "copy": s.line_create(
            actor=actor,
            plan=plan,
            criterion=crit(cycle, "1.1"),
            carried_from=carried,
            **values(due_on=date(2026, 5, 1)),
        ),
    }
    hold(
        plan,
        actor,
        date(2025, 12, 20),
        {
            lines["done"]: LineStatus.DONE,
            lines["continues"]: LineStatus.IN_PROGRESS,
            lines["continues_late"]: LineStatus.LATE,
            lines["late_not_due"]: LineStatus.LATE,
            lines["past_due"]: LineStatus.IN_PROGRESS,
        },
    )
    # The carry-over was made on 1 December 2025 (the line's `created_at`).
    PlanLine.objects.filter(pk=lines["copy"].pk).update(created_at=datetime(2025, 12, 1, 9, tzinfo=UTC))
    other_cycle = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2025-2026")
    other_plan = s.plan_create(actor=world.principal_b, cycle=other_cycle)
    other = add_line(other_plan, world.principal_b, due_on=date(2025, 10, 1))

    today = date(2026, 1, 10)
    found = q.overdue_lines([world.school_a.pk], today=today)
    assert list(found) == [world.school_a.pk]
    assert [line.pk for line in found[world.school_a.pk]] == [
        lines["continues_late"].pk,
        lines["past_due"].pk,
        lines["late_not_due"].pk,
    ]
    both = q.overdue_lines([world.school_a.pk, world.school_b.pk], today=today)
    assert [line.pk for line in both[world.school_b.pk]] == [other.pk]
    # Before the due months nothing is overdue but the lines marked late.
    early = q.overdue_lines([world.school_a.pk], today=date(2025, 11, 1))
    assert {line.pk for line in early[world.school_a.pk]} == {
        lines["continues_late"].pk,
        lines["late_not_due"].pk,
        carried.pk,  # not carried over yet on 1 November 2025
    }

    overdue = {name for name, line in lines.items() if q.is_overdue(PlanLine.objects.get(pk=line.pk), today=today)}
    assert overdue == {"past_due", "continues_late", "late_not_due"}
    # The earlier line is followed in the later plan: not overdue there, neither in the list nor on its own.
    carried.refresh_from_db()
    assert not q.is_overdue(carried, today=today)
    # Before it was carried over, it was late where it stood (a report dated then says so).
    assert q.is_overdue(carried, today=date(2025, 11, 20))
    assert carried.pk in {
        line.pk for line in q.overdue_lines([world.school_a.pk], date(2025, 11, 20))[world.school_a.pk]
    }
    assert carried.pk not in {line.pk for line in q.overdue_lines([world.school_a.pk], today)[world.school_a.pk]}
    assert carried.pk not in {line.pk for line in found[world.school_a.pk]}
    # Without the copy, the earlier line would be overdue.
    PlanLine.objects.filter(pk=lines["copy"].pk).update(carried_from=None)
    assert q.is_overdue(carried, today=today)
    assert carried.pk in {line.pk for line in q.overdue_lines([world.school_a.pk], today=today)[world.school_a.pk]}


# --- monitoring state -----------------------------------------------------------------------------------------------


def test_monitoring_state_tt57_requires_the_term_reviews(plan57, actor):
    today = date(2026, 10, 1)
    state = q.monitoring_state(fresh(plan57), today=today)
    assert state.warnings == [
        "Thông tư 57/2026 yêu cầu rà soát, đánh giá tối thiểu 02 lần trong năm học; "
        "chưa có đợt rà soát cuối học kỳ I và cuối năm học."
    ]
    s.review_schedule(actor=actor, plan=plan57, scheduled_on=date(2026, 10, 31), kind=ReviewKind.MONTHLY)
    s.review_schedule(actor=actor, plan=plan57, scheduled_on=date(2027, 1, 10), kind=ReviewKind.TERM_I)
    state = q.monitoring_state(fresh(plan57), today=today)
    assert state.warnings == [
        "Thông tư 57/2026 yêu cầu rà soát, đánh giá tối thiểu 02 lần trong năm học; chưa có đợt rà soát cuối năm học."
    ]
    s.review_schedule_preset(actor=actor, plan=plan57, preset="terms")  # adds the year end only
    state = q.monitoring_state(fresh(plan57), today=today)
    assert state.warnings == []
    assert [r.kind for r in state.reviews] == [ReviewKind.MONTHLY, ReviewKind.TERM_I, ReviewKind.YEAR_END]
    assert (state.held, state.planned, state.next_review) == (0, 3, state.reviews[0])


def test_monitoring_state_2018_without_reviews_and_with_a_missed_one(plan, actor):
    first, second = add_line(plan, actor, code="1.1"), add_line(plan, actor, code="1.2")
    add_m4(plan, actor)
    state = q.monitoring_state(fresh(plan), today=date(2025, 10, 1))
    assert state.warnings == ["Chưa có lịch rà soát: hãy đặt lịch sơ kết hằng tháng hoặc hằng học kỳ."]
    assert (state.held, state.planned, state.next_review) == (0, 0, None)

    s.review_schedule_preset(actor=actor, plan=plan, preset="terms")
    hold(plan, actor, date(2025, 11, 30), {first: LineStatus.DONE, second: LineStatus.LATE})
    plan = fresh(plan)
    assert q.monitoring_state(plan, today=date(2026, 1, 15)).warnings == []
    state = q.monitoring_state(plan, today=date(2026, 2, 1))
    assert state.warnings == ["Đợt “Sơ kết cuối học kỳ I” dự kiến ngày 15/01/2026 chưa ghi kết quả."]
    assert (state.held, state.planned) == (1, 2)
    assert state.next_review.kind == ReviewKind.TERM_I
    assert state.by_status == {
        LineStatus.NOT_STARTED: 1,
        LineStatus.IN_PROGRESS: 0,
        LineStatus.DONE: 1,
        LineStatus.LATE: 1,
        LineStatus.ADJUSTED: 0,
    }
    # Given the table, the state counts the same lines.
    assert q.monitoring_state(plan, q.plan_table(plan), today=date(2026, 2, 1)).by_status == state.by_status


# --- history and the next cycle -------------------------------------------------------------------------------------


@pytest.fixture
def earlier(world, actor):
    """School A's 2024-2025 plan: 1.1 done, 1.2 in progress, Mức 4 item 2 late (reviewed 25/05/2025)."""
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2024-2025")
    plan = s.plan_create(actor=actor, cycle=cycle)
    lines = {
        "1.1": add_line(plan, actor, code="1.1", starts_on=date(2024, 9, 1), due_on=date(2025, 3, 1)),
        "1.2": add_line(plan, actor, code="1.2", starts_on=date(2024, 9, 1), due_on=date(2025, 3, 1)),
        "M4": add_m4(plan, actor, code="2", starts_on=date(2024, 9, 1), due_on=date(2025, 3, 1)),
    }
    proof = evidence_record(actor=actor, school=world.school_a, name="Biên bản nghiệm thu")
    hold(
        plan,
        actor,
        date(2025, 5, 25),
        {lines["1.1"]: LineStatus.DONE, lines["1.2"]: LineStatus.IN_PROGRESS, lines["M4"]: LineStatus.LATE},
        evidence=[proof.pk],
    )
    for line in lines.values():
        line.refresh_from_db()
    return plan, lines


def test_next_cycle_offers_finished_and_unfinished_lines(world, earlier, cycle, actor):
    source, lines = earlier
    older = s.plan_create(actor=actor, cycle=cycle_open(actor=actor, school=world.school_a, school_year="2023-2024"))
    add_line(older, actor, starts_on=None, due_on=None, time_text="Năm 2024")
    assert q.previous_plan(cycle) == source

    offers = q.next_cycle_offers(cycle, None)
    assert offers.source == source
    assert offers.finished == [(lines["1.1"], crit(cycle, "1.1"))]
    assert offers.unfinished == [lines["1.2"], lines["M4"]]

    plan = s.plan_create(actor=actor, cycle=cycle)
    s.lines_carry_over(actor=actor, plan=plan, source=source)
    s.line_result_to_evidence(actor=actor, cycle=cycle, line=lines["1.1"], criterion=crit(cycle, "1.1"))
    offers = q.next_cycle_offers(cycle, plan)
    assert (offers.finished, offers.unfinished) == ([], [])

    first = cycle_open(actor=actor, school=world.school_b, school_year="2025-2026")
    assert q.next_cycle_offers(first, None) == q.NextCycleOffers(None)


def test_next_cycle_offers_into_another_circular_suggest_no_criterion(world, cycle, plan, actor, plan57):
    done_11 = add_line(plan, actor, code="1.1")
    done_110 = add_line(plan, actor, code="1.10")
    done_m4 = add_m4(plan, actor, code="2")
    hold(plan, actor, date(2025, 12, 20), {done_11: "done", done_110: "done", done_m4: "done"})
    offers = q.next_cycle_offers(plan57.cycle, plan57)
    # TT17's 1.1 is not TT57's 1.1: the user picks the criterion the result serves.
    assert offers.other_circular
    assert [(line.pk, c) for line, c in offers.finished] == [
        (done_11.pk, None),
        (done_110.pk, None),
        (done_m4.pk, None),
    ]


def test_line_history_follows_the_carried_line_back(earlier, cycle, actor):
    source, lines = earlier
    plan = s.plan_create(actor=actor, cycle=cycle)
    s.lines_carry_over(actor=actor, plan=plan, source=source)
    copy = plan.lines.get(carried_from=lines["1.2"])
    hold(plan, actor, date(2025, 11, 30), {copy: LineStatus.DONE})
    history = q.line_history(copy)
    assert history.chain == [lines["1.2"]]
    assert [(e.line_id, e.status) for e in history.entries] == [
        (lines["1.2"].pk, LineStatus.IN_PROGRESS),
        (copy.pk, LineStatus.DONE),
    ]
    assert history.versions[0].status == LineStatus.DONE
    assert history.versions[-1].history_change_reason == "Chuyển tiếp từ kế hoạch năm trước"


# --- query counts ---------------------------------------------------------------------------------------------------


def _plan_with_lines(world, actor, count: int) -> ImprovementPlan:
    """A 2018 plan with `count` lines (criteria, Mức 4 items, carried lines), forms, notes, a held review with
    evidence for every line."""
    earlier_cycle = cycle_open(actor=actor, school=world.school_a, school_year="2024-2025")
    earlier = s.plan_create(actor=actor, cycle=earlier_cycle)
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2025-2026")
    plan = s.plan_create(actor=actor, cycle=cycle)
    codes = list(Criterion.objects.filter(version=cycle.framework).order_by("position").values_list("code", flat=True))
    made = []
    for i in range(count):
        if i % 3 == 1:
            made.append(add_m4(plan, actor, code=str(i % 5 + 1), due_on=date(2025, 10, 1)))
        elif i % 3 == 0:
            origin = add_line(earlier, actor, code=codes[i], starts_on=None, due_on=date(2025, 3, 1))
            made.append(
                s.line_create(actor=actor, plan=plan, criterion=crit(cycle, codes[i]), carried_from=origin, **values())
            )
        else:
            made.append(add_line(plan, actor, code=codes[i], due_on=date(2025, 10, 1)))
        save_form(cycle, actor, code=codes[i], weaknesses=f"Điểm yếu {i}")
        save_form(cycle, actor, code=codes[i + count], weaknesses=f"Điểm yếu khác {i}")
        if i % 2:
            s.coverage_note_save(actor=actor, plan=plan, criterion=crit(cycle, codes[i + count]), reason="Lý do")
    proof = evidence_record(actor=actor, school=world.school_a, name="Biên bản")
    # Carried over when the new year's plan was made, in September 2025.
    PlanLine.objects.filter(plan=plan, carried_from__isnull=False).update(created_at=datetime(2025, 9, 15, tzinfo=UTC))
    hold(plan, actor, date(2025, 10, 31), dict.fromkeys(made, LineStatus.LATE), evidence=[proof.pk])
    s.review_schedule_preset(actor=actor, plan=plan, preset="terms")
    return fresh(plan)


@pytest.mark.parametrize("count", [2, 10])
def test_selector_query_counts_do_not_grow_with_the_lines(world, actor, count, django_assert_num_queries):
    plan = _plan_with_lines(world, actor, count)
    with django_assert_num_queries(2):  # the lines, and which of them were carried over (for is_overdue)
        table = q.plan_table(plan)
        cells = [  # what the table template reads
            (
                line.criterion and line.criterion.standard.code,
                line.level4_item and line.level4_item.code,
                line.issue,
                line.carried_from and line.carried_from.plan.cycle.school_year,
            )
            for line in table.lines
        ]
        [q.is_overdue(line, date(2026, 2, 1)) for line in table.lines]
    assert len(cells) == count
    assert {c[3] for c in cells} >= {"2024-2025"} and any(c[1] for c in cells)  # carried lines and Mức 4 lines
    with django_assert_num_queries(3):
        rows = q.coverage(plan)
        [(r.label, r.state, r.note and r.note.reason) for r in rows]
    assert len(rows) == 2 * count
    with django_assert_num_queries(1):
        found = q.overdue_lines([world.school_a.pk], today=date(2026, 1, 10))
        [(line.plan.cycle.school_year, line.criterion, line.level4_item) for line in found[world.school_a.pk]]
    assert len(found[world.school_a.pk]) == count
    with django_assert_num_queries(3):
        state = q.monitoring_state(plan, table, today=date(2026, 2, 1))
        [(e.status, list(e.evidence.all())) for r in state.reviews for e in r.entries.all()]
    assert state.by_status[LineStatus.LATE] == count and state.held == 1
    with django_assert_num_queries(5):
        q.monitoring_state(plan, today=date(2026, 2, 1))


@pytest.mark.parametrize("count", [2, 10])
def test_tt57_table_query_count_does_not_grow(world, actor, plan57, count, django_assert_num_queries):
    cycle = plan57.cycle
    codes = list(Criterion.objects.filter(version=cycle.framework).order_by("position").values_list("code", flat=True))
    for i in range(count):
        problem = s.issue_create(
            actor=actor, plan=plan57, criterion=crit(cycle, codes[i % 5]), limitation=f"Hạn chế {i}"
        )
        s.line_create(actor=actor, plan=plan57, issue=problem, **values())
    plan = fresh(plan57)
    with django_assert_num_queries(3):
        table = q.plan_table(plan)
        [(b.issue.criterion.standard.code, [line.criterion.code for line in b.lines]) for b in table.issues]
    assert len(table.lines) == count
