"""Báo cáo tự đánh giá: the context (plain data from the cycle) and its DOCX renderer.

Outline (regulations.md §4.1, Laravel app's outline; TT57 follows the same shape with Mức 1–2 and no Mức 4 part):
cover, MỤC LỤC, DANH MỤC CÁC CHỮ VIẾT TẮT, TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ (tables, conclusion), Phần I CƠ SỞ DỮ LIỆU,
Phần II TỰ ĐÁNH GIÁ (A. Đặt vấn đề; B. per standard: Mở đầu, per criterion 1–5, Kết luận; Mức 4), Phần III KẾT LUẬN
CHUNG, Phần IV PHỤ LỤC (danh mục mã minh chứng).
"""

from dataclasses import dataclass

from kiemdinh.documents.common import CycleHeader, cycle_header
from kiemdinh.documents.missing import Missing, MissingLog
from kiemdinh.evidence.codes import find_codes
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionAssignment,
    CriterionForm,
    Cycle,
    IndicatorRating,
    Level4Rating,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import cycle_evaluation, report_texts

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
    text: str
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
class ReportContext:
    header: CycleHeader
    result: dict  # the `evaluate` contract of the cycle's results
    levels: tuple[int, ...]  # criterion levels of the regime: (1, 2, 3) or (1, 2)
    abbreviations: tuple[tuple[str, str], ...]
    school_facts: tuple[tuple[str, str | Missing], ...]  # Phần I: label, value
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
    for c in criteria:
        form = forms.get(c.pk)
        descriptions = (form.descriptions if form else {}) or {}
        where = f"tiêu chí {c.code}"
        levels = []
        for level in sorted({i.level for i in c.indicators.all()}):
            parts = []
            for ind in sorted((i for i in c.indicators.all() if i.level == level), key=lambda i: i.position):
                key = indicator_key(ind.level, ind.letter)
                label = f"mô tả {where}, Mức {level}" + (f" chỉ báo {ind.letter})" if ind.letter else "")
                parts.append(
                    IndicatorPart(
                        key, ind.letter, ind.text, log.value(descriptions.get(key), label), ind.pk in achieved
                    )
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
    if framework.regime == "2018":
        items = list(Level4Item.objects.filter(version=framework).exclude(confidence="missing").order_by("position"))
        results = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item_id", "achieved"))
        level4_parts = tuple(
            Level4Part(
                code=i.code,
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
    school = cycle.school
    facts = (
        ("Tên trường", school.name),
        ("Mã trường", school.code),
        ("Loại trường", school.get_school_type_display()),
        ("Loại hình", school.get_ownership_display()),
        ("Cơ quan quản lý trực tiếp", header.authority),
        ("Đơn vị hành chính", school.unit.name),
        ("Địa chỉ", log.value(school.address, "địa chỉ trường")),
        ("Điện thoại", log.value(school.phone, "điện thoại trường")),
        ("Năm thành lập", log.value(str(school.founded_year) if school.founded_year else "", "năm thành lập")),
        ("Hiệu trưởng", header.principal),
    )
    school_data_tables = log.missing(
        "số liệu Phần I (số lớp, khối công trình, cán bộ quản lý – giáo viên – nhân viên, học sinh theo các năm)"
    )
    facts = (*facts, ("Số liệu thống kê", school_data_tables))
    return ReportContext(
        header=header,
        result=evaluation.as_contract(),
        levels=(1, 2, 3) if framework.regime == "2018" else (1, 2),
        abbreviations=ABBREVIATIONS,
        school_facts=facts,
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
    rows = []
    links = (
        CycleEvidence.objects.filter(cycle=cycle)
        .select_related("evidence", "criterion")
        .prefetch_related("evidence__files", "citations__criterion")
    )
    for link in links:
        e = link.evidence
        files = tuple(f.original_name for f in e.files.all())
        for under in [link.criterion.code, *(c.criterion.code for c in link.citations.all())]:
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
