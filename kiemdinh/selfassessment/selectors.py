"""Reads of self-assessment cycles."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery

from kiemdinh.core.schoolyear import normalize_school_year
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.frameworks.rules import Evaluation, blockers, evaluate, national_standard_needs
from kiemdinh.frameworks.rules.common import criterion_level
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.selfassessment.models import (
    LEVEL4_KEY,
    CriterionForm,
    Cycle,
    CycleSnapshot,
    CycleStatus,
    CycleTransition,
    IndicatorRating,
    Level4Rating,
    ReportText,
    SchoolStatistics,
    indicator_key,
)
from kiemdinh.selfassessment.statistics import cycle_definitions
from kiemdinh.units.selectors import SchoolLookupError, school_by_code_or_name


def cycle_evaluation(cycle: Cycle) -> Evaluation:
    """A cycle's results. A submitted or accepted cycle's are those of its snapshot, as filed and accepted (1 query):
    a correction of the regulation's data made later does not change an accepted result. Otherwise the stored
    indicator results rated by the rule engine (two queries)."""
    filed = filed_result(cycle)
    return Evaluation.from_contract(filed) if filed is not None else live_evaluation(cycle)


def live_evaluation(cycle: Cycle) -> Evaluation:
    """The stored indicator results rated now, whatever the cycle's status (the snapshot's content is made of it)."""
    return _evaluate_cycle(cycle, cycle.framework.code)


def filed_result(cycle: Cycle) -> dict | None:
    """The `evaluate` result in the snapshot a submitted or accepted cycle is shown as; None for an editable cycle."""
    if cycle.status not in (CycleStatus.SUBMITTED, CycleStatus.ACCEPTED):
        return None
    snapshots = cycle.snapshots.order_by("-created_at", "-id")
    if cycle.status == CycleStatus.ACCEPTED:
        snapshots = snapshots.filter(accepted=True)
    return snapshots.values_list("content__result", flat=True).first()


def _evaluate_cycle(cycle: Cycle, framework_code: str) -> Evaluation:
    spec = get_spec(framework_code)
    indicators: dict[str, dict[int, dict[str, bool]]] = {}
    rows = IndicatorRating.objects.filter(cycle=cycle).values_list(
        "indicator__criterion__code", "indicator__level", "indicator__letter", "achieved"
    )
    for code, level, letter, achieved in rows:
        indicators.setdefault(code, {}).setdefault(level, {})[letter] = achieved
    level4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
    return evaluate(spec, indicators, level4)


def latest_cycle_filter() -> Q:
    """Cycles that are their school's most recent one (a school has one cycle per school year), to read only those
    rather than every year of every school."""
    newest = Cycle.objects.filter(school_id=OuterRef("school_id")).order_by("-school_year").values("school_year")[:1]
    return Q(school_year=Subquery(newest))


def latest_cycles(schools) -> dict[int, Cycle]:
    """The most recent cycle of each school (one query)."""
    found = Cycle.objects.filter(latest_cycle_filter(), school__in=schools).select_related("framework")
    return {cycle.school_id: cycle for cycle in found}


# --- Criterion forms -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    key: str
    achieved: bool


@dataclass(frozen=True)
class LevelBlock:
    level: int
    rows: tuple[IndicatorRow, ...]
    reached: bool  # this level and every lower one achieved


def criterion_levels(cycle: Cycle, criterion: Criterion) -> tuple[list[LevelBlock], int]:
    """The indicators of a criterion by level with the cycle's results, and the criterion level (2 queries)."""
    indicators = list(criterion.indicators.order_by("level", "position"))
    achieved = set(
        IndicatorRating.objects.filter(cycle=cycle, indicator__in=indicators, achieved=True).values_list(
            "indicator_id", flat=True
        )
    )
    spec_criterion = get_spec(cycle.framework.code).criterion(criterion.code)
    results: dict[int, dict[str, bool]] = {}
    for ind in indicators:
        results.setdefault(ind.level, {})[ind.letter] = ind.pk in achieved
    level = criterion_level(spec_criterion, results)
    blocks = []
    for number in sorted(results):
        rows = tuple(
            IndicatorRow(ind, indicator_key(ind.level, ind.letter), ind.pk in achieved)
            for ind in indicators
            if ind.level == number
        )
        blocks.append(LevelBlock(number, rows, number <= level))
    return blocks, level


def return_comments(cycle: Cycle) -> tuple[CycleTransition | None, dict[int | None, list[str]]]:
    """The last return of a cycle (if it is the latest review step) and its comments by criterion id (2 queries)."""
    last = cycle.transitions.filter(
        kind__in=[CycleTransition.Kind.RETURNED, CycleTransition.Kind.SUBMITTED, CycleTransition.Kind.ACCEPTED]
    ).last()
    if last is None or last.kind != CycleTransition.Kind.RETURNED:
        return None, {}
    by_criterion: dict[int | None, list[str]] = {}
    for criterion_id, text in last.criterion_comments.values_list("criterion_id", "text"):
        by_criterion.setdefault(criterion_id, []).append(text)
    return last, by_criterion


def forms_by_subject(cycle: Cycle) -> tuple[dict[int, CriterionForm], dict[int, CriterionForm]]:
    """The cycle's forms keyed by criterion id and by Mức 4 item id (1 query)."""
    criteria, items = {}, {}
    for form in CriterionForm.objects.filter(cycle=cycle).select_related("updated_by"):
        if form.criterion_id:
            criteria[form.criterion_id] = form
        else:
            items[form.level4_item_id] = form
    return criteria, items


def form_completeness(form: CriterionForm | None, keys: set[str]) -> list[str]:
    """What a form still lacks, in words (empty when complete). A carried-over form is judged by its texts, as any
    other."""
    if form is None or not form.all_text().strip():
        return ["chưa có nội dung"]
    missing = []
    undescribed = [k for k in sorted(keys) if not (form.descriptions or {}).get(k)]
    if undescribed:
        missing.append(f"chưa mô tả {len(undescribed)}/{len(keys)} chỉ báo")
    labels = {"strengths": "điểm mạnh", "weaknesses": "điểm yếu", "improvement": "kế hoạch cải tiến"}
    missing += [f"chưa có {label}" for field, label in labels.items() if not getattr(form, field)]
    return missing


def indicator_keys_by_criterion(cycle: Cycle) -> dict[int, set[str]]:
    """criterion id → its description keys (1 query)."""
    keys: dict[int, set[str]] = {}
    for criterion_id, level, letter in Indicator.objects.filter(criterion__version=cycle.framework).values_list(
        "criterion_id", "level", "letter"
    ):
        keys.setdefault(criterion_id, set()).add(indicator_key(level, letter))
    return keys


@dataclass(frozen=True)
class CriterionStatus:
    criterion: Criterion
    level: int
    max_level: int
    form: CriterionForm | None
    missing: tuple[str, ...]


def criteria_overview(cycle: Cycle, evaluation: Evaluation | None = None):
    """Every criterion with its level and what its form lacks; every Mức 4 item with its result (5 queries + eval)."""
    evaluation = evaluation or cycle_evaluation(cycle)
    forms, item_forms = forms_by_subject(cycle)
    keys = indicator_keys_by_criterion(cycle)
    criteria = list(Criterion.objects.filter(version=cycle.framework).select_related("standard").order_by("position"))
    rows = [
        CriterionStatus(
            criterion=c,
            level=evaluation.criteria.get(c.code, 0),
            max_level=c.max_level,
            form=forms.get(c.pk),
            missing=tuple(form_completeness(forms.get(c.pk), keys.get(c.pk, set()))),
        )
        for c in criteria
    ]
    achieved4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item_id", "achieved"))
    items = [
        {
            "item": item,
            "achieved": achieved4.get(item.pk, False),
            "form": item_forms.get(item.pk),
            "missing": tuple(form_completeness(item_forms.get(item.pk), {LEVEL4_KEY})),
        }
        for item in Level4Item.objects.filter(version=cycle.framework).exclude(confidence=Confidence.MISSING)
    ]
    return rows, items


# --- Gaps ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionGap:
    criterion: Criterion
    level: int
    next_level: int | None
    missing: tuple[Indicator, ...]  # indicators not achieved at the next level (or at lower levels still open)


@dataclass(frozen=True)
class SchoolGap:
    target: int
    label: str
    blockers: tuple[tuple[str, tuple[str, ...]], ...]


def gap_report(cycle: Cycle, achieved_ids: set[int] | None = None, level4: dict[str, bool] | None = None):
    """Gaps of a cycle: per criterion, the indicators that block its next level; for the school, what blocks each
    higher level and each national-standard level. With achieved_ids/level4 given (what-if), those results are used
    instead of the stored ones and nothing is saved (3 queries)."""
    spec = get_spec(cycle.framework.code)
    indicators = list(
        Indicator.objects.filter(criterion__version=cycle.framework)
        .select_related("criterion")
        .order_by("criterion__position", "level", "position")
    )
    if achieved_ids is None:
        achieved_ids = set(
            IndicatorRating.objects.filter(cycle=cycle, achieved=True).values_list("indicator_id", flat=True)
        )
    if level4 is None:
        level4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
    results: dict[str, dict[int, dict[str, bool]]] = {}
    by_criterion: dict[int, list[Indicator]] = {}
    for ind in indicators:
        results.setdefault(ind.criterion.code, {}).setdefault(ind.level, {})[ind.letter] = ind.pk in achieved_ids
        by_criterion.setdefault(ind.criterion_id, []).append(ind)
    evaluation = evaluate(spec, results, level4)
    criteria_gaps = []
    for inds in by_criterion.values():
        criterion = inds[0].criterion
        level = evaluation.criteria[criterion.code]
        levels = sorted({i.level for i in inds})
        next_level = next((lv for lv in levels if lv > level), None)
        missing = tuple(i for i in inds if next_level and i.level <= next_level and i.pk not in achieved_ids)
        criteria_gaps.append(CriterionGap(criterion, level, next_level, missing))
    school_gaps = []
    for k in range(evaluation.school_level + 1, spec.max_level + 1):
        school_gaps.append(SchoolGap(k, f"Trường đạt Mức {k}", tuple(blockers(spec, evaluation.criteria, level4, k))))
    for standard_level, needs in sorted(national_standard_needs(spec).items()):
        if evaluation.school_level < needs:
            school_gaps.append(
                SchoolGap(
                    needs,
                    f"Chuẩn quốc gia mức độ {standard_level} (cần trường đạt Mức {needs})",
                    tuple(blockers(spec, evaluation.criteria, level4, needs)),
                )
            )
    return evaluation, criteria_gaps, school_gaps, indicators, achieved_ids


# --- The school as it was -------------------------------------------------------------------------------------------


def live_school_profile(cycle: Cycle) -> dict:
    """The school's facts that documents print, read from the school and its unit now, with its sites (1 query)."""
    school = cycle.school
    unit = school.unit
    return {
        "name": school.name,
        "code": school.code,
        "school_type": school.get_school_type_display(),
        "ownership": school.get_ownership_display(),
        "unit_name": unit.name,
        "education_office": unit.education_office,
        "address": school.address,
        "phone": school.phone,
        "founded_year": school.founded_year,
        "former_names": school.former_names,
        "campuses": [
            {
                "name": c.name,
                "kind": c.get_kind_display(),
                "address": c.address,
                "classes": c.classes,
                "pupils": c.pupils,
            }
            for c in school.campuses.filter(is_active=True)
        ],
    }


def reference_snapshot(cycle: Cycle) -> CycleSnapshot | None:
    """The snapshot a frozen cycle is shown as: the accepted one for an accepted cycle, the one it was submitted with
    for a submitted cycle; None while the cycle is editable (1 query)."""
    if cycle.status == CycleStatus.ACCEPTED:
        return cycle.snapshots.filter(accepted=True).order_by("-created_at", "-id").first()
    if cycle.status == CycleStatus.SUBMITTED:
        return cycle.snapshots.order_by("-created_at", "-id").first()
    return None


def school_profile(cycle: Cycle) -> dict:
    """The school as a cycle's documents print it: as it was at submission for a submitted or accepted cycle (a
    school renamed or moved to another unit later keeps its old name in its old dossiers), else as it is now."""
    snapshot = reference_snapshot(cycle)
    if snapshot is not None and "school" in snapshot.content:
        return snapshot.content["school"]
    return live_school_profile(cycle)


# --- Report texts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str
    hint: str
    group: str


def report_sections(cycle: Cycle) -> list[ReportSection]:
    """The narrative parts of the report in document order, for the cycle's framework (1 query)."""
    sections = [
        ReportSection(
            "intro.situation",
            "1. Tình hình chung của nhà trường",
            "Bối cảnh, đặc điểm, thuận lợi và khó khăn.",
            "Phần II. A. Đặt vấn đề",
        ),
        ReportSection("intro.purpose", "2. Mục đích tự đánh giá", "", "Phần II. A. Đặt vấn đề"),
        ReportSection(
            "intro.process",
            "3. Tóm tắt quá trình và những vấn đề nổi bật trong hoạt động tự đánh giá",
            "",
            "Phần II. A. Đặt vấn đề",
        ),
    ]
    for standard in cycle.framework.standards.order_by("position"):
        group = f"Tiêu chuẩn {standard.code}: {standard.name}"
        sections.append(ReportSection(f"standard.{standard.code}.opening", "Mở đầu", "", group))
        sections.append(
            ReportSection(f"standard.{standard.code}.conclusion", f"Kết luận về Tiêu chuẩn {standard.code}", "", group)
        )
    if cycle.framework.regime == Regime.R2018:
        sections.append(
            ReportSection("level4.conclusion", "Kết luận về các tiêu chí Mức 4", "", "Tự đánh giá tiêu chí Mức 4")
        )
    sections.append(
        ReportSection(
            "conclusion",
            "Kết luận chung",
            "Mức đạt được, điểm mạnh nổi bật, cam kết cải tiến.",
            "Phần III. Kết luận chung",
        )
    )
    return sections


def report_texts(cycle: Cycle) -> dict[str, str]:
    return dict(ReportText.objects.filter(cycle=cycle).values_list("key", "text"))


# --- Phần I statistics -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    computed: bool  # a "Cộng"/"Tổng số" row
    values: tuple[int | None, ...]  # one per column; None = blank


@dataclass(frozen=True)
class StatTable:
    key: str
    title: str
    columns: tuple[str, ...]  # school years, oldest first
    rows: tuple[StatRow, ...]

    @property
    def is_empty(self) -> bool:
        return all(v is None for row in self.rows for v in row.values)


def school_statistics(cycle: Cycle) -> list[StatTable]:
    """The Phần I tables of a cycle with their stored values and computed totals (1 query, plus the cycle's school
    and framework where not already loaded)."""
    tables, years = cycle_definitions(cycle)
    stored = dict(SchoolStatistics.objects.filter(cycle=cycle).values_list("table", "data"))
    result = []
    for table in tables:
        data = stored.get(table.key) or {}
        values = {row.key: tuple(_cell(data.get(row.key, {}).get(year)) for year in years) for row in table.input_rows}
        rows = []
        for row in table.rows:
            if row.computed:
                parts = [values.get(k, ()) for k in row.sums]
                cells = tuple(
                    None if all(p[i] is None for p in parts) else sum(p[i] or 0 for p in parts)
                    for i in range(len(years))
                )
            else:
                cells = values[row.key]
            rows.append(StatRow(row.key, row.label, row.computed, cells))
        result.append(StatTable(table.key, table.title, years, tuple(rows)))
    return result


def _cell(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class CycleLookupError(LookupError):
    pass


def cycle_by_school_and_year(school: str, year: str) -> Cycle:
    """The cycle of the school named by code or name for a school year, for commands; CycleLookupError (one
    Vietnamese line) when the school, the year or the cycle is not found."""

    try:
        found = school_by_code_or_name(school)
    except SchoolLookupError as exc:
        raise CycleLookupError(str(exc)) from exc
    try:
        school_year = normalize_school_year(year)
    except ValidationError as exc:
        raise CycleLookupError(f"Năm học “{year}” không hợp lệ: ghi theo dạng 2021-2022.") from exc
    cycle = (
        Cycle.objects.filter(school=found, school_year=school_year).select_related("school__unit", "framework").first()
    )
    if cycle is None:
        raise CycleLookupError(f"{found.name} chưa có đợt tự đánh giá năm học {school_year}.")
    return cycle
