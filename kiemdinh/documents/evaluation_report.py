"""The external evaluation report (báo cáo đánh giá ngoài) of a team: context builder + DOCX renderer (PDF through
LibreOffice).

Layout: the header table (the team's issuer above "ĐOÀN ĐÁNH GIÁ NGOÀI", the national motto, place and date), the
title with the school's name; Phần I — Giới thiệu (the decision, the members table, the stages, the team's
introduction); Phần II — Kết quả đánh giá (per standard and criterion: the agreed level against the school's, the
strengths and weaknesses from the members' reviews, the team's note; the Mức 4 items; the summary table of levels;
the computed school level and the proposal for recognition); Phần III — Kết luận và kiến nghị; the school's answers
and the team's replies as an appendix when there are any; the team leader's signature.

The builder reads the work selectors only: a fixed number of queries whatever the number of criteria, members,
reviews or answers. Nothing is invented: what the data lacks is a red marker, listed in `missing`.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from docx.shared import Pt

from kiemdinh.core.office.docx_kit import (
    RED,
    Text,
    body,
    heading,
    national_header,
    new_document,
    para,
    signature_block,
    table,
    to_bytes,
)
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.documents.common import place_date, short_place, vn_date
from kiemdinh.evaluation.models import MemberRole, RegistrationStatus, ReportStatus, Team
from kiemdinh.evaluation.selectors import work as sel
from kiemdinh.units.selectors import TreeOn

TEAM_ISSUER = "ĐOÀN ĐÁNH GIÁ NGOÀI"
MEMBER_COLUMNS = ("TT", "Họ và tên", "Đơn vị công tác", "Nhiệm vụ")
MEMBER_WIDTHS = (1.2, 5.0, 6.8, 3.5)
SUMMARY_COLUMNS = ("TT", "Tiêu chí", "Nhà trường tự đánh giá", "Đoàn đánh giá")
SUMMARY_WIDTHS = (1.2, 8.3, 3.5, 3.5)
FEEDBACK_COLUMNS = ("TT", "Nội dung", "Ý kiến của nhà trường", "Ý kiến của đoàn")
FEEDBACK_WIDTHS = (1.0, 2.8, 6.4, 6.3)


def level_text(level: int | None) -> str:
    if level is None:
        return "chưa thống nhất"
    return f"Mức {level}" if level else "Chưa đạt Mức 1"


def achieved_text(value: bool | None) -> str:
    return "chưa thống nhất" if value is None else ("Đạt" if value else "Không đạt")


@dataclass(frozen=True)
class MemberLine:
    number: str
    name: str
    unit: str
    role: str


@dataclass(frozen=True)
class CriterionResult:
    code: str
    name: str
    school_level: int
    agreed: int | None
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    recommendations: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class StandardResult:
    code: str
    name: str
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class Level4Result:
    code: str
    text: str
    school: bool | None
    agreed: bool | None
    note: str


@dataclass(frozen=True)
class FeedbackLine:
    number: str
    subject: str
    text: str
    reply: str | Missing


@dataclass(frozen=True)
class EvaluationReportContext:
    authority: str
    issuer: str
    place_date: Text
    draft: bool  # not final yet: the title says "DỰ THẢO"
    school_name: str
    school_code: str
    school_year: str
    circular: str
    decision: str
    members: tuple[MemberLine, ...]
    stages: tuple[tuple[str, str], ...]
    introduction: Text
    overview: Text
    standards: tuple[StandardResult, ...]
    level4: tuple[Level4Result, ...]
    level_counts: tuple[tuple[str, int, int], ...]  # ("Mức 1", achieved, total)
    school_level: int
    accreditation_grade: int | None
    national_standard_level: int | None
    self_level: int
    result_text: str
    proposal: str
    conclusions: Text
    recommendations: Text
    feedback: tuple[FeedbackLine, ...]
    leader_name: Text
    missing: tuple[str, ...]

    def filename(self, fmt: str) -> str:
        return f"bao-cao-danh-gia-ngoai-{self.school_code}-{self.school_year}.{fmt}"


def _province_name(school, on: date | None) -> str:
    """The name of the school's province on the report's date (today's for a report not dated yet)."""
    tree = TreeOn(on or timezone.localdate())
    tree.preload([school.unit.path])
    return tree.school_chains([school])[school.pk][0].name


def _report_date(team: Team, report) -> date | None:
    if report is not None and report.finalised_at:
        return timezone.localtime(report.finalised_at).date()
    if report is not None and report.sent_at:
        return timezone.localtime(report.sent_at).date()
    return team.final_report_on or team.draft_report_on


def _decision(team: Team) -> str:
    text = "Quyết định"
    if team.decision_number:
        text += f" số {team.decision_number}"
    if team.decision_on:
        text += f" ngày {vn_date(team.decision_on)}"
    return f"{text} của {team.issuer} về việc thành lập Đoàn đánh giá ngoài {team.registration.school.name}"


def _stages(team: Team) -> tuple[tuple[str, str], ...]:
    rows = []
    for stage in sel.team_stages(team, date.min):
        if stage.starts_on and stage.ends_on and stage.starts_on != stage.ends_on:
            when = f"từ ngày {vn_date(stage.starts_on)} đến ngày {vn_date(stage.ends_on)}"
        else:
            when = f"ngày {vn_date(stage.starts_on or stage.ends_on)}"
        rows.append((stage.label, when))
    return tuple(rows)


def _texts(row: sel.RatingRow, name: str) -> tuple[str, ...]:
    return tuple(getattr(p.review, name) for p in row.proposals if getattr(p.review, name))


def build_evaluation_report(team: Team) -> EvaluationReportContext:
    """The report's data (about 13 queries, whatever the size of the team and the framework)."""
    log = MissingLog()
    team = Team.objects.select_related("registration__school__unit", "registration__cycle__framework").get(pk=team.pk)
    registration = team.registration
    school = registration.school
    cycle = registration.cycle
    report = sel.team_report(team)
    table = sel.ratings_table(team)
    members = sel.members_progress(team)
    feedback = sel.report_feedback(report)
    result = table.result

    leader = next((p.member for p in members if p.member.role == MemberRole.LEADER), None)
    standards = tuple(
        StandardResult(
            code=block.standard.code,
            name=block.standard.name,
            criteria=tuple(
                CriterionResult(
                    code=row.code,
                    name=row.criterion.name,
                    school_level=int(row.school_value or 0),
                    agreed=row.agreed,
                    strengths=_texts(row, "strengths"),
                    weaknesses=_texts(row, "weaknesses"),
                    recommendations=_texts(row, "recommendations"),
                    note=row.rating.note if row.rating else "",
                )
                for row in block.rows
            ),
        )
        for block in table.standards
    )
    unrated = [row.code for row in table.rows if row.agreed is None]
    if unrated:
        log.missing(f"mức đoàn thống nhất của {len(unrated)} tiêu chí ({', '.join(unrated)})")
    level4 = tuple(
        Level4Result(
            row.code,
            row.item.text + (" (bản dịch, chưa đối chiếu văn bản tiếng Việt)" if row.item.lang == "en" else ""),
            bool(row.school_value),  # an item the school did not rate counts as not achieved
            row.agreed,
            row.rating.note if row.rating else "",
        )
        for row in table.level4
    )
    counts = tuple((f"Mức {k}", v.achieved, v.total) for k, v in sorted(result.levels.items()) if v.total)
    if result.school_level:
        result_text = f"Căn cứ kết quả đánh giá các tiêu chí, {school.name} đạt Mức {result.school_level}"
        extras = []
        if result.accreditation_grade:
            extras.append(f"tương ứng cấp độ {result.accreditation_grade} kiểm định chất lượng giáo dục")
        if result.national_standard_level:
            extras.append(f"chuẩn quốc gia mức độ {result.national_standard_level}")
        result_text += (" (" + ", ".join(extras) + ")" if extras else "") + "."
    else:
        result_text = f"Căn cứ kết quả đánh giá các tiêu chí, {school.name} chưa đạt Mức 1."
    when = _report_date(team, report)
    place = short_place(_province_name(school, when))
    return EvaluationReportContext(
        authority=team.issuer,
        issuer=TEAM_ISSUER,
        place_date=place_date(place, when) if when else log.missing("ngày báo cáo"),
        draft=report is None or report.status != ReportStatus.FINAL,
        school_name=school.name,
        school_code=school.code,
        school_year=cycle.school_year,
        circular=cycle.framework.circular,
        decision=_decision(team),
        members=tuple(
            MemberLine(str(n), p.member.evaluator.full_name, p.member.unit_label, p.member.get_role_display())
            for n, p in enumerate(members, start=1)
        ),
        stages=_stages(team),
        introduction=log.value(report.introduction if report else "", "phần giới thiệu của báo cáo"),
        overview=report.overview if report else "",
        standards=standards,
        level4=level4,
        level_counts=counts,
        school_level=result.school_level,
        accreditation_grade=result.accreditation_grade,
        national_standard_level=result.national_standard_level,
        self_level=table.school.school_level,
        result_text=result_text,
        proposal=sel.recognition_proposal(team, result),
        conclusions=log.value(report.conclusions if report else "", "kết luận của báo cáo"),
        recommendations=log.value(report.recommendations if report else "", "kiến nghị của báo cáo"),
        feedback=tuple(
            FeedbackLine(
                str(n),
                f"Tiêu chí {f.criterion.code}" if f.criterion_id else "Ý kiến chung",
                f.text,
                f.reply or log.missing("ý kiến trả lời của đoàn"),
            )
            for n, f in enumerate(feedback, start=1)
        ),
        leader_name=log.value(leader.evaluator.full_name if leader else "", "trưởng đoàn"),
        missing=log.labels,
    )


# --- DOCX ------------------------------------------------------------------------------------------------------------


def _bullets(doc, label: str, lines: tuple[str, ...]) -> None:
    p = para(doc, f"{label}: ", bold=True, first_line_indent=True)
    if not lines:
        p.add_run("không có ghi nhận.").italic = True
        return
    if len(lines) == 1 and "\n" not in lines[0]:
        p.add_run(lines[0])
        return
    for line in lines:
        for part in line.split("\n"):
            if part.strip():
                para(doc, f"- {part.strip().lstrip('-').strip()}", align="justify", first_line_indent=True)


def evaluation_report_docx(ctx: EvaluationReportContext) -> bytes:
    doc = new_document()
    national_header(doc, authority=ctx.authority, issuer=ctx.issuer, place_date=ctx.place_date)
    if ctx.draft:
        para(doc, "DỰ THẢO", bold=True, align="center", italic=True, space_after=Pt(0))
    para(doc, "BÁO CÁO ĐÁNH GIÁ NGOÀI", bold=True, align="center", size=Pt(15), space_after=Pt(0))
    para(doc, ctx.school_name.upper(), bold=True, align="center", space_after=Pt(0))
    para(doc, f"(Kết quả tự đánh giá năm học {ctx.school_year}, theo {ctx.circular})", italic=True, align="center")

    heading(doc, "Phần I. GIỚI THIỆU", 1)
    heading(doc, "1. Quyết định thành lập đoàn", 2)
    para(doc, ctx.decision + ".", align="justify", first_line_indent=True)
    heading(doc, "2. Thành viên đoàn đánh giá ngoài", 2)
    if ctx.members:
        table(doc, MEMBER_COLUMNS, [(m.number, m.name, m.unit, m.role) for m in ctx.members], widths_cm=MEMBER_WIDTHS)
    else:
        para(doc, Missing("thành viên đoàn"))
    heading(doc, "3. Thời gian và các bước làm việc", 2)
    for label, when in ctx.stages:
        para(doc, f"- {label}: {when}.", first_line_indent=True)
    heading(doc, "4. Tóm tắt quá trình đánh giá", 2)
    body(doc, ctx.introduction)

    heading(doc, "Phần II. KẾT QUẢ ĐÁNH GIÁ", 1)
    if ctx.overview:
        body(doc, ctx.overview)
    heading(doc, "A. Đánh giá tiêu chí Mức 1, 2 và 3", 2)
    for standard in ctx.standards:
        heading(doc, f"Tiêu chuẩn {standard.code}: {standard.name}", 3)
        for c in standard.criteria:
            heading(doc, f"Tiêu chí {c.code}: {c.name}", 4)
            p = para(doc, "Nhà trường tự đánh giá: ", first_line_indent=True)
            p.add_run(level_text(c.school_level))
            p.add_run("; Đoàn đánh giá: ")
            run = p.add_run(level_text(c.agreed))
            run.bold = True
            if c.agreed is None:
                run.font.color.rgb = RED
            _bullets(doc, "Điểm mạnh", c.strengths)
            _bullets(doc, "Điểm yếu", c.weaknesses)
            if c.recommendations:
                _bullets(doc, "Khuyến nghị", c.recommendations)
            if c.note:
                _bullets(doc, "Ghi chú của đoàn", (c.note,))
    if ctx.level4:
        heading(doc, "B. Đánh giá tiêu chí Mức 4", 2)
        for item in ctx.level4:
            p = para(doc, f"Tiêu chí {item.code}: ", bold=True, align="justify", first_line_indent=True)
            p.add_run(item.text or "").bold = False
            p = para(
                doc, f"Nhà trường tự đánh giá: {achieved_text(item.school)}; Đoàn đánh giá: ", first_line_indent=True
            )
            p.add_run(achieved_text(item.agreed)).bold = True
            if item.note:
                _bullets(doc, "Ghi chú của đoàn", (item.note,))

    heading(doc, "C. Tổng hợp kết quả", 2)
    rows, groups = [], set()
    number = 0
    for standard in ctx.standards:
        groups.add(len(rows))
        rows.append((f"Tiêu chuẩn {standard.code}: {standard.name}", "", "", ""))
        for c in standard.criteria:
            number += 1
            rows.append((str(number), f"Tiêu chí {c.code}", level_text(c.school_level), level_text(c.agreed)))
    if ctx.level4:
        groups.add(len(rows))
        rows.append(("Tiêu chí Mức 4", "", "", ""))
        for item in ctx.level4:
            rows.append(("", f"Tiêu chí {item.code}", achieved_text(item.school), achieved_text(item.agreed)))
    table(doc, SUMMARY_COLUMNS, rows, widths_cm=SUMMARY_WIDTHS, group_rows=groups)
    para(doc, "")
    for label, achieved, total in ctx.level_counts:
        para(doc, f"- Số tiêu chí đạt {label}: {achieved}/{total}.", first_line_indent=True)
    para(doc, ctx.result_text, bold=True, align="justify", first_line_indent=True)
    para(doc, ctx.proposal, bold=True, align="justify", first_line_indent=True)

    heading(doc, "Phần III. KẾT LUẬN VÀ KIẾN NGHỊ", 1)
    heading(doc, "1. Kết luận", 2)
    body(doc, ctx.conclusions)
    heading(doc, "2. Kiến nghị", 2)
    body(doc, ctx.recommendations)

    if ctx.feedback:
        heading(doc, "PHỤ LỤC. Ý KIẾN CỦA NHÀ TRƯỜNG VỀ DỰ THẢO BÁO CÁO VÀ TRẢ LỜI CỦA ĐOÀN", 1)
        table(
            doc,
            FEEDBACK_COLUMNS,
            [(f.number, f.subject, f.text, f.reply) for f in ctx.feedback],
            widths_cm=FEEDBACK_WIDTHS,
        )
    para(doc, "")
    signature_block(
        doc,
        recipients=(f"{ctx.authority} (báo cáo)", ctx.school_name, "Thành viên đoàn", "Lưu: hồ sơ đoàn"),
        title="TRƯỞNG ĐOÀN",
        name=ctx.leader_name,
    )
    return to_bytes(doc)


# --- lookup ----------------------------------------------------------------------------------------------------------


class TeamLookupError(LookupError):
    pass


def team_of_cycle(cycle) -> Team:
    """The team of the cycle's latest accepted registration; TeamLookupError (one Vietnamese line) when none."""
    registration = (
        cycle.registrations.filter(status=RegistrationStatus.ACCEPTED).order_by("-submitted_at", "-id").first()
    )
    if registration is None:
        raise TeamLookupError(
            f"{cycle.school.name} chưa có đăng ký đánh giá ngoài được chấp nhận cho năm học {cycle.school_year}."
        )
    team = Team.objects.filter(registration=registration).first()
    if team is None:
        raise TeamLookupError(
            f"Đăng ký đánh giá ngoài năm học {cycle.school_year} của {cycle.school.name} chưa có đoàn đánh giá ngoài."
        )
    return team
