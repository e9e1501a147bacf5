"""Reads of the improvement plan: the grouped table, coverage of the weaknesses, overdue lines, history, offers for
the next cycle. Each runs a fixed number of queries (asserted in the tests)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q, TextChoices
from django.utils import timezone

from kiemdinh.core.text import fold
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.evidence.selectors import versions_as_of
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.frameworks.subjects import Subject
from kiemdinh.improvement.models import (
    CoverageNote,
    ImprovementPlan,
    LineReview,
    LineStatus,
    PlanLine,
    PriorityIssue,
    Review,
    ReviewKind,
)
from kiemdinh.selfassessment.models import CriterionForm, Cycle, IndicatorRating
from kiemdinh.selfassessment.selectors import cycle_evaluation


def has_weakness(text: str) -> bool:
    """False for an empty weakness field or one saying there is none ("Không có điểm yếu đáng kể.", "Không.")."""
    folded = fold(text or "").strip(" .;:-–")
    none = ("khong co diem yeu", "chua co diem yeu")  # "Chưa có điểm yếu đáng kể." says there is none too
    return bool(folded) and folded not in ("khong", "khong co") and not folded.startswith(none)


def improvement_plan_of(cycle: Cycle) -> ImprovementPlan | None:
    """The cycle's improvement plan, or None before it is made."""
    return ImprovementPlan.objects.filter(cycle=cycle).first()


def _lines(plan: ImprovementPlan):
    return (
        PlanLine.objects.filter(plan=plan)
        .select_related("criterion__standard", "level4_item", "issue", "carried_from__plan__cycle")
        .prefetch_related("carried_to")  # is_overdue: a line carried over is followed in the later plan
        .order_by("position", "id")
    )


# --- the grouped table (the seed's layout) --------------------------------------------------------------------------


@dataclass
class CriterionBlock:
    criterion: Criterion
    lines: list[PlanLine]


@dataclass
class StandardBlock:
    standard: Standard
    criteria: list[CriterionBlock]


@dataclass
class Level4Block:
    item: Level4Item
    lines: list[PlanLine]


@dataclass
class IssueBlock:
    issue: PriorityIssue
    lines: list[PlanLine]


@dataclass
class PlanTable:
    plan: ImprovementPlan
    tt57: bool
    standards: list[StandardBlock] = field(default_factory=list)  # "MỨC 1, 2, 3" (2018)
    level4: list[Level4Block] = field(default_factory=list)  # "MỨC 4" (2018)
    issues: list[IssueBlock] = field(default_factory=list)  # Biểu 2 mục IV/V (TT57)
    lines: list[PlanLine] = field(default_factory=list)  # every line in table order

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.issues


def plan_table(plan: ImprovementPlan) -> PlanTable:
    """Lines grouped as in the seed: by standard then criterion (in framework order), then by Mức 4 item; for TT57 by
    priority issue. 2 queries: the lines and their carried_to (+1 for TT57's issues)."""
    tt57 = plan.cycle.framework.regime == Regime.TT57
    table = PlanTable(plan=plan, tt57=tt57)
    lines = list(_lines(plan))
    if tt57:
        by_issue = defaultdict(list)
        for line in lines:
            by_issue[line.issue_id].append(line)
        issues = PriorityIssue.objects.filter(plan=plan).select_related("criterion__standard")
        table.issues = [IssueBlock(issue, by_issue.get(issue.pk, [])) for issue in issues]
        table.issues.sort(
            key=lambda b: (b.issue.criterion.standard.position, b.issue.criterion.position, b.issue.position)
        )
        table.lines = [line for block in table.issues for line in block.lines]
        return table
    by_criterion, by_item = defaultdict(list), defaultdict(list)
    for line in lines:
        if line.criterion_id:
            by_criterion[line.criterion].append(line)
        else:
            by_item[line.level4_item].append(line)
    standards: dict[int, StandardBlock] = {}
    for criterion in sorted(by_criterion, key=lambda c: (c.standard.position, c.position)):
        block = standards.setdefault(criterion.standard_id, StandardBlock(criterion.standard, []))
        block.criteria.append(CriterionBlock(criterion, by_criterion[criterion]))
    table.standards = list(standards.values())
    table.level4 = [Level4Block(item, by_item[item]) for item in sorted(by_item, key=_item_order)]
    table.lines = [line for s in table.standards for c in s.criteria for line in c.lines]
    table.lines += [line for b in table.level4 for line in b.lines]
    return table


def _item_order(item: Level4Item):
    return (int(item.code) if item.code.isdigit() else 999, item.code)


# --- coverage of the weaknesses --------------------------------------------------------------------------------------


class Coverage(TextChoices):
    """How a weakness of the self-assessment is taken up by the improvement plan."""

    COVERED = "covered", "Có dòng kế hoạch"
    EXCUSED = "excused", "Có lý do không đưa vào kế hoạch"
    UNCOVERED = "uncovered", "Chưa có dòng kế hoạch"


@dataclass
class CoverageRow:
    label: str  # "1.6" or "Mức 4 — tiêu chí 2"
    criterion: Criterion | None
    level4_item: Level4Item | None
    weakness: str
    improvement: str
    line_count: int
    note: CoverageNote | None

    @property
    def state(self) -> Coverage:
        if self.line_count:
            return Coverage.COVERED
        return Coverage.EXCUSED if self.note else Coverage.UNCOVERED

    @property
    def query(self) -> str:
        """The query string of the "new line" link that proposes a line from this form."""
        return Subject.of(criterion=self.criterion, level4_item=self.level4_item).query


def coverage(plan: ImprovementPlan) -> list[CoverageRow]:
    """Every criterion (and Mức 4 item) whose form names a weakness, in framework order, with its lines or the reason
    it has none. 3 queries."""
    cycle = plan.cycle
    forms = (
        CriterionForm.objects.filter(cycle=cycle)
        .select_related("criterion__standard", "level4_item")
        .only(
            "weaknesses",
            "improvement",
            "criterion__code",
            "criterion__name",
            "criterion__position",
            "criterion__standard__position",
            "level4_item__code",
            "level4_item__text",
        )
    )
    counts = defaultdict(int)
    for criterion_id, item_id in PlanLine.objects.filter(plan=plan).values_list("criterion_id", "level4_item_id"):
        counts[Subject.by_ids(criterion_id, item_id).key] += 1
    notes = {}
    for note in CoverageNote.objects.filter(plan=plan):
        notes[Subject.by_ids(note.criterion_id, note.level4_item_id).key] = note
    rows = []
    for form in forms:
        if not has_weakness(form.weaknesses):
            continue
        key = form.subject_key
        label = form.criterion.code if form.criterion_id else f"Mức 4 — tiêu chí {form.level4_item.code}"
        rows.append(
            CoverageRow(
                label, form.criterion, form.level4_item, form.weaknesses, form.improvement, counts[key], notes.get(key)
            )
        )
    rows.sort(
        key=lambda r: (
            (0, r.criterion.standard.position, r.criterion.position)
            if r.criterion
            else (1, *_item_order(r.level4_item))
        )
    )
    return rows


def proposal(cycle: Cycle, *, criterion: Criterion | None = None, level4_item: Level4Item | None = None) -> dict:
    """Starting values of a new line from the criterion form: the weakness as the result to reach (to be rephrased),
    the improvement text as tasks. Shown in the form for the user to edit and confirm; nothing is saved here."""
    form = CriterionForm.objects.filter(cycle=cycle, criterion=criterion, level4_item=level4_item).first()
    if form is None:
        return {}
    weakness = form.weaknesses.strip() if has_weakness(form.weaknesses) else ""
    return {"target": weakness, "tasks": form.improvement.strip(), "limitation": weakness}


# --- overdue lines ---------------------------------------------------------------------------------------------------


def overdue_filter(today: date) -> Q:
    """Lines past their completion month and not done (lines that continue into later years only when marked late),
    or marked late at their latest review; a line carried over to a later plan (on or before `today`) is followed
    there instead."""
    past_due = Q(due_on__lt=today, continues=False) & ~Q(status=LineStatus.DONE)
    carried = PlanLine.objects.filter(carried_from=OuterRef("pk"), created_at__date__lte=today)
    return (past_due | Q(status=LineStatus.LATE)) & ~Exists(carried)


def overdue_lines(school_ids, today: date | None = None) -> dict[int, list[PlanLine]]:
    """School id → its overdue lines (oldest due first). 1 query."""
    today = today or timezone.localdate()
    rows = (
        PlanLine.objects.filter(plan__cycle__school_id__in=list(school_ids))
        .filter(overdue_filter(today))
        .select_related("criterion", "level4_item", "plan__cycle")
        .order_by(F("due_on").asc(nulls_last=True), "position")  # the same order on SQLite and PostgreSQL
    )
    result = defaultdict(list)
    for line in rows:
        result[line.plan.cycle.school_id].append(line)
    return dict(result)


def is_overdue(line: PlanLine, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    if line.status != LineStatus.LATE and not (
        line.due_on and line.due_on < today and not line.continues and line.status != LineStatus.DONE
    ):
        return False
    # As overdue_filter: a line carried over to a later plan is followed there (uses a prefetch when present), from
    # the day it was carried over.
    return not any(timezone.localtime(later.created_at).date() <= today for later in line.carried_to.all())


# --- monitoring ------------------------------------------------------------------------------------------------------


@dataclass
class MonitoringState:
    reviews: list[Review]
    held: int
    planned: int
    by_status: dict[str, int]
    warnings: list[str]
    next_review: Review | None


def monitoring_state(
    plan: ImprovementPlan, table: PlanTable | None = None, today: date | None = None
) -> MonitoringState:
    """Reviews with their entries, status counts and warnings (TT57: at least two reviews a year, at the end of term I
    and of the year). 3 queries (+ the table's when not given)."""
    today = today or timezone.localdate()
    lines = table.lines if table is not None else list(_lines(plan))
    reviews = list(
        Review.objects.filter(plan=plan).prefetch_related(
            Prefetch("entries", queryset=LineReview.objects.prefetch_related("evidence"))
        )
    )
    by_status = {s.value: 0 for s in LineStatus}
    for line in lines:
        by_status[line.status] += 1
    warnings = []
    kinds = {r.kind for r in reviews}
    if plan.cycle.framework.regime == Regime.TT57:
        missing = [
            label
            for kind, label in ((ReviewKind.TERM_I, "cuối học kỳ I"), (ReviewKind.YEAR_END, "cuối năm học"))
            if kind not in kinds
        ]
        if len(reviews) < 2 or missing:
            warnings.append(
                "Thông tư 57/2026 yêu cầu rà soát, đánh giá tối thiểu 02 lần trong năm học"
                + (f"; chưa có đợt rà soát {' và '.join(missing)}." if missing else ".")
            )
    elif not reviews:
        warnings.append("Chưa có lịch rà soát: hãy đặt lịch sơ kết hằng tháng hoặc hằng học kỳ.")
    for review in reviews:
        if not review.is_held and review.scheduled_on < today:
            warnings.append(f"Đợt “{review.title}” dự kiến ngày {review.scheduled_on:%d/%m/%Y} chưa ghi kết quả.")
    upcoming = [r for r in reviews if not r.is_held]
    return MonitoringState(
        reviews=reviews,
        held=sum(1 for r in reviews if r.is_held),
        planned=len(upcoming),
        by_status=by_status,
        warnings=warnings,
        next_review=upcoming[0] if upcoming else None,
    )


@dataclass
class LineHistory:
    line: PlanLine
    chain: list[PlanLine]  # the line it was carried from, and that line's origin, oldest first
    entries: list[LineReview]  # the reviews of the line and of its origins, oldest first
    versions: list  # simple-history records of the line, newest first


def line_history(line: PlanLine) -> LineHistory:
    chain = []
    origin = line.carried_from
    while origin is not None and len(chain) < 20:
        chain.insert(0, origin)
        origin = origin.carried_from
    ids = [x.pk for x in chain] + [line.pk]
    entries = list(
        LineReview.objects.filter(line_id__in=ids)
        .select_related("review__plan__cycle", "line")
        .prefetch_related("evidence")
        .order_by("review__held_on", "review__scheduled_on", "id")
    )
    shown = versions_as_of((entry.review.plan.cycle_id, item.pk) for entry in entries for item in entry.evidence.all())
    for entry in entries:
        entry.evidence_names = [
            shown[key].name for item in entry.evidence.all() if (key := (entry.review.plan.cycle_id, item.pk)) in shown
        ]
    versions = list(line.history.select_related("history_user").order_by("-history_date", "-history_id"))
    return LineHistory(line, chain, entries, versions)


# --- the next cycle --------------------------------------------------------------------------------------------------


def previous_plan(cycle: Cycle) -> ImprovementPlan | None:
    """The plan of the school's latest earlier cycle that has one."""
    return (
        ImprovementPlan.objects.filter(cycle__school_id=cycle.school_id, cycle__school_year__lt=cycle.school_year)
        .select_related("cycle__framework")
        .order_by("-cycle__school_year")
        .first()
    )


@dataclass
class NextCycleOffers:
    source: ImprovementPlan | None
    finished: list[tuple[PlanLine, Criterion | None]] = field(default_factory=list)  # line, suggested criterion
    unfinished: list[PlanLine] = field(default_factory=list)  # not carried over yet
    other_circular: bool = False  # the earlier plan follows another circular: nothing maps by code


def next_cycle_offers(cycle: Cycle, plan: ImprovementPlan | None) -> NextCycleOffers:
    """What the previous plan offers to this cycle: finished actions as evidence (those not yet linked into this cycle),
    unfinished ones to carry over."""

    source = previous_plan(cycle)
    offers = NextCycleOffers(source)
    if source is None:
        return offers
    lines = list(source.lines.select_related("criterion", "level4_item").order_by("position", "id"))
    criteria = {c.code: c for c in Criterion.objects.filter(version=cycle.framework)}
    in_cycle = set(CycleEvidence.objects.filter(cycle=cycle).values_list("evidence_id", flat=True))
    carried = set(plan.lines.values_list("carried_from_id", flat=True)) if plan else set()
    same_circular = source.cycle.framework_id == cycle.framework_id
    offers.other_circular = not same_circular
    for line in lines:
        if line.status == LineStatus.DONE:
            if line.result_evidence_id and line.result_evidence_id in in_cycle:
                continue
            suggested = criteria.get(line.criterion.code) if line.criterion_id and same_circular else None
            offers.finished.append((line, suggested))
        elif line.pk not in carried:
            offers.unfinished.append(line)
    return offers


# --- the self-assessment results, in the seed's words ----------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    """ "40", "66,7": one decimal with a Vietnamese comma, none when whole."""
    value = round(100 * part / whole, 1) if whole else 0
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def results_summary(cycle: Cycle) -> list[str]:
    """Item 3 of the Thanh Chấn seed's "Căn cứ": standards evaluated, per level the criteria achieved, and the level
    reached; [] while no indicator is rated. 3 queries."""

    if not IndicatorRating.objects.filter(cycle=cycle).exists():
        return []
    evaluation = cycle_evaluation(cycle)
    spec = get_spec(cycle.framework.code)
    standards = len({c.standard for c in spec.criteria}) if spec else 0
    lines = [f"Tổng số tiêu chuẩn được đánh giá: {standards:02d} tiêu chuẩn"]
    for level, count in sorted(evaluation.levels.items()):
        if not count.total:
            continue
        failed = count.total - count.achieved
        # The seed's own wording: "tiêu chí không đạt: 0", or "… không đạt: 3/5, tỉ lệ 60%." (with its full stop).
        failed_text = f"{failed}/{count.total}, tỉ lệ {percent(failed, count.total)}%." if failed else "0"
        lines.append(
            f"- Mức {level}: Tổng số {count.total:02d} tiêu chí, trong đó số tiêu chí đạt "
            f"{count.achieved}/{count.total}, tỉ lệ {percent(count.achieved, count.total)}%; "
            f"tiêu chí không đạt: {failed_text}"
        )
    school = evaluation.school_level
    lines.append(f"- Tự đánh giá đạt mức {school}" if school else "- Tự đánh giá chưa đạt mức 1")
    return lines
