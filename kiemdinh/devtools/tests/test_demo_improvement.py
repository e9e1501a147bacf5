"""seed_demo: Thanh Chấn's improvement plan 17/KH-TrTH reproduces the seed document, is issued and is monitored."""

from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kiemdinh.accounts.models import User
from kiemdinh.improvement.access import plan_permissions
from kiemdinh.improvement.models import ImprovementPlan, LineStatus, MonitorRole, ReviewKind
from kiemdinh.improvement.selectors import coverage, monitoring_state, plan_table
from kiemdinh.improvement.services import cost_label, time_label
from kiemdinh.selfassessment.selectors import cycle_evaluation

SEED = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "reference"
    / "seed-documents"
    / "2021-thanh-chan-primary-school-quality-improvement-plan.txt"
)
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="../shared/reference is not beside this checkout")

TABLE_START = "III. NỘI DUNG KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC"
TABLE_END = "VI. TỔ CHỨC THỰC HIỆN"
CELLS = ("tt", "subject", "target", "tasks", "owners", "time", "cost", "support", "notes")


@dataclass
class SeedLine:
    subject: str  # "1.6" or "Mức 4 — 2"
    cells: dict[str, str]


def seed_lines(text: str) -> list[SeedLine]:
    """The rows of the seed's table (section III), one per plan line, in order.

    The text keeps the table as tab-separated rows. A blank line is a page break; a row right after one whose TT and
    criterion cells are empty is the rest of the row above, cut by the page ("…thời" + "gian, sức khỏe…"), and is
    joined to it. A row with empty TT and criterion cells that does not follow a break is another line of the same
    criterion (1.6 has two).
    """
    table = text[text.index(TABLE_START) : text.index(TABLE_END)].splitlines()[1:]
    lines: list[SeedLine] = []
    level4, subject, after_break = False, None, False
    for raw in table:
        if not raw.strip():
            after_break = True
            continue
        cells = dict(zip(CELLS, (cell.strip() for cell in raw.split("\t")), strict=True))
        was_break, after_break = after_break, False
        if cells["tt"] == "TT":  # the header row
            continue
        if cells["tt"].startswith("MỨC"):
            level4 = cells["tt"] == "MỨC 4"
            continue
        if cells["subject"].startswith("Tiêu chuẩn"):
            continue
        if cells["subject"].startswith("Tiêu chí"):
            code = cells["subject"].removeprefix("Tiêu chí").strip()
            subject = f"Mức 4 — {code}" if level4 else code
        elif not cells["tt"] and was_break:
            for name, value in cells.items():
                if value:
                    above = lines[-1].cells
                    above[name] = f"{above[name]} {value}".strip()
            continue
        lines.append(SeedLine(subject, {k: v for k, v in cells.items() if k not in ("tt", "subject")}))
    return lines


def seed_section(text: str, start: str, end: str) -> str:
    """A section's body as the plan stores it: one paragraph a line."""
    body = text[text.index(start) + len(start) : text.index(end)]
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


def spaces(text: str) -> str:
    return " ".join(text.split())


def owners_cell(text: str) -> str:
    # The seed types the separator of "Chủ trì và phối hợp thực hiện" both as "-" and as "–" ("Hiệu trưởng - Kế toán",
    # "Hiệu trưởng – CB, GV, NV toàn trường"). The plan keeps the lead and the collaborators apart and `owners` joins
    # them with " - ", so which dash the seed used cannot survive the split: only this cell is compared dash-blind.
    return spaces(text.replace("–", "-"))


def tasks_cell(text: str) -> str:
    # The seed writes several tasks as "- a - b" (or "a. - b" where the first bullet was dropped); the plan keeps them
    # as a list, which reads back the same joined with " - ".
    return spaces(text).removeprefix("- ")


def subject_of(line) -> str:
    return line.criterion.code if line.criterion_id else f"Mức 4 — {line.level4_item.code}"


def demo_plan() -> ImprovementPlan:
    return ImprovementPlan.objects.select_related("cycle__framework").get(
        cycle__school__code="DEMO-TC-TH", cycle__school_year="2021-2022"
    )


@needs_seed
def test_seed_table_parses_into_its_twelve_lines():
    lines = seed_lines(SEED.read_text(encoding="utf-8"))
    assert [line.subject for line in lines] == [
        "1.6",
        "1.6",
        "1.10",
        "2.2",
        "2.3",
        "2.4",
        "3.2",
        "3.5",
        "4.2",
        "5.5",
        "Mức 4 — 2",
        "Mức 4 — 4",
    ]
    cells = {line.subject: line.cells for line in lines}
    assert cells["2.3"]["tasks"].endswith("thời gian, sức khỏe,... để đảm bảo thời gian làm việc")
    assert cells["2.3"]["support"].endswith("phối hợp để lựa chọn con người")
    assert cells["3.5"]["target"].endswith("và nâng cao chất lượng giáo dục của nhà trường.")
    assert cells["Mức 4 — 2"]["target"].endswith("dành cho từng cá nhân")


@needs_seed
def test_demo_plan_reproduces_the_seed(demo):
    text = SEED.read_text(encoding="utf-8")
    plan = demo_plan()
    assert (plan.number, plan.place, plan.issued_on) == ("17/KH-TrTH", "Thanh Chấn", date(2021, 9, 24))
    assert f"Số: {plan.number}" in text and f"{plan.place}, ngày 24 tháng 9 năm 2021" in text
    assert (plan.signer_title, plan.signer_name) == ("HIỆU TRƯỞNG", "Vũ Thị Trung Thu")
    assert text.rstrip().endswith(f"{plan.signer_title}\n\n{plan.signer_name}")
    assert plan.purpose == seed_section(text, "I. MỤC ĐÍCH, YÊU CẦU", "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH")
    assert plan.bases == seed_section(text, "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH", TABLE_START)
    assert plan.organisation == seed_section(text, TABLE_END, "Nơi nhận:")
    assert plan.recipients == seed_section(text, "Nơi nhận:", "HIỆU TRƯỞNG\n") == "- Sở/Phòng GDĐT (để b/c);\n- Lưu VT."
    # section II item 3 (kept as written) agrees with the results the demo's forms give
    result = cycle_evaluation(plan.cycle)
    for level, counts in result.levels.items():
        assert f"Mức {level}: Tổng số {counts.total:02d} tiêu chí, trong đó số tiêu chí đạt {counts.achieved}/" in (
            plan.bases
        )
    assert f"Tự đánh giá đạt mức {result.school_level}" in plan.bases

    seed = seed_lines(text)
    lines = plan_table(plan).lines
    assert [subject_of(line) for line in lines] == [row.subject for row in seed]
    assert [line.position for line in lines] == sorted(line.position for line in lines)
    for line, row in zip(lines, seed, strict=True):
        cells = row.cells
        got = {
            "target": spaces(line.target),
            "tasks": spaces(" - ".join(line.tasks)),
            "owners": owners_cell(line.owners),
            "time": spaces(time_label(line)),
            "cost": spaces(cost_label(line)),
            "support": spaces(line.support),
            "notes": spaces(line.notes),
        }
        want = {
            "target": spaces(cells["target"]),
            "tasks": tasks_cell(cells["tasks"]),
            "owners": owners_cell(cells["owners"]),
            "time": spaces(cells["time"]),
            "cost": spaces(cells["cost"]),
            "support": spaces(cells["support"]),
            "notes": spaces(cells["notes"]),
        }
        assert got == want, row.subject
        assert line.time_text == cells["time"] and line.funding == cells["cost"] and line.cost_million is None
    by_subject = {subject_of(line): line for line in lines}
    assert (by_subject["2.2"].lead, by_subject["2.2"].collaborators) == ("05 Giáo viên", "")
    assert (by_subject["4.2"].lead, by_subject["4.2"].collaborators) == ("Hiệu trưởng", "CB, GV, NV toàn trường")
    assert lines[1].tasks == [
        "Chỉ đạo kế toán dự toán đầu năm.",
        "Xây dựng kế hoạch ngắn hạn, trung hạn, dài hạn để tạo ra các nguồn tài chính hợp pháp phù hợp với điều kiện "
        "nhà trường, thực tế địa phương",
    ]
    assert by_subject["1.10"].support == "- Phụ huynh hỗ trợ ngày công cắt tỉa cây\n- Ngân sách nhà nước"


def test_demo_plan_is_issued_covered_and_monitored(demo):
    plan = demo_plan()
    assert (plan.number, plan.issued_on, plan.signer_name) == ("17/KH-TrTH", date(2021, 9, 24), "Vũ Thị Trung Thu")
    assert plan.is_issued and plan.issued_by.username == "hieutruong.thanhchan"
    lines = plan_table(plan).lines
    assert len(lines) == 12

    # every weakness has a line or a recorded reason
    rows = coverage(plan)
    assert [r.label for r in rows if r.state == "uncovered"] == []
    assert {r.label: r.state for r in rows if r.state == "excused"} == {
        "3.1": "excused",
        "Mức 4 — tiêu chí 5": "excused",
    }
    assert "1.10" in next(r.note.reason for r in rows if r.label == "3.1")

    # the monitoring team: a leader, members, accounts that may record reviews (and only that)
    team = list(plan.monitors.select_related("user"))
    assert 3 <= len(team) <= 4
    assert [m.full_name for m in team if m.role == MonitorRole.LEADER] == ["Nguyễn Văn Thắng"]
    teacher = User.objects.get(username="giaovien.thanhchan")
    assert teacher in [m.user for m in team]
    perms = plan_permissions(teacher, plan.cycle, plan)
    assert perms.can_monitor and not perms.can_manage

    # two reviews (end of term I, end of year), both held, each with an entry for every line
    state = monitoring_state(plan)
    reviews = state.reviews
    assert [(r.kind, r.scheduled_on) for r in reviews] == [
        (ReviewKind.TERM_I, date(2022, 1, 15)),
        (ReviewKind.YEAR_END, date(2022, 5, 25)),
    ]
    assert all(r.is_held and r.summary for r in reviews) and state.warnings == []
    assert reviews[0].recorded_by == teacher
    line_ids = sorted(line.pk for line in lines)
    for review in reviews:
        entries = list(review.entries.all())
        assert sorted(e.line_id for e in entries) == line_ids
        assert all(e.progress for e in entries)
    term_i = [(subject_of(e.line), e.status) for e in reviews[0].entries.select_related("line__level4_item")]
    assert [subject for subject, status in term_i if status != LineStatus.IN_PROGRESS] == ["4.2", "Mức 4 — 4"]
    assert {status for _, status in term_i} == {LineStatus.IN_PROGRESS, LineStatus.NOT_STARTED}

    # each line's status is its year-end result
    assert {subject_of(line): line.status for line in lines if line.status != LineStatus.DONE} == {
        "2.2": LineStatus.IN_PROGRESS,
        "3.2": LineStatus.ADJUSTED,
        "3.5": LineStatus.IN_PROGRESS,
        "4.2": LineStatus.LATE,
        "Mức 4 — 4": LineStatus.NOT_STARTED,
    }
    assert [line.status for line in lines].count(LineStatus.DONE) == 7
    adjusted = reviews[1].entries.get(line__criterion__code="3.2")
    assert adjusted.adjustment.startswith("Điều chỉnh giải pháp")


def test_a_demo_seeded_before_the_plan_existed_gets_it_on_the_next_run(demo):
    plan = demo_plan()
    cycle = plan.cycle
    plan.delete()  # as in a database seeded before step 7 was built
    call_command("seed_demo", stdout=StringIO())
    again = ImprovementPlan.objects.get(cycle=cycle)
    assert (
        again.number == "17/KH-TrTH"
        and again.lines.count() == 12
        and again.reviews.filter(held_on__isnull=False).count() == 2
    )
