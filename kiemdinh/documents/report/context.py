"""The self-assessment report's context: every part of the report as plain data, read from the cycle in a fixed
number of queries."""

from dataclasses import dataclass

from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.documents.common import CycleHeader, assignment_labels, cycle_header
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.evidence.selectors import citations_by_link, files_by_version
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.frameworks.subjects import Subject
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionForm,
    Cycle,
    IndicatorRating,
    Level4Rating,
    indicator_key,
)
from kiemdinh.selfassessment.selectors import (
    StatTable,
    cycle_evaluation,
    report_texts,
    school_profile,
    school_statistics,
)

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


def campus_facts(school: dict) -> tuple:
    """Phần I's "Tên trước đây" and "Số điểm trường" with each site (name, kind, address, classes, pupils), printed
    only where the school has them (a snapshot made before sites were kept has neither)."""
    facts = []
    if school.get("former_names"):
        facts.append(("Tên trước đây", "; ".join(school["former_names"].splitlines())))
    sites = school.get("campuses") or []
    if sites:
        facts.append(("Số điểm trường", str(len(sites))))
        for site in sites:
            counts = ", ".join(
                f"{site[key]} {label}" for key, label in (("classes", "lớp"), ("pupils", "học sinh")) if site[key]
            )
            where = f", {site['address']}" if site["address"] else ""
            facts.append((f"– {site['name']}", f"{site['kind']}{where}{'; ' + counts if counts else ''}"))
    return tuple(facts)


def build_report(cycle: Cycle) -> ReportContext:
    """Every part of the report from the cycle (a fixed number of queries, whatever the size)."""
    log = MissingLog()
    header = cycle_header(cycle, log)
    evaluation = cycle_evaluation(cycle)
    texts = report_texts(cycle)
    framework = cycle.framework
    standards = list(Standard.objects.filter(version=framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=framework).prefetch_related("indicators").order_by("position"))
    forms = {f.subject_key: f for f in CriterionForm.objects.filter(cycle=cycle)}
    achieved = set(IndicatorRating.objects.filter(cycle=cycle, achieved=True).values_list("indicator_id", flat=True))
    groups = assignment_labels(cycle)

    by_standard: dict[int, list[CriterionPart]] = {}
    starts = school_year_start(cycle.school_year)
    for c in criteria:
        form = forms.get(Subject.criterion(c).key)
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
                group=groups.get(c.code, ""),
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
                    ((form.descriptions if form else None) or {}).get(LEVEL4_KEY), f"mô tả tiêu chí Mức 4 – {i.code}"
                ),
                strengths=log.value(getattr(form, "strengths", ""), f"điểm mạnh Mức 4 – {i.code}"),
                weaknesses=log.value(getattr(form, "weaknesses", ""), f"điểm yếu Mức 4 – {i.code}"),
                improvement=log.value(getattr(form, "improvement", ""), f"kế hoạch cải tiến Mức 4 – {i.code}"),
                achieved=bool(results.get(i.pk)),
            )
            for i in items
            for form in [forms.get(Subject.level4_item(i).key)]
        )
        level4_conclusion = log.value(texts.get("level4.conclusion"), "Kết luận về các tiêu chí Mức 4")

    evidence = evidence_rows(cycle, criteria)
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
        *campus_facts(school),
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


def report_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the report lacks, from its own context (built once for the download page, every document reads it)."""
    return report.missing


def evidence_rows(cycle: Cycle, criteria: list[Criterion]) -> tuple[EvidenceRow, ...]:
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
