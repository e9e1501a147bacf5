"""The contexts of the documents read per criterion: the scope worksheet (Phụ lục 2/3), the evidence catalogue (Phụ lục
4) and the criterion forms (Phụ lục 5a/5b)."""

from dataclasses import dataclass

from django.db.models import Q

from kiemdinh.core.office.docx_kit import Text
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.documents.common import CycleHeader, assignment_labels, document_header, keep_marker
from kiemdinh.documents.report.context import CriterionPart, ReportContext, build_report, evidence_rows
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.frameworks.subjects import level4_code_key
from kiemdinh.selfassessment.models import (
    Cycle,
    IndicatorRating,
    Level4Rating,
    ScopeAnalysis,
    indicator_key,
)

ACHIEVED, NOT_ACHIEVED = "Đạt", "Không đạt"


# --- 3. Phụ lục 2/3: Phiếu xác định nội hàm -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    indicator: str  # "Mức 1 a) …" or the Mức 4 item
    meaning: str
    questions: str
    evidence_needed: str
    sources: str

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.indicator, self.meaning, self.questions, self.evidence_needed, self.sources)


@dataclass(frozen=True)
class ScopeCriterion:
    code: str
    name: str
    group: str
    rows: tuple[ScopeRow, ...]
    amendment_marks: tuple[str, ...] = ()  # as in the report: an amendment in force whose wording is not recorded


@dataclass(frozen=True)
class ScopeStandard:
    code: str
    name: str
    criteria: tuple[ScopeCriterion, ...]


@dataclass(frozen=True)
class ScopeWorksheetContext:
    header: CycleHeader
    standards: tuple[ScopeStandard, ...]
    level4: tuple[ScopeRow, ...]  # Phụ lục 3 (2018 only)
    filled: int  # indicators with their nội hàm written
    total: int
    missing: tuple[str, ...]


def _scope_row(label: str, analysis: ScopeAnalysis | None) -> ScopeRow:
    a = analysis
    return ScopeRow(
        label,
        a.meaning if a else "",
        a.questions if a else "",
        a.evidence_needed if a else "",
        a.sources if a else "",
    )


def build_scope_worksheet(cycle: Cycle) -> ScopeWorksheetContext:
    """At most 9 queries: header (2–3), standards, criteria and indicators (2), analyses, Mức 4 items,
    assignments."""
    log = MissingLog()
    header = document_header(cycle)
    framework = cycle.framework
    standards = list(Standard.objects.filter(version=framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=framework).prefetch_related("indicators").order_by("position"))
    analyses = {
        (a.indicator_id and f"i{a.indicator_id}") or f"m{a.level4_item_id}": a
        for a in ScopeAnalysis.objects.filter(cycle=cycle)
    }
    groups = assignment_labels(cycle)
    by_standard: dict[int, list[ScopeCriterion]] = {}
    filled = total = 0
    starts = school_year_start(cycle.school_year)
    for c in criteria:
        rows = []
        in_force = amendments_in_force(c, starts)
        amended = {(a.level, letter): text for a in in_force if a.updated for letter, text in a.indicators}
        marks = tuple(f"Mức {a.level}: {a.pending_text}." for a in in_force if not a.updated)
        for ind in sorted(c.indicators.all(), key=lambda i: (i.level, i.position)):
            analysis = analyses.get(f"i{ind.pk}")
            total += 1
            filled += bool(analysis and analysis.meaning.strip())
            text = amended.get((ind.level, ind.letter), ind.text)
            label = f"Mức {ind.level} {ind.letter}) {text}" if ind.letter else f"Mức {ind.level}: {text}"
            rows.append(_scope_row(label, analysis))
        by_standard.setdefault(c.standard_id, []).append(
            ScopeCriterion(c.code, c.name, groups.get(c.code, ""), tuple(rows), marks)
        )
    level4: tuple[ScopeRow, ...] = ()
    level4_filled = 0
    if header.is_2018:
        items = list(
            Level4Item.objects.filter(version=framework).exclude(confidence=Confidence.MISSING).order_by("position")
        )
        level4 = tuple(_scope_row(f"Tiêu chí Mức 4 số {i.code}: {i.text}", analyses.get(f"m{i.pk}")) for i in items)
        level4_filled = sum(1 for r in level4 if r.meaning.strip())
    _scope_gaps(log, filled, total, level4_filled, len(level4))
    return ScopeWorksheetContext(
        header=header,
        standards=tuple(
            ScopeStandard(s.code, s.name, tuple(by_standard.get(s.pk, ()))) for s in standards if by_standard.get(s.pk)
        ),
        level4=level4,
        filled=filled,
        total=total,
        missing=log.labels,
    )


def _scope_gaps(log: MissingLog, filled: int, total: int, level4_filled: int, level4_total: int) -> None:
    """One label for every nội hàm not written yet: a blank cell is a worksheet still to fill, not a gap each."""
    gaps = []
    if filled < total:
        gaps.append(f"nội hàm của {total - filled}/{total} chỉ báo")
    if level4_filled < level4_total:
        gaps.append(f"nội hàm của {level4_total - level4_filled}/{level4_total} tiêu chí Mức 4")
    if gaps:
        log.missing("phiếu xác định nội hàm chưa điền: " + ", ".join(gaps))


def scope_worksheet_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the worksheet lacks, without building it: the nội hàm written, counted in one query, against the report's
    indicators and Mức 4 items (the worksheet's rows)."""
    framework = cycle.framework
    written = ScopeAnalysis.objects.filter(cycle=cycle).filter(
        Q(indicator__criterion__version=framework)
        | (Q(level4_item__version=framework) & ~Q(level4_item__confidence=Confidence.MISSING))
    )
    filled = level4_filled = 0
    for indicator_id, meaning in written.values_list("indicator_id", "meaning"):
        if meaning.strip():
            filled += indicator_id is not None
            level4_filled += indicator_id is None
    total = sum(len(level.indicators) for criterion in report.criteria for level in criterion.levels)
    log = MissingLog()
    _scope_gaps(log, filled, total, level4_filled, len(report.level4))
    return log.labels


# --- 4. Phụ lục 4: Danh mục mã minh chứng ---------------------------------------------------------------------------

COLUMNS_2018 = ("TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú")
WIDTHS_2018 = (1.0, 2.6, 5.4, 2.8, 2.6, 2.1)
COLUMNS_TT57 = (
    "TT",
    "Mã minh chứng",
    "Tên minh chứng",
    "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
    "Ghi chú",
)
WIDTHS_TT57 = (1.0, 2.6, 5.4, 5.0, 2.5)
TT57_CATALOGUE_NOTE = "Lập theo mục II khoản 4 Phụ lục IV Thông tư số 57/2026/TT-BGDĐT"


@dataclass(frozen=True)
class CatalogueRow:
    kind: str  # "standard", "criterion" (heading rows), "gap" (a marker: a criterion without evidence), "item"
    cells: tuple[Text, ...]

    @property
    def is_heading(self) -> bool:
        return self.kind != "item"


@dataclass(frozen=True)
class EvidenceCatalogueContext:
    header: CycleHeader
    columns: tuple[str, ...]
    widths_cm: tuple[float, ...]
    caption: str  # under the title (TT57), else ""
    rows: tuple[CatalogueRow, ...]
    codes: tuple[str, ...]  # every code of the cycle, once each
    missing: tuple[str, ...]


def build_evidence_catalogue(cycle: Cycle) -> EvidenceCatalogueContext:
    """At most 9 queries: header (2–3), standards, criteria, the evidence rows (up to 4)."""
    log = MissingLog()
    header = document_header(cycle)
    tt57 = not header.is_2018
    standards = list(Standard.objects.filter(version=cycle.framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=cycle.framework).order_by("position"))
    evidence = evidence_rows(cycle, criteria)
    outline = [(s.code, s.name, [(c.code, c.name) for c in criteria if c.standard_id == s.pk]) for s in standards]
    return EvidenceCatalogueContext(
        header=header,
        columns=COLUMNS_TT57 if tt57 else COLUMNS_2018,
        widths_cm=WIDTHS_TT57 if tt57 else WIDTHS_2018,
        caption=TT57_CATALOGUE_NOTE if tt57 else "",
        rows=_catalogue_rows(log, outline, evidence, tt57=tt57),
        codes=tuple(dict.fromkeys(e.code for e in evidence)),
        missing=log.labels,
    )


def evidence_catalogue_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the catalogue lacks, without a query: its rows are the report's evidence rows under the report's
    standards and criteria."""
    log = MissingLog()
    outline = [(s.code, s.name, [(c.code, c.name) for c in s.criteria]) for s in report.standards]
    _catalogue_rows(log, outline, report.evidence, tt57=not report.header.is_2018)
    return log.labels


def _catalogue_rows(
    log: MissingLog, outline: list[tuple[str, str, list[tuple[str, str]]]], evidence, *, tt57: bool
) -> tuple[CatalogueRow, ...]:
    """The evidence rows under each standard (code, name, its criteria's codes and names, in the framework's order)
    and criterion, recording in `log` a criterion without evidence and, for TT57, an item without a location."""
    under: dict[str, list] = {}
    for row in evidence:
        under.setdefault(row.listed_under, []).append(row)
    rows: list[CatalogueRow] = []
    number = 0
    for standard_code, standard_name, criteria in outline:
        rows.append(CatalogueRow("standard", (f"Tiêu chuẩn {standard_code}: {standard_name}",)))
        for code, name in criteria:
            rows.append(CatalogueRow("criterion", (f"Tiêu chí {code}: {name}",)))
            items = under.get(code, [])
            if not items and evidence:
                rows.append(CatalogueRow("gap", (log.missing(f"minh chứng của tiêu chí {code}"),)))
            for e in items:
                number += 1
                note = e.note
                if e.own_criterion != e.listed_under:
                    shared = f"Minh chứng dùng chung, mã của tiêu chí {e.own_criterion}"
                    note = f"{shared}. {note}" if note else shared
                if tt57:
                    where = "\n".join(x for x in (e.link, *(f"Tệp: {n}" for n in e.file_names)) if x)
                    where = where or log.missing(f"vị trí lưu trữ hoặc đường dẫn của minh chứng {e.code}")
                    cells = (str(number), e.code, e.name, where, note)
                else:
                    cells = (str(number), e.code, e.name, e.issue_ref, e.issued_by, note)
                rows.append(CatalogueRow("item", cells))
    if not evidence:
        log.missing("danh mục minh chứng (đợt tự đánh giá chưa có minh chứng nào)")
    return tuple(rows)


# --- 5. Phụ lục 5a/5b: Phiếu đánh giá tiêu chí ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSheet:
    letter: str
    text: str
    description: str | Missing
    rating: str | Missing  # "Đạt", "Không đạt", or a marker when the indicator was not rated


@dataclass(frozen=True)
class LevelSheet:
    level: int
    indicators: tuple[IndicatorSheet, ...]


@dataclass(frozen=True)
class CriterionSheet:
    standard: str  # "Tiêu chuẩn 1: …"
    code: str
    name: str
    group: str | Missing
    levels: tuple[LevelSheet, ...]
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    level: int  # reached, from the rule engine (0: not even Mức 1)
    amendment_marks: tuple[str, ...] = ()

    def reached(self, level: int) -> bool:
        return self.level >= level


@dataclass(frozen=True)
class Level4Sheet:
    code: str
    text: str
    group: str | Missing
    description: str | Missing
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    result: str | Missing


@dataclass(frozen=True)
class CriterionFormsContext:
    header: CycleHeader
    levels: tuple[int, ...]  # (1, 2, 3) or (1, 2)
    criteria: tuple[CriterionSheet, ...]
    level4: tuple[Level4Sheet, ...]
    missing: tuple[str, ...]


def _criterion_sheet(
    log: MissingLog, standard: str, part: CriterionPart, rated: set[tuple[str, str]], achieved: set[tuple[str, str]]
) -> CriterionSheet:
    levels = []
    for level in part.levels:
        indicators = []
        for ind in level.indicators:
            key = (part.code, indicator_key(level.level, ind.letter))
            if key in rated:
                rating = ACHIEVED if key in achieved else NOT_ACHIEVED
            else:
                rating = log.missing(f"tự đánh giá các chỉ báo của tiêu chí {part.code}")
            indicators.append(IndicatorSheet(ind.letter, ind.text, keep_marker(log, ind.description), rating))
        levels.append(LevelSheet(level.level, tuple(indicators)))
    return CriterionSheet(
        standard=standard,
        code=part.code,
        name=part.name,
        group=part.group or log.missing(f"nhóm công tác phụ trách tiêu chí {part.code}"),
        levels=tuple(levels),
        strengths=keep_marker(log, part.strengths),
        weaknesses=keep_marker(log, part.weaknesses),
        improvement=keep_marker(log, part.improvement),
        level=part.level,
        amendment_marks=part.amendment_marks,
    )


def build_criterion_forms(cycle: Cycle, report: ReportContext | None = None) -> CriterionFormsContext:
    """The report's queries (build_report, unless its context is given) and three more: the indicator ratings, the
    Mức 4 ratings and who drafts each Mức 4 item."""
    log = MissingLog()
    report = report or build_report(cycle)
    rated, achieved = set(), set()
    for code, level, letter, ok in IndicatorRating.objects.filter(cycle=cycle).values_list(
        "indicator__criterion__code", "indicator__level", "indicator__letter", "achieved"
    ):
        rated.add((code, indicator_key(level, letter)))
        if ok:
            achieved.add((code, indicator_key(level, letter)))
    sheets = tuple(
        _criterion_sheet(log, f"Tiêu chuẩn {s.code}: {s.name}", part, rated, achieved)
        for s in report.standards
        for part in s.criteria
    )
    level4: tuple[Level4Sheet, ...] = ()
    if report.level4:
        results = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
        groups = assignment_labels(cycle)
        level4 = tuple(
            Level4Sheet(
                code=p.code,
                text=p.text,
                group=groups.get(level4_code_key(p.code))
                or log.missing(f"nhóm công tác phụ trách tiêu chí Mức 4 số {p.code}"),
                description=keep_marker(log, p.description),
                strengths=keep_marker(log, p.strengths),
                weaknesses=keep_marker(log, p.weaknesses),
                improvement=keep_marker(log, p.improvement),
                result=(ACHIEVED if results[p.code] else NOT_ACHIEVED)
                if p.code in results
                else log.missing(f"tự đánh giá tiêu chí Mức 4 số {p.code}"),
            )
            for p in report.level4
        )
    return CriterionFormsContext(
        header=report.header,
        levels=report.levels,
        criteria=sheets,
        level4=level4,
        missing=log.labels,
    )


def criterion_forms_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the forms lack, given the report's context they are built from: their three queries of their own."""
    return build_criterion_forms(cycle, report).missing
