"""An authority's plan as plain data: the header, the body's lines, the list of schools, the targets and the tasks,
with what is still blank before it is signed."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kiemdinh.core.office.docx_kit import recipient_lines
from kiemdinh.core.text import fold
from kiemdinh.documents.common import place_date, short_place, vn_date
from kiemdinh.planning.models import AnnualPlan, GoalMeasure, GoalMetric, GoalScope, PlanKind, TaskStatus
from kiemdinh.planning.selectors import goals_progress, plan_targets_with_positions, signer_lines
from kiemdinh.units.selectors import name_on, school_units_on

BLANK = " " * 8  # where the number, the day and the month are written by hand once the plan is signed
SECTION_I = "MỤC ĐÍCH, YÊU CẦU"


# A numbered sub-heading of a body: "1. Mục đích", "2.4. Giải pháp, thời gian thực hiện:", "1. Phòng Giáo dục và Đào
# tạo" — a short numbered line that is not a sentence (a sentence ends with "." or ";"). A numbered line with a short
# label before a colon ("2.1. Lãnh đạo phụ trách: Đồng chí …") prints its label in bold.
NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.\s+\S")
HEADING_MAX = 120
LABEL = re.compile(r"^(\d+(?:\.\d+)*\.\s+[^:]{1,60}:)\s+(\S.*)$")


@dataclass(frozen=True)
class Line:
    """One paragraph of a body: `lead` is printed bold before `text`; a heading is bold as a whole."""

    text: str
    lead: str = ""
    heading: bool = False

    @property
    def full(self) -> str:
        return f"{self.lead} {self.text}" if self.lead else self.text


@dataclass(frozen=True)
class Section:
    heading: str  # "II. MỤC TIÊU, CHỈ TIÊU"
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Header:
    """The left column of the header table, line by line with whether it is bold, and the number and date."""

    issuer_lines: tuple[tuple[str, bool], ...]
    number: str  # "20/KH-UBND" or "        /KH-UBND"
    place_date: str


@dataclass(frozen=True)
class TargetRow:
    number: str  # "1."
    school: str
    school_type: str
    unit: str
    target: str  # "CĐ2-MĐ1"
    note: str  # "CN lần đầu", "CN lại" (and the officer's note)
    evaluation_period: str
    position: str  # "Đang tự đánh giá; CĐ2-MĐ1 còn hiệu lực đến 31/12/2025"


@dataclass(frozen=True)
class GoalRow:
    text: str
    measured_by: str
    target: str  # "100%", "02 trường"
    result: str  # goals_progress value_label
    met: str  # "Đạt" / "Chưa đạt"


@dataclass(frozen=True)
class TaskRow:
    number: str
    content: str
    agency: str
    lead_official: str
    cooperating: str
    deadline: str
    status: str


@dataclass(frozen=True)
class AnnualPlanContext:
    plan_id: int
    header: Header
    title: str  # the trích yếu
    preamble: tuple[Line, ...]
    sections: tuple[Section, ...]  # section I (when the plan has a purpose or requirements) and the officer's
    closing: tuple[Line, ...]
    recipients: tuple[str, ...]  # "- Sở GD&ĐT tỉnh TTH (báo cáo);" … "- Lưu: VT."
    signer_title: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer_name: str
    list_title: str  # "DANH SÁCH CƠ SỞ GIÁO DỤC … NĂM 2024"
    attached_to: str  # "(Kèm theo Kế hoạch số 20/KH-UBND ngày 04/01/2024 của UBND thị xã Hương Trà)"
    targets: tuple[TargetRow, ...]
    goals: tuple[GoalRow, ...]
    tasks: tuple[TaskRow, ...]
    issuer: str
    number: str  # as stored ("" before signing)
    period: str
    period_text: str  # "năm 2024", "năm học 2019-2020", "giai đoạn 2021-2025"
    unit_code: str
    missing: tuple[str, ...]

    @property
    def list_total(self) -> str:
        return f"Danh sách này gồm: {len(self.targets):02d} đơn vị./."

    def filename(self, fmt: str) -> str:
        """ASCII: "Ke-hoach-20-KH-UBND-2024.docx" (the unit's code stands in for a number not given yet)."""
        return f"Ke-hoach-{ascii_slug(self.number or self.unit_code)}-{ascii_slug(self.period)}.{fmt}"

    def display_name(self, fmt: str) -> str:
        """The same in Vietnamese, for the UTF-8 filename* of the download: "Kế hoạch 20-KH-UBND năm 2024.docx"."""
        number = f" {self.number.replace('/', '-')}" if self.number else ""
        return f"Kế hoạch{number} {self.period_text}.{fmt}"


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, numeral in numerals:
        while number >= value:
            text, number = text + numeral, number - value
    return text


def ascii_slug(text: str) -> str:
    """ "20/KH-UBND" → "20-KH-UBND"; diacritics dropped (đ → d), case kept."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


def issuer_lines(issuer: str, parent: str = "") -> tuple[tuple[str, bool], ...]:
    """The issuing body as Nghị định 30 prints it: the body above it (not bold) over its name (bold); a People's
    Committee in full on two bold lines ("ỦY BAN NHÂN DÂN" / "THỊ XÃ HƯƠNG TRÀ")."""
    issuer = (issuer or "").strip()
    if parent.strip():
        return ((parent.strip().upper(), False), (issuer.upper(), True))
    words = issuer.split()
    for size, name in ((1, "ubnd"), (4, "uy ban nhan dan")):
        if len(words) > size and fold(" ".join(words[:size])) == name:
            return (("ỦY BAN NHÂN DÂN", True), (" ".join(words[size:]).upper(), True))
    return ((issuer.upper(), True),)


def blank_number(issuer: str, code: str) -> str:
    """ "        /KH-UBND" for a People's Committee (as the Cao Lộc and Tân Thành seeds), else "        /KH"."""
    folded = fold(issuer)
    suffix = "-UBND" if folded.startswith(("ubnd ", "uy ban nhan dan ")) else ""
    return f"{BLANK}/{code}{suffix}"


def blank_date(place: str, year: str) -> str:
    return f"{place}, ngày{BLANK}tháng{BLANK}năm {year}"


def body_lines(text: str) -> tuple[Line, ...]:
    """A body as paragraphs (one a line, as written); numbered sub-headings bold, numbered labels bold."""
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if NUMBERED.match(line):
            if len(line) <= HEADING_MAX and not line.endswith((".", ";", ",")):
                lines.append(Line(line, heading=True))
                continue
            labelled = LABEL.match(line)
            if labelled:
                lines.append(Line(labelled[2], lead=labelled[1]))
                continue
        lines.append(Line(line))
    return tuple(lines)


def period_label(plan: AnnualPlan) -> str:
    word = {PlanKind.SCHOOL_YEAR: "NĂM HỌC", PlanKind.ROADMAP: "GIAI ĐOẠN"}.get(plan.kind, "NĂM")
    return f"{word} {plan.period}"


UNIT_WORD = re.compile(
    r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(Xã|Phường|Thị trấn|Thị xã|Thành phố|Huyện|Quận|Tỉnh)\s"
)


def in_sentence(issuer: str) -> str:
    """ "UBND Huyện Cao Lộc" (a unit's name after "UBND") → "UBND huyện Cao Lộc", as a sentence writes it."""
    return UNIT_WORD.sub(lambda m: f"{m[1]} {m[2].lower()} ", issuer.strip(), count=1)


def attached_to(plan: AnnualPlan, number: str) -> str:
    when = vn_date(plan.issued_on) if plan.issued_on else f"{BLANK}/{BLANK}/{plan.period[:4]}"
    return f"(Kèm theo Kế hoạch số {number} ngày {when} của {in_sentence(plan.issuer)})"


def _first_is(lines: tuple[Line, ...], words: str) -> bool:
    return bool(lines) and fold(lines[0].full).startswith(words)


def _section_one(plan: AnnualPlan) -> tuple[Line, ...]:
    purpose, requirements = body_lines(plan.purpose), body_lines(plan.requirements)
    if purpose and requirements:
        # "1. Mục đích" / "2. Yêu cầu" unless the officer already wrote them
        head_1 = () if _first_is(purpose, "1. muc dich") else (Line("1. Mục đích", heading=True),)
        head_2 = () if _first_is(requirements, "2. yeu cau") else (Line("2. Yêu cầu", heading=True),)
        return (*head_1, *purpose, *head_2, *requirements)
    return purpose or requirements  # one of them alone is the section itself (Hóc Môn: numbered aims)


def _value(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _goal_target(goal) -> str:
    if goal.measure == GoalMeasure.COUNT:
        return f"{int(goal.target_value):02d} trường"
    return f"{_value(goal.target_value)}%"


def _measured_by(goal) -> str:
    parts = [GoalMetric(goal.metric).label]
    if goal.level:
        parts.append(f"cấp độ/mức độ từ {goal.level}")
    if goal.school_year:
        parts.append(f"năm học {goal.school_year}")
    if goal.type_list:
        parts.append(", ".join(goal.type_list))
    if goal.scope == GoalScope.TARGETS:
        parts.append("tính trên các trường trong danh sách")
    return "; ".join(parts)


def _position_text(position) -> str:
    text = position.stage_label
    if position.recognition_label:
        expires = position.expires_on
        text += f"; {position.recognition_label}" + (f" còn hiệu lực đến {vn_date(expires)}" if expires else "")
    return text


def annual_plan_context(plan: AnnualPlan) -> AnnualPlanContext:
    """Plain data for the documents of a plan. Queries: the plan's unit (unless loaded), the sections, the targets
    with their schools' cycles and decisions (3), the schools' managing units on the plan's date (1, 2 when a school moved since), the goals with their progress (goals_progress: 2 plus the unit's
    schools and one a goal), the tasks and the unit's name on the plan's date (1) — whatever the number of sections,
    schools or tasks."""
    log: list[str] = []
    unit = plan.unit
    place = plan.place or short_place(name_on(unit, plan.issued_on or timezone.localdate()))
    number = plan.number or blank_number(plan.issuer, "KH")
    if not plan.number:
        log.append("số kế hoạch")
    if plan.issued_on:
        when = place_date(place, plan.issued_on)
    else:
        when = blank_date(place, plan.period[:4])
        log.append("ngày ban hành")
    if not plan.signer_title.strip():
        log.append("chức vụ người ký")
    if not plan.signer_name.strip():
        log.append("người ký")

    sections = []
    first = _section_one(plan)
    if first:
        sections.append(Section(f"I. {SECTION_I}", first))
    for section in plan.sections.all():
        heading = re.sub(r"^[IVXLC]+\.\s*", "", section.heading.strip())  # the numeral is ours
        sections.append(Section(f"{roman(len(sections) + 1)}. {heading.upper()}", body_lines(section.body)))

    rows = plan_targets_with_positions(plan, timezone.localdate())
    # The managing unit beside each school as it was on the plan's date (a school moved or a unit renamed later).
    units_then = school_units_on([target.school for target, _ in rows], plan.issued_on or plan.created_at.date())
    targets = tuple(
        TargetRow(
            number=f"{index}.",
            school=target.school.name,
            school_type=target.school.get_school_type_display(),
            unit=units_then[target.school_id],
            target=target.target_label,
            note="; ".join(part for part in (target.round_label, target.note) if part),
            evaluation_period=target.evaluation_period,
            position=_position_text(position),
        )
        for index, (target, position) in enumerate(rows, start=1)
    )
    goals = tuple(
        GoalRow(
            text=progress.goal.text,
            measured_by=_measured_by(progress.goal),
            target=_goal_target(progress.goal),
            result=progress.value_label,
            met="Đạt" if progress.met else "Chưa đạt",
        )
        for progress in goals_progress(plan)
    )
    tasks = tuple(
        TaskRow(
            number=str(index),
            content=task.content,
            agency=task.agency,
            lead_official=task.lead_official,
            cooperating=task.cooperating,
            deadline=task.deadline_label,
            status=TaskStatus(task.status).label,
        )
        for index, task in enumerate(plan.tasks.all(), start=1)
    )
    return AnnualPlanContext(
        plan_id=plan.pk,
        header=Header(issuer_lines(plan.issuer, plan.issuer_parent), number, when),
        title=plan.title,
        preamble=body_lines(plan.preamble),
        sections=tuple(sections),
        closing=body_lines(plan.closing),
        recipients=recipient_lines(plan.recipients),
        signer_title=tuple(signer_lines(plan)),
        signer_name=plan.signer_name.strip(),
        list_title=(
            "DANH SÁCH CƠ SỞ GIÁO DỤC CÔNG NHẬN TRƯỜNG ĐẠT KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC VÀ TRƯỜNG ĐẠT CHUẨN QUỐC GIA, "
            + period_label(plan)
        ),
        attached_to=attached_to(plan, number),
        targets=targets,
        goals=goals,
        tasks=tasks,
        issuer=plan.issuer,
        number=plan.number,
        period=plan.period,
        period_text=period_label(plan).lower(),
        unit_code=unit.code,
        missing=tuple(log),
    )
