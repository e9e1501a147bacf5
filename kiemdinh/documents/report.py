"""Báo cáo tự đánh giá: the context (plain data from the cycle) and its DOCX renderer.

Outline (regulations.md §4.1, Laravel app's outline; TT57 follows the same shape with Mức 1–2 and no Mức 4 part):
cover, MỤC LỤC, DANH MỤC CÁC CHỮ VIẾT TẮT, TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ (tables, conclusion), Phần I CƠ SỞ DỮ LIỆU,
Phần II TỰ ĐÁNH GIÁ (A. Đặt vấn đề; B. per standard: Mở đầu, per criterion 1–5, Kết luận; Mức 4), Phần III KẾT LUẬN
CHUNG, Phần IV PHỤ LỤC (danh mục mã minh chứng).
"""

import itertools
from dataclasses import dataclass

from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.documents.common import CycleHeader, cycle_header
from kiemdinh.documents.missing import Missing, MissingLog
from kiemdinh.documents.registry import DocumentKind, register
from kiemdinh.evidence.codes import find_codes
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.evidence.selectors import citations_by_link, files_by_version
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionAssignment,
    CriterionForm,
    Cycle,
    IndicatorRating,
    Level4Rating,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import StatTable, cycle_evaluation, report_texts, school_statistics
from kiemdinh.selfassessment.snapshots import school_profile

ABBREVIATIONS = (
    ("BGH", "Ban giám hiệu"),
    ("CBQL", "Cán bộ quản lý"),
    ("CMHS", "Cha mẹ học sinh"),
    ("CSVC", "Cơ sở vật chất"),
    ("GD&ĐT", "Giáo dục và Đào tạo"),
    ("GV", "Giáo viên"),
    ("HĐTĐG", "Hội đồng tự đánh giá"),
    ("HS", "Học sinh"),
    ("KĐCLGD", "Kiểm định chất lượng giáo dục"),
    ("NV", "Nhân viên"),
    ("TĐG", "Tự đánh giá"),
    ("UBND", "Ủy ban nhân dân"),
)


@dataclass(frozen=True)
class IndicatorPart:
    key: str  # "1.a", "2"
    letter: str
    text: str  # the indicator's wording (from the framework)
    description: str | Missing  # the school's description of the current state
    achieved: bool


@dataclass(frozen=True)
class LevelPart:
    level: int
    indicators: tuple[IndicatorPart, ...]


@dataclass(frozen=True)
class CriterionPart:
    code: str
    name: str
    standard_code: str
    group: str  # "Nhóm 1 · Trần Văn Hải" or ""
    levels: tuple[LevelPart, ...]
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    level: int  # reached (rule engine)
    max_level: int
    mandatory: bool
    cited_codes: tuple[str, ...]
    # Amendments in force for the cycle (TT22/2024 from 25/01/2025) whose wording is not recorded: "Mức 3: được sửa
    # đổi bởi …; nội dung sửa đổi chưa cập nhật." Amended wording that is recorded replaces the indicator texts instead.
    amendment_marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class StandardPart:
    code: str
    name: str
    opening: str | Missing
    conclusion: str | Missing
    criteria: tuple[CriterionPart, ...]


@dataclass(frozen=True)
class Level4Part:
    code: str
    article: str  # "khoản 1 Điều 22"
    text: str  # the official wording of the item (the framework's Level4Item)
    description: str | Missing
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    achieved: bool


@dataclass(frozen=True)
class EvidenceRow:
    code: str
    name: str
    issue_ref: str
    issued_by: str
    note: str
    link: str
    own_criterion: str  # the criterion the code belongs to
    listed_under: str  # the criterion this row is listed under (differs for shared evidence)
    file_names: tuple[str, ...]


@dataclass(frozen=True)
class StatisticsPart:
    """One Phần I statistics table; `missing` is set (and the table not printed) where it has no value at all."""

    table: StatTable
    missing: Missing | None


@dataclass(frozen=True)
class ReportContext:
    header: CycleHeader
    result: dict  # the `evaluate` contract of the cycle's results
    levels: tuple[int, ...]  # criterion levels of the regime: (1, 2, 3) or (1, 2)
    abbreviations: tuple[tuple[str, str], ...]
    school_facts: tuple[tuple[str, str | Missing], ...]  # Phần I: label, value
    statistics: tuple[StatisticsPart, ...]  # Phần I: 1. Số lớp học … 4. Học sinh
    intro_situation: str | Missing
    intro_purpose: str | Missing
    intro_process: str | Missing
    standards: tuple[StandardPart, ...]
    level4: tuple[Level4Part, ...]
    level4_conclusion: str | Missing | None  # None where the regime has no Mức 4 part
    conclusion: str | Missing
    evidence: tuple[EvidenceRow, ...]  # grouped by criterion (framework order); shared items repeat under each
    missing: tuple[str, ...]

    @property
    def criteria(self) -> tuple[CriterionPart, ...]:
        return tuple(c for s in self.standards for c in s.criteria)

    @property
    def school_level(self) -> int:
        return self.result["school_level"]


def build_report(cycle: Cycle) -> ReportContext:
    """Every part of the report from the cycle (a fixed number of queries, whatever the size)."""
    log = MissingLog()
    header = cycle_header(cycle, log)
    evaluation = cycle_evaluation(cycle)
    texts = report_texts(cycle)
    framework = cycle.framework
    standards = list(Standard.objects.filter(version=framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=framework).prefetch_related("indicators").order_by("position"))
    forms = {(f.criterion_id or f"4/{f.level4_item_id}"): f for f in CriterionForm.objects.filter(cycle=cycle)}
    achieved = set(IndicatorRating.objects.filter(cycle=cycle, achieved=True).values_list("indicator_id", flat=True))
    groups = {}
    for a in CriterionAssignment.objects.filter(cycle=cycle).select_related("group", "member"):
        label = " · ".join(x for x in (a.group.name if a.group else "", a.member.full_name if a.member else "") if x)
        groups[a.criterion_id or f"4/{a.level4_item_id}"] = label

    by_standard: dict[int, list[CriterionPart]] = {}
    starts = school_year_start(cycle.school_year)
    for c in criteria:
        form = forms.get(c.pk)
        descriptions = (form.descriptions if form else {}) or {}
        where = f"tiêu chí {c.code}"
        in_force = amendments_in_force(c, starts)
        amended = {(a.level, letter): text for a in in_force if a.updated for letter, text in a.indicators}
        marks = []
        for a in in_force:
            if not a.updated:
                marks.append(f"Mức {a.level}: {a.pending_text}." if a.level else f"{a.pending_text.capitalize()}.")
                log.missing(
                    f"nội dung sửa đổi của {where}" + (f" Mức {a.level}" if a.level else "") + f" ({a.amended_by})"
                )
        levels = []
        for level in sorted({i.level for i in c.indicators.all()}):
            parts = []
            for ind in sorted((i for i in c.indicators.all() if i.level == level), key=lambda i: i.position):
                key = indicator_key(ind.level, ind.letter)
                label = f"mô tả {where}, Mức {level}" + (f" chỉ báo {ind.letter})" if ind.letter else "")
                text = amended.get((ind.level, ind.letter), ind.text)
                parts.append(
                    IndicatorPart(key, ind.letter, text, log.value(descriptions.get(key), label), ind.pk in achieved)
                )
            levels.append(LevelPart(level, tuple(parts)))
        by_standard.setdefault(c.standard_id, []).append(
            CriterionPart(
                code=c.code,
                name=c.name,
                standard_code=next(s.code for s in standards if s.pk == c.standard_id),
                group=groups.get(c.pk, ""),
                levels=tuple(levels),
                strengths=log.value(form.strengths if form else "", f"điểm mạnh {where}"),
                weaknesses=log.value(form.weaknesses if form else "", f"điểm yếu {where}"),
                improvement=log.value(form.improvement if form else "", f"kế hoạch cải tiến {where}"),
                level=evaluation.criteria.get(c.code, 0),
                max_level=c.max_level,
                mandatory=c.mandatory,
                cited_codes=tuple(find_codes(form.all_text())) if form else (),
                amendment_marks=tuple(marks),
            )
        )
    standard_parts = tuple(
        StandardPart(
            code=s.code,
            name=s.name,
            opening=log.value(texts.get(f"standard.{s.code}.opening"), f"Mở đầu Tiêu chuẩn {s.code}"),
            conclusion=log.value(texts.get(f"standard.{s.code}.conclusion"), f"Kết luận về Tiêu chuẩn {s.code}"),
            criteria=tuple(by_standard.get(s.pk, [])),
        )
        for s in standards
    )

    level4_parts: tuple[Level4Part, ...] = ()
    level4_conclusion = None
    if framework.regime == Regime.R2018:
        items = list(
            Level4Item.objects.filter(version=framework).exclude(confidence=Confidence.MISSING).order_by("position")
        )
        results = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item_id", "achieved"))
        level4_parts = tuple(
            Level4Part(
                code=i.code,
                article=i.article,
                text=i.text,
                description=log.value(
                    ((forms.get(f"4/{i.pk}") and forms[f"4/{i.pk}"].descriptions) or {}).get(LEVEL4_KEY),
                    f"mô tả tiêu chí Mức 4 – {i.code}",
                ),
                strengths=log.value(getattr(forms.get(f"4/{i.pk}"), "strengths", ""), f"điểm mạnh Mức 4 – {i.code}"),
                weaknesses=log.value(getattr(forms.get(f"4/{i.pk}"), "weaknesses", ""), f"điểm yếu Mức 4 – {i.code}"),
                improvement=log.value(
                    getattr(forms.get(f"4/{i.pk}"), "improvement", ""), f"kế hoạch cải tiến Mức 4 – {i.code}"
                ),
                achieved=bool(results.get(i.pk)),
            )
            for i in items
        )
        level4_conclusion = log.value(texts.get("level4.conclusion"), "Kết luận về các tiêu chí Mức 4")

    evidence = _evidence_rows(cycle, criteria)
    school = school_profile(cycle)
    facts = (
        ("Tên trường", school["name"]),
        ("Mã trường", school["code"]),
        ("Loại trường", school["school_type"]),
        ("Loại hình", school["ownership"]),
        ("Cơ quan quản lý trực tiếp", header.authority),
        ("Đơn vị hành chính", school["unit_name"]),
        ("Địa chỉ", log.value(school["address"], "địa chỉ trường")),
        ("Điện thoại", log.value(school["phone"], "điện thoại trường")),
        ("Năm thành lập", log.value(str(school["founded_year"] or ""), "năm thành lập")),
        ("Hiệu trưởng", header.principal),
    )
    statistics = tuple(
        StatisticsPart(t, log.missing(f"số liệu Phần I – {t.title}") if t.is_empty else None)
        for t in school_statistics(cycle)
    )
    return ReportContext(
        header=header,
        result=evaluation.as_contract(),
        levels=(1, 2, 3) if framework.regime == Regime.R2018 else (1, 2),
        abbreviations=ABBREVIATIONS,
        school_facts=facts,
        statistics=statistics,
        intro_situation=log.value(texts.get("intro.situation"), "Tình hình chung của nhà trường"),
        intro_purpose=log.value(texts.get("intro.purpose"), "Mục đích tự đánh giá"),
        intro_process=log.value(texts.get("intro.process"), "Tóm tắt quá trình tự đánh giá"),
        standards=standard_parts,
        level4=level4_parts,
        level4_conclusion=level4_conclusion,
        conclusion=log.value(texts.get("conclusion"), "Kết luận chung"),
        evidence=evidence,
        missing=log.labels,
    )


def _evidence_rows(cycle: Cycle, criteria: list[Criterion]) -> tuple[EvidenceRow, ...]:
    """The catalogue grouped by criterion in framework order; an item shared with another criterion is listed there
    too, with its first code (3 queries)."""
    order = {c.code: i for i, c in enumerate(criteria)}
    code_of = {c.pk: c.code for c in criteria}
    rows = []
    links = CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion").order_by("id")
    files_of, cited = files_by_version(cycle), citations_by_link(cycle)
    for link in links:
        e = link.version
        files = tuple(f.original_name for f in files_of.get(e.pk, ()))
        for under in [link.criterion.code, *(code_of[pk] for pk in cited.get(link.pk, ()) if pk in code_of)]:
            rows.append(
                EvidenceRow(
                    code=link.code,
                    name=e.name,
                    issue_ref=e.issue_ref,
                    issued_by=e.issued_by,
                    note=e.note,
                    link=e.link,
                    own_criterion=link.criterion.code,
                    listed_under=under,
                    file_names=files,
                )
            )
    rows.sort(key=lambda r: (order.get(r.listed_under, 999), r.own_criterion != r.listed_under, r.code))
    return tuple(rows)


# --- DOCX ------------------------------------------------------------------------------------------------------------


def _level_mark(criterion: CriterionPart, level: int) -> str:
    if not any(part.level == level for part in criterion.levels):
        return "—"
    return "Đạt" if criterion.level >= level else "Không đạt"


def _outline(ctx: ReportContext) -> list[tuple[int, str]]:
    entries = [(1, "DANH MỤC CÁC CHỮ VIẾT TẮT"), (1, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ"), (1, "Phần I. CƠ SỞ DỮ LIỆU")]
    entries += [(1, "Phần II. TỰ ĐÁNH GIÁ"), (2, "A. ĐẶT VẤN ĐỀ"), (2, "B. TỰ ĐÁNH GIÁ")]
    levels = "Mức 1, 2 và 3" if ctx.header.regime == Regime.R2018 else "Mức 1 và Mức 2"
    entries.append((3, f"I. TỰ ĐÁNH GIÁ TIÊU CHÍ {levels.upper()}"))
    entries += [(3, f"Tiêu chuẩn {s.code}: {s.name}") for s in ctx.standards]
    if ctx.level4_conclusion is not None:
        entries.append((3, "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4"))
    entries += [(1, "Phần III. KẾT LUẬN CHUNG"), (1, "Phần IV. PHỤ LỤC")]
    return entries


def report_docx(ctx: ReportContext) -> bytes:
    from docx.shared import Pt

    from kiemdinh.documents import docx_kit as kit

    h = ctx.header
    doc = kit.new_document()

    # Cover
    kit.national_header(doc, authority=h.authority, issuer=h.school_name)
    for _ in range(7):
        doc.add_paragraph()
    kit.para(doc, "BÁO CÁO TỰ ĐÁNH GIÁ", bold=True, align="center", size=Pt(20))
    kit.para(doc, f"Năm học {h.school_year}", bold=True, align="center", size=Pt(14))
    kit.para(doc, f"(Theo {h.circular})", italic=True, align="center")
    for _ in range(10):
        doc.add_paragraph()
    kit.para(doc, h.place_date, italic=True, align="center")
    kit.page_break(doc)

    # Contents and abbreviations
    kit.para(doc, "MỤC LỤC", bold=True, align="center", size=Pt(14))
    kit.table_of_contents(doc, _outline(ctx))
    kit.page_break(doc)
    kit.heading(doc, "DANH MỤC CÁC CHỮ VIẾT TẮT", 1)
    kit.table(doc, ["Chữ viết tắt", "Nội dung"], ctx.abbreviations, widths_cm=(4, 12))

    # Summary of results
    kit.heading(doc, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ", 1)
    kit.heading(doc, "1. Kết quả đánh giá", 2)
    levels = ctx.levels
    title = (
        "1.1. Đánh giá tiêu chí Mức 1, 2 và 3" if h.regime == Regime.R2018 else "1.1. Đánh giá tiêu chí Mức 1 và Mức 2"
    )
    kit.para(doc, title, bold=True, italic=True)
    rows, groups = [], set()
    for standard in ctx.standards:
        groups.add(len(rows))
        rows.append([f"Tiêu chuẩn {standard.code}: {standard.name}"] + [""] * len(levels))
        for c in standard.criteria:
            label = f"Tiêu chí {c.code}" + (" (bắt buộc)" if c.mandatory and h.regime == Regime.TT57 else "")
            rows.append([label, *(_level_mark(c, k) for k in levels)])
    kit.table(
        doc,
        ["Tiêu chuẩn, tiêu chí", *(f"Mức {k}" for k in levels)],
        rows,
        group_rows=groups,
        widths_cm=(16.5 - 2.6 * len(levels), *(2.6 for _ in levels)),
    )
    counts = ctx.result["levels"]
    kit.para(
        doc,
        "; ".join(f"Mức {k}: {counts[str(k)]['achieved']}/{counts[str(k)]['total']} tiêu chí đạt" for k in levels)
        + ".",
    )
    if ctx.level4_conclusion is not None:
        kit.para(doc, "1.2. Đánh giá tiêu chí Mức 4", bold=True, italic=True)
        kit.table(
            doc,
            ["Tiêu chí Mức 4", "Đạt", "Không đạt"],
            [[f"Tiêu chí {i.code}", "x" if i.achieved else "", "" if i.achieved else "x"] for i in ctx.level4],
            widths_cm=(10, 3, 3),
        )
    kit.heading(doc, "2. Kết luận", 2)
    school_level = ctx.result["school_level"]
    verdict = f"Trường đạt Mức {school_level}." if school_level else "Trường chưa đạt Mức 1."
    extra = []
    if ctx.result.get("accreditation_grade"):
        extra.append(f"tương ứng cấp độ {ctx.result['accreditation_grade']} kiểm định chất lượng giáo dục")
    if ctx.result.get("national_standard_level"):
        extra.append(
            f"đủ điều kiện về kết quả để đề nghị công nhận đạt chuẩn quốc gia mức độ {ctx.result['national_standard_level']}"
        )
    kit.body(
        doc, verdict + (" Kết quả tự đánh giá " + "; ".join(extra) + " (sau khi được đánh giá ngoài)." if extra else "")
    )
    kit.page_break(doc)

    # Phần I
    kit.heading(doc, "Phần I. CƠ SỞ DỮ LIỆU", 1)
    kit.table(doc, ["Thông tin", "Nội dung"], ctx.school_facts, widths_cm=(5.5, 11))
    for part in ctx.statistics:
        table = part.table
        kit.para(doc, table.title, bold=True)
        if part.missing is not None:
            kit.para(doc, part.missing)
            continue
        label_width = 16.5 - 2.1 * len(table.columns)
        kit.table(
            doc,
            ["Nội dung", *(f"Năm học {y}" for y in table.columns)],
            [[row.label, *("" if v is None else str(v) for v in row.values)] for row in table.rows],
            widths_cm=(label_width, *(2.1 for _ in table.columns)),
            size=Pt(11),
        )

    # Phần II
    kit.heading(doc, "Phần II. TỰ ĐÁNH GIÁ", 1)
    kit.heading(doc, "A. ĐẶT VẤN ĐỀ", 2)
    for title, text in (
        ("1. Tình hình chung của nhà trường", ctx.intro_situation),
        ("2. Mục đích tự đánh giá", ctx.intro_purpose),
        ("3. Tóm tắt quá trình và những vấn đề nổi bật trong hoạt động tự đánh giá", ctx.intro_process),
    ):
        kit.para(doc, title, bold=True)
        kit.body(doc, text)
    kit.heading(doc, "B. TỰ ĐÁNH GIÁ", 2)
    levels_label = "MỨC 1, 2 VÀ 3" if h.regime == Regime.R2018 else "MỨC 1 VÀ MỨC 2"
    kit.heading(doc, f"I. TỰ ĐÁNH GIÁ TIÊU CHÍ {levels_label}", 3)
    for standard in ctx.standards:
        kit.heading(doc, f"Tiêu chuẩn {standard.code}: {standard.name}", 3)
        kit.para(doc, "Mở đầu", bold=True, italic=True)
        kit.body(doc, standard.opening)
        for c in standard.criteria:
            kit.heading(doc, f"Tiêu chí {c.code}: {c.name}", 4)
            for mark in c.amendment_marks:  # red like every gap in the data, never left out silently
                run = kit.para(doc, align="justify").add_run(mark)
                run.bold, run.font.color.rgb = True, kit.RED
            for level in c.levels:
                kit.para(doc, f"Mức {level.level}", bold=True, italic=True)
                for ind in level.indicators:
                    kit.para(doc, (f"{ind.letter}) " if ind.letter else "") + ind.text, italic=True, align="justify")
            kit.para(doc, "1. Mô tả hiện trạng", bold=True)
            for level in c.levels:
                kit.para(doc, f"Mức {level.level}", italic=True)
                for ind in level.indicators:
                    paragraph = kit.para(
                        doc, (f"{ind.letter}) " if ind.letter else ""), align="justify", first_line_indent=True
                    )
                    kit.write(paragraph, ind.description)
            for number, title, value in (
                (2, "Điểm mạnh", c.strengths),
                (3, "Điểm yếu", c.weaknesses),
                (4, "Kế hoạch cải tiến chất lượng", c.improvement),
            ):
                kit.para(doc, f"{number}. {title}", bold=True)
                kit.body(doc, value)
            kit.para(doc, "5. Tự đánh giá", bold=True)
            verdict = f"Đạt Mức {c.level}." if c.level else "Không đạt."
            kit.para(doc, f"Tiêu chí {c.code}: {verdict}", first_line_indent=True)
        kit.para(doc, f"Kết luận về Tiêu chuẩn {standard.code}", bold=True, italic=True)
        kit.body(doc, standard.conclusion)
    if ctx.level4_conclusion is not None:
        kit.heading(doc, "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4", 3)
        for item in ctx.level4:
            kit.heading(doc, f"Tiêu chí {item.code}" + (f" ({item.article})" if item.article else ""), 4)
            kit.para(doc, item.text, italic=True, align="justify")
            for number, title, value in (
                (1, "Mô tả hiện trạng", item.description),
                (2, "Điểm mạnh", item.strengths),
                (3, "Điểm yếu", item.weaknesses),
                (4, "Kế hoạch cải tiến chất lượng", item.improvement),
            ):
                kit.para(doc, f"{number}. {title}", bold=True)
                kit.body(doc, value)
            kit.para(doc, "5. Tự đánh giá", bold=True)
            kit.para(doc, f"Tiêu chí {item.code}: {'Đạt' if item.achieved else 'Không đạt'}.", first_line_indent=True)
        kit.para(doc, "Kết luận về các tiêu chí Mức 4", bold=True, italic=True)
        kit.body(doc, ctx.level4_conclusion)

    # Phần III
    kit.heading(doc, "Phần III. KẾT LUẬN CHUNG", 1)
    kit.body(doc, ctx.conclusion)
    kit.signature_block(doc, title="Hiệu trưởng", name=h.principal)

    # Phần IV
    kit.page_break(doc)
    kit.heading(doc, "Phần IV. PHỤ LỤC", 1)
    kit.para(doc, "DANH MỤC MÃ MINH CHỨNG", bold=True, align="center")
    rows, groups, current = [], set(), None
    numbers = itertools.count(1)
    names = {c.code: c.name for c in ctx.criteria}
    for row in ctx.evidence:
        if row.listed_under != current:
            current = row.listed_under
            groups.add(len(rows))
            rows.append([f"Tiêu chí {current}: {names.get(current, '')}", "", "", "", "", ""])
        note = row.note if row.own_criterion == row.listed_under else f"Dùng chung; {row.note}".strip("; ")
        rows.append([str(next(numbers)), row.code, row.name, row.issue_ref, row.issued_by, note])
    if rows:
        kit.table(
            doc,
            ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"],
            rows,
            widths_cm=(1.0, 2.6, 5.0, 2.9, 2.5, 2.5),
            group_rows=groups,
            size=Pt(11),
        )
    else:
        kit.para(doc, Missing("danh mục minh chứng"))
    return kit.to_bytes(doc)


register(
    DocumentKind(
        kind="report",
        title="Báo cáo tự đánh giá",
        slug="bao-cao-tu-danh-gia",
        build=build_report,
        renderers={"docx": report_docx},
    )
)
