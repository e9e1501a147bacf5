"""What a dossier still lacks before it may be submitted or accepted, and the seven steps' states derived from it.

`dossier_blockers` is the one list: the principal's submit button, the step tracker of the cycle page and the
officer's accept page all read it, and `workflow.services.cycle_submit` / `cycle_accept` refuse while it is not empty (issue #18 §2).
"""

from dataclasses import dataclass

from django.db.models import TextChoices

from kiemdinh.evidence.selectors import citation_report, evidence_summary
from kiemdinh.frameworks.models import Indicator
from kiemdinh.improvement.selectors import Coverage, coverage, improvement_plan_of, overdue_lines
from kiemdinh.selfassessment.council.selectors import SEVEN_STEPS, council_problems, plan_step_schedule
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilDecision,
    CouncilMember,
    Cycle,
    CycleStatus,
    IndicatorRating,
    ReportText,
)
from kiemdinh.selfassessment.selectors import criteria_overview, report_sections, report_texts, school_statistics

# The step each kind of blocker belongs to (Điều 23: 1 council, 3 evidence, 4 criteria, 5 report, 7 improvement).
COUNCIL, EVIDENCE, CRITERIA, REPORT = 1, 3, 4, 5
UNKNOWN = object()  # an argument not given (None is a real value: no improvement plan)


@dataclass(frozen=True)
class Blocker:
    step: int
    text: str
    url_name: str  # the page where it is put right (takes the cycle id)


def _list(codes) -> str:
    codes = list(codes)
    shown = ", ".join(codes[:12])
    return shown + (f" và {len(codes) - 12} tiêu chí khác" if len(codes) > 12 else "")


def dossier_blockers(cycle: Cycle, rows=None, *, plan=UNKNOWN) -> list[Blocker]:
    """Everything that keeps the dossier from being submitted (or accepted), in step order. rows: the
    criteria_overview rows, plan: the improvement plan, when the caller has them already. A fixed number of
    queries."""

    found = [Blocker(COUNCIL, f"Hội đồng: {p}", "selfassessment:council") for p in council_problems(cycle)]
    if not CouncilDecision.objects.filter(cycle=cycle).exists():
        found.append(
            Blocker(
                COUNCIL,
                "Chưa ghi số và ngày ký quyết định thành lập hội đồng tự đánh giá.",
                "selfassessment:council",
            )
        )
    unknown = sorted(u.code for u in citation_report(cycle).unknown)
    if unknown:
        found.append(
            Blocker(
                EVIDENCE,
                "Phiếu đánh giá trích dẫn mã minh chứng không có trong danh mục: " + ", ".join(unknown) + ".",
                "evidence:health",
            )
        )
    if rows is None:
        rows, _ = criteria_overview(cycle)
    incomplete = [r.criterion.code for r in rows if r.missing]
    if incomplete:
        found.append(
            Blocker(
                CRITERIA,
                f"{len(incomplete)} phiếu đánh giá tiêu chí chưa đầy đủ (mô tả từng chỉ báo, điểm mạnh, điểm yếu, "
                f"kế hoạch cải tiến): {_list(incomplete)}.",
                "selfassessment:criteria",
            )
        )
    unrated = _unrated_criteria(cycle)
    if unrated:
        found.append(
            Blocker(
                CRITERIA,
                f"{len(unrated)} tiêu chí chưa tự đánh giá đủ các chỉ báo (đạt/không đạt): {_list(unrated)}.",
                "selfassessment:criteria",
            )
        )
    written = {k for k, v in report_texts(cycle).items() if v.strip()}
    unwritten = [s for s in report_sections(cycle) if s.key not in written]
    if unwritten:
        names = "; ".join(f"{s.group} – {s.title}" if not s.group.startswith("Phần") else s.title for s in unwritten)
        found.append(
            Blocker(
                REPORT,
                f"Báo cáo còn {len(unwritten)} phần chưa viết: {names[:400]}{'…' if len(names) > 400 else ''}.",
                "selfassessment:report_texts",
            )
        )
    empty = [t.title for t in school_statistics(cycle) if t.is_empty]
    if empty:
        found.append(
            Blocker(
                REPORT,
                "Chưa nhập số liệu Phần I (Cơ sở dữ liệu): " + "; ".join(empty) + ".",
                "selfassessment:school_data",
            )
        )
    plan = improvement_plan_of(cycle) if plan is UNKNOWN else plan
    if plan is None or not plan.is_issued:
        found.append(
            Blocker(
                REPORT,
                "Kế hoạch cải tiến chất lượng chưa được ban hành."
                if plan
                else "Chưa lập và ban hành kế hoạch cải tiến chất lượng.",
                "improvement:plan",
            )
        )
    return found


def submission_blockers(cycle: Cycle, rows=None) -> list[str]:
    """The blockers as sentences (the services' refusal message)."""
    return [b.text for b in dossier_blockers(cycle, rows)]


def _unrated_criteria(cycle: Cycle) -> list[str]:
    """Criteria with an indicator that has no result yet (2 queries)."""
    rated = set(IndicatorRating.objects.filter(cycle=cycle).values_list("indicator_id", flat=True))
    codes = []
    for pk, code in (
        Indicator.objects.filter(criterion__version_id=cycle.framework_id)
        .order_by("criterion__position", "level", "position")
        .values_list("pk", "criterion__code")
    ):
        if pk not in rated and code not in codes:
            codes.append(code)
    return codes


# --- The seven steps (Điều 23) ---------------------------------------------------------------------------------------


class StepStatus(TextChoices):
    DONE = "done", "Hoàn thành"
    DOING = "doing", "Đang thực hiện"
    TODO = "todo", "Chưa bắt đầu"


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    status: StepStatus
    starts_on: object
    ends_on: object
    owners: tuple[str, ...]
    missing: tuple[str, ...]
    url_name: str
    anchor: str = ""  # a place on the cycle page itself, for the steps done there

    @property
    def status_label(self) -> str:
        return self.status.label


def readiness(cycle: Cycle, criteria_rows) -> tuple[list[Blocker], list[Step]]:
    """The blockers and the seven steps of a cycle's page, reading the improvement plan once."""

    plan = improvement_plan_of(cycle)
    blockers = dossier_blockers(cycle, criteria_rows, plan=plan)
    return blockers, cycle_steps(cycle, criteria_rows, blockers, plan=plan)


def _status(done: bool, started: bool) -> StepStatus:
    return StepStatus.DONE if done else (StepStatus.DOING if started else StepStatus.TODO)


def cycle_steps(cycle: Cycle, criteria_rows, blockers: list[Blocker] | None = None, *, plan=UNKNOWN) -> list[Step]:
    """The seven steps, each with a state derived from the dossier's blockers and its own data, the plan's dates and
    owners, and what is missing."""

    plan = improvement_plan_of(cycle) if plan is UNKNOWN else plan
    blockers = dossier_blockers(cycle, criteria_rows, plan=plan) if blockers is None else blockers
    by_step: dict[int, list[str]] = {}
    for blocker in blockers:
        by_step.setdefault(blocker.step, []).append(blocker.text)
    schedule = plan_step_schedule(cycle)
    members = CouncilMember.objects.filter(cycle=cycle).count()
    assessment_plan = AssessmentPlan.objects.filter(cycle=cycle).first()
    evidence = evidence_summary(cycle)
    described = [r for r in criteria_rows if not any("mô tả" in m or "nội dung" in m for m in r.missing)]
    submitted = cycle.status in (CycleStatus.SUBMITTED, CycleStatus.ACCEPTED)
    has_plan_text = bool(assessment_plan and assessment_plan.purpose)

    evidence_missing = (["Chưa có minh chứng nào."] if not evidence["total"] else []) + (
        [f"{len(evidence['criteria_without'])} tiêu chí chưa có minh chứng: {_list(evidence['criteria_without'])}."]
        if evidence["criteria_without"]
        else []
    )
    report_missing = by_step.get(REPORT, []) + ([] if submitted else ["Hiệu trưởng chưa phê duyệt và nộp báo cáo."])
    states = {
        1: (
            _status(members > 0 and not by_step.get(COUNCIL), members > 0),
            (["Chưa có thành viên hội đồng."] if not members else []) + by_step.get(COUNCIL, []),
            "selfassessment:council",
            "",
        ),
        2: (
            _status(has_plan_text and bool(schedule), bool(assessment_plan) or bool(schedule)),
            (["Chưa ghi mục đích tự đánh giá."] if not has_plan_text else [])
            + (["Chưa có lịch các hoạt động."] if not schedule else []),
            "selfassessment:plan",
            "",
        ),
        3: (
            _status(not evidence_missing and not by_step.get(EVIDENCE), evidence["total"] > 0),
            evidence_missing + by_step.get(EVIDENCE, []),
            "evidence:list",
            "",
        ),
        4: (
            _status(not by_step.get(CRITERIA), bool(described)),
            by_step.get(CRITERIA, []),
            "selfassessment:criteria",
            "",
        ),
        5: (
            # Done only when submitted with nothing missing: a dossier submitted before a rule existed shows what it
            # lacks rather than "Hoàn thành".
            _status(
                submitted and not blockers,
                submitted or ReportText.objects.filter(cycle=cycle).exclude(text="").exists(),
            ),
            report_missing,
            "selfassessment:report_texts",
            "",
        ),
        6: (
            _status(bool(cycle.published_at), cycle.status == CycleStatus.ACCEPTED),
            [] if cycle.published_at else ["Chưa công bố (công bố sau khi cơ quan quản lý chấp nhận)."],
            "workflow:cycle_detail",
            "phe-duyet",
        ),
        7: _improvement_step(cycle, plan),
    }
    steps = []
    for number, title in enumerate(SEVEN_STEPS, start=1):
        state, missing, url_name, anchor = states[number]
        activities = schedule.get(number, [])
        starts = [a.starts_on for a in activities if a.starts_on]
        ends = [a.ends_on for a in activities if a.ends_on]
        owners = tuple(dict.fromkeys(a.owner for a in activities if a.owner))
        steps.append(
            Step(
                number,
                title,
                state,
                min(starts) if starts else None,
                max(ends) if ends else None,
                owners,
                tuple(missing),
                url_name,
                anchor,
            )
        )
    return steps


def _improvement_step(cycle: Cycle, plan) -> tuple[StepStatus, list[str], str, str]:
    """Step 7: the improvement plan is made, issued, and followed by reviews."""

    if plan is None:
        return StepStatus.TODO, ["Chưa lập kế hoạch cải tiến chất lượng."], "improvement:plan", ""
    missing = []
    uncovered = [row.label for row in coverage(plan) if row.state == Coverage.UNCOVERED]
    if uncovered:
        missing.append(f"{len(uncovered)} điểm yếu chưa có dòng kế hoạch hoặc lý do: {', '.join(uncovered)}.")
    if not plan.is_issued:
        missing.append("Kế hoạch chưa ban hành.")
    held = plan.reviews.filter(held_on__isnull=False).count()
    if not held:
        missing.append("Tổ giám sát chưa ghi kết quả rà soát nào.")
    overdue = [line for line in overdue_lines([cycle.school_id]).get(cycle.school_id, []) if line.plan_id == plan.pk]
    if overdue:
        missing.append(f"{len(overdue)} dòng kế hoạch quá hạn.")
    return _status(plan.is_issued and held > 0 and not uncovered, True), missing, "improvement:plan", ""
