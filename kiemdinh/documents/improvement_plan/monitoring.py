"""The report of the improvement plan's monitoring as plain data: the monitoring team, the reviews held and every line
with its latest status."""

from dataclasses import dataclass
from datetime import date

from django.db.models import prefetch_related_objects
from django.utils import timezone

from kiemdinh.core.office.docx_kit import Text
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.documents.common import CycleHeader, document_header, place_date, vn_date
from kiemdinh.documents.improvement_plan.plan import NO_PLAN, lines_of, plan_of, reviews_held, spaced_year
from kiemdinh.documents.report.context import ReportContext
from kiemdinh.evidence.selectors import versions_as_of
from kiemdinh.frameworks.choices import Regime
from kiemdinh.improvement.models import LineStatus, MonitoringMember, MonitorRole, PlanLine
from kiemdinh.improvement.selectors import is_overdue, monitoring_state, plan_table
from kiemdinh.improvement.services import time_label
from kiemdinh.selfassessment.models import Cycle


def _subject(line: PlanLine) -> str:
    if line.criterion_id:
        return f"Tiêu chí {line.criterion.code}"
    return f"Mức 4 – Tiêu chí {line.level4_item.code}"


@dataclass(frozen=True)
class MonitorRow:
    number: str
    full_name: str
    job_title: str
    role: str  # Tổ trưởng / Thành viên


@dataclass(frozen=True)
class ReviewRow:
    number: str
    held_on: str
    title: str
    summary: str


@dataclass(frozen=True)
class LineProgress:
    number: str
    subject: str  # "Tiêu chí 1.6", "Mức 4 – Tiêu chí 2"
    target: str
    owners: str
    time: str
    progress: tuple[str, ...]  # one per held review of the line: "dd/mm/yyyy — Hoàn thành: …"
    adjustments: tuple[str, ...]
    evidence: tuple[str, ...]  # names of the evidence collected at the reviews
    status: str
    overdue: bool

    @property
    def cells(self) -> tuple:
        return (
            self.number,
            self.subject,
            self.target,
            self.owners,
            self.time,
            self.progress or "",
            self.adjustments or "",
            self.evidence or "",
            self.status,
        )


@dataclass(frozen=True)
class MonitoringReportContext:
    header: CycleHeader
    tt57: bool
    number: Text
    place_date: Text
    school_year: str
    plan_reference: str  # the sentence that opens the report
    monitors: tuple[MonitorRow, ...]
    monitors_missing: Missing | None
    reviews: tuple[ReviewRow, ...]
    reviews_missing: Missing | None
    upcoming: tuple[str, ...]  # reviews scheduled and not held yet: "Sơ kết tháng 03/2027 (31/03/2027)"
    lines: tuple[LineProgress, ...]
    lines_missing: Missing | None
    total: int
    counts: tuple[tuple[str, int], ...]  # (status label, lines), in the order of the work
    overdue: tuple[str, ...]
    recipients: tuple[str, ...]
    signer_title: str
    signer_name: Text
    as_of: date  # overdue lines are those overdue on this day, the date of the report
    missing: tuple[str, ...]


STATUS_ORDER = (
    LineStatus.DONE,
    LineStatus.IN_PROGRESS,
    LineStatus.ADJUSTED,
    LineStatus.LATE,
    LineStatus.NOT_STARTED,
)

REPORT_DATE = "ngày báo cáo (ngày của đợt rà soát gần nhất)"


def _due_text(line: PlanLine) -> str:
    return f"tháng {line.due_on.month}/{line.due_on.year}" if line.due_on else time_label(line)  # as the seed


def build_monitoring_report(
    cycle: Cycle, as_of: date | None = None, header: CycleHeader | None = None
) -> MonitoringReportContext:
    """The report as of a day: the one given, else the day of the latest review held (the report follows it), else
    today. At most 12 queries whatever the plan's size: header (2–3, none when given), plan, table (2–3), lines
    carried over, reviews with their entries and evidence (3), monitors."""
    log = MissingLog()
    header = header or document_header(cycle)
    tt57 = header.regime == Regime.TT57
    plan = plan_of(cycle)
    number = log.value(plan.report_number if plan else "", "số báo cáo")
    year = spaced_year(cycle.school_year)
    if plan is None:
        marker = log.missing(NO_PLAN)
        return MonitoringReportContext(
            header=header,
            tt57=tt57,
            number=number,
            place_date=place_date(header.place, as_of) if as_of else log.missing(REPORT_DATE),
            school_year=year,
            plan_reference="",
            monitors=(),
            monitors_missing=marker,
            reviews=(),
            reviews_missing=marker,
            upcoming=(),
            lines=(),
            lines_missing=marker,
            total=0,
            counts=(),
            overdue=(),
            recipients=("Hiệu trưởng (để b/c)", "Lưu: VT"),
            signer_title="TỔ TRƯỞNG TỔ GIÁM SÁT",
            signer_name=_signer_name(log, header.principal),
            as_of=as_of or timezone.localdate(),
            missing=log.labels,
        )

    table_ = plan_table(plan)
    lines = lines_of(plan, table_)
    prefetch_related_objects(lines, "carried_to")  # is_overdue asks whether a line was carried over: one query
    state = monitoring_state(plan, table_)
    held = reviews_held(state)
    dated = as_of or (held[-1].held_on if held else None)
    as_of = dated or timezone.localdate()
    members = list(MonitoringMember.objects.filter(plan=plan))
    monitors = tuple(
        MonitorRow(str(n), m.full_name, m.job_title, MonitorRole(m.role).label) for n, m in enumerate(members, 1)
    )
    reviews = tuple(ReviewRow(str(n), vn_date(r.held_on), r.title, r.summary) for n, r in enumerate(held, start=1))
    upcoming = tuple(f"{r.title} (dự kiến ngày {vn_date(r.scheduled_on)})" for r in state.reviews if not r.is_held)

    entries: dict[int, list] = {}
    for review in held:
        for entry in review.entries.all():
            entries.setdefault(entry.line_id, []).append((review, entry))
    shown = versions_as_of(
        (cycle.pk, item.pk) for found in entries.values() for _, entry in found for item in entry.evidence.all()
    )
    rows, overdue = [], []
    for n, line in enumerate(lines, start=1):
        subject = f"Tiêu chí {line.criterion.code}" if tt57 else _subject(line)
        found = entries.get(line.pk, [])
        progress, adjustments, evidence = [], [], {}
        for review, entry in found:
            label = LineStatus(entry.status).label
            progress.append(
                f"{vn_date(review.held_on)} — {label}: {entry.progress}"
                if entry.progress
                else f"{vn_date(review.held_on)} — {label}"
            )
            if entry.adjustment:
                adjustments.append(f"{vn_date(review.held_on)}: {entry.adjustment}")
            for item in entry.evidence.all():
                if (cycle.pk, item.pk) in shown:
                    evidence.setdefault(item.pk, shown[(cycle.pk, item.pk)].name)
        late = is_overdue(line, as_of)
        status = LineStatus(line.status).label
        rows.append(
            LineProgress(
                number=str(n),
                subject=subject,
                target=line.target,
                owners=line.owners,
                time=time_label(line),
                progress=tuple(progress),
                adjustments=tuple(adjustments),
                evidence=tuple(evidence.values()),
                status=status,
                overdue=late,
            )
        )
        if late:
            overdue.append(f"{n}. {subject}: {line.target} (hạn hoàn thành {_due_text(line)}; trạng thái: {status}).")

    leader = next((m for m in members if m.role == MonitorRole.LEADER), None)
    if leader:
        signer_title, signer_name = "TỔ TRƯỞNG TỔ GIÁM SÁT", leader.full_name
        recipients = ("Hiệu trưởng (để b/c)", "Hội đồng tự đánh giá", "Lưu: VT")
    else:
        signer_title = plan.signer_title or "HIỆU TRƯỞNG"
        signer_name = plan.signer_name or _signer_name(log, header.principal)
        recipients = ("Hội đồng tự đánh giá", "Lưu: VT")
    plan_number = f" số {plan.number}" if plan.number else ""
    plan_date = f" ngày {vn_date(plan.issued_on)}" if plan.issued_on else ""
    reference = (
        f"Căn cứ Kế hoạch{plan_number}{plan_date} của {header.school_name} về cải tiến chất lượng giáo dục sau tự "
        f"đánh giá năm học {cycle.school_year}, Tổ giám sát báo cáo kết quả giám sát việc thực hiện kế hoạch như sau:"
    )
    return MonitoringReportContext(
        header=header,
        tt57=tt57,
        number=number,
        place_date=place_date(plan.place or header.place, dated) if dated else log.missing(REPORT_DATE),
        school_year=year,
        plan_reference=reference,
        monitors=monitors,
        monitors_missing=None if monitors else log.missing("thành viên tổ giám sát"),
        reviews=reviews,
        reviews_missing=None if reviews else log.missing("kết quả rà soát (chưa có đợt rà soát nào được ghi kết quả)"),
        upcoming=upcoming,
        lines=tuple(rows),
        lines_missing=None if rows else log.missing("nội dung kế hoạch (kế hoạch chưa có dòng nào)"),
        total=len(rows),
        counts=tuple((status.label, state.by_status[status.value]) for status in STATUS_ORDER),
        overdue=tuple(overdue),
        recipients=recipients,
        signer_title=signer_title,
        signer_name=signer_name,
        as_of=as_of,
        missing=log.labels,
    )


def _signer_name(log: MissingLog, principal: Text) -> Text:
    return log.missing("người ký báo cáo") if isinstance(principal, Missing) or not principal else principal


def monitoring_report_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the monitoring report lacks: its context on the report's header."""
    return build_monitoring_report(cycle, header=report.header).missing
