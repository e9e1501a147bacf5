"""The plan in the school's next cycle: the unfinished lines of the previous year's plan carry over into this one
(linked to their origin, so their reviews stay visible), and a finished line's result becomes evidence of a
criterion of this cycle. Only within one school, from an earlier school year."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import school_year_end, school_year_start
from kiemdinh.evidence.models import Evidence
from kiemdinh.evidence.services import evidence_create, evidence_link_existing
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.improvement.models import ImprovementPlan, LineReview, LineStatus, PlanLine
from kiemdinh.improvement.services.common import LINE_FIELDS, is_tt57, line_data, lock_plan, record
from kiemdinh.improvement.services.lines import issue_create, line_create
from kiemdinh.selfassessment.models import Cycle

# --- unfinished lines carry over ------------------------------------------------------------------------------------


@dataclass
class CarryReport:
    carried: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _same_subject(target: ImprovementPlan, line: PlanLine) -> dict:
    """The line's criterion (or Mức 4 item) in the target plan, by code; {} when it has none there. Only within one
    framework version: under another circular the same code is another criterion."""
    version = target.cycle.framework
    if line.criterion_id:
        criterion = Criterion.objects.filter(version=version, code=line.criterion.code).first()
        return {"criterion": criterion} if criterion else {}
    item = Level4Item.objects.filter(version=version, code=line.level4_item.code).first()
    return {"level4_item": item} if item else {}


@transaction.atomic
def lines_carry_over(*, actor, plan: ImprovementPlan, source: ImprovementPlan) -> CarryReport:
    """Copy the source plan's unfinished lines into this plan, each linked to its origin (so its reviews stay
    visible). A line already carried over is not carried again."""
    plan = lock_plan(plan)
    if source.cycle.school_id != plan.cycle.school_id or source.cycle.school_year >= plan.cycle.school_year:
        raise ValidationError("Chỉ chuyển tiếp từ kế hoạch của một năm học trước của cùng trường.")
    report = CarryReport()
    already = set(plan.lines.filter(carried_from__isnull=False).values_list("carried_from_id", flat=True))
    tt57 = is_tt57(plan)
    other_circular = source.cycle.framework_id != plan.cycle.framework_id
    lines = source.lines.select_related("criterion", "level4_item", "issue").exclude(status=LineStatus.DONE)
    for line in lines:
        label = line_data(line)["subject"]
        if line.pk in already:
            continue
        if other_circular:
            report.skipped.append(
                f"{label} (bộ tiêu chuẩn khác: lập lại theo tiêu chí của {plan.cycle.framework.circular})"
            )
            continue
        subject = _same_subject(plan, line)
        if not subject:
            report.skipped.append(f"{label} (không có trong bộ tiêu chuẩn mới)")
            continue
        if tt57:
            old_issue = line.issue
            issue = plan.issues.filter(criterion=subject["criterion"]).first() or issue_create(
                actor=actor,
                plan=plan,
                criterion=subject["criterion"],
                limitation=old_issue.limitation if old_issue else line.target,
                current_state=old_issue.current_state if old_issue else "",
                cause=old_issue.cause if old_issue else "",
            )
            subject = {"issue": issue}
        values = {name: getattr(line, name) for name in LINE_FIELDS}
        year_start = school_year_start(plan.cycle.school_year)
        if line.due_on and line.due_on < year_start:
            # The work goes on in the new school year: from its start to its end (the old months stay in history).
            values["due_on"] = school_year_end(plan.cycle.school_year)
            values["starts_on"] = year_start if line.starts_on and line.starts_on < year_start else line.starts_on
            values["time_text"] = ""
        line_create(actor=actor, plan=plan, carried_from=line, **subject, **values)
        report.carried.append(label)
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_LINES_CARRIED_OVER,
        obj=plan,
        plan=plan,
        data={"from": source.pk, "carried": report.carried, "skipped": report.skipped},
    )
    return report


# --- finished ones become evidence ----------------------------------------------------------------------------------


@transaction.atomic
def line_result_to_evidence(*, actor, cycle: Cycle, line: PlanLine, criterion: Criterion):
    """A finished action of an earlier plan becomes evidence of `criterion` in this cycle: one item recording the
    result (kept on the line, so it is offered once), plus the evidence its reviews collected, linked not copied."""

    # Re-read with a lock: a stale or concurrent copy would create the result item twice.
    line = (
        PlanLine.objects.select_for_update(of=("self",))
        .select_related("plan__cycle", "result_evidence")
        .get(pk=line.pk)
    )
    source = line.plan
    if source.cycle.school_id != cycle.school_id or source.cycle.school_year >= cycle.school_year:
        raise ValidationError("Chỉ dùng kết quả của kế hoạch một năm học trước của cùng trường.")
    if line.status != LineStatus.DONE:
        raise ValidationError("Chỉ dùng làm minh chứng những hành động đã hoàn thành.")
    last = (
        LineReview.objects.filter(line=line, review__held_on__isnull=False)
        .select_related("review")
        .order_by("-review__held_on")
        .first()
    )
    if line.result_evidence_id:
        link = evidence_link_existing(actor=actor, cycle=cycle, evidence=line.result_evidence, criterion=criterion)
    else:
        subject = line_data(line)["subject"]
        plan_ref = f"Kế hoạch số {source.number}" if source.number else "Kế hoạch cải tiến chất lượng"
        link = evidence_create(
            actor=actor,
            cycle=cycle,
            criterion=criterion,
            name=f"Kết quả thực hiện kế hoạch cải tiến chất lượng năm học {source.cycle.school_year} — "
            f"{'Tiêu chí ' + subject if line.criterion_id else subject}: {line.target}"[:1000],
            issue_ref=f"{plan_ref}; rà soát ngày {last.review.held_on:%d/%m/%Y}" if last else plan_ref,
            issued_by=cycle.school.name,
            note=(last.progress if last else "")[:2000],
        )
        PlanLine.objects.filter(pk=line.pk).update(result_evidence=link.evidence)
    collected = Evidence.objects.filter(
        pk__in=LineReview.evidence.through.objects.filter(linereview__line=line).values("evidence_id")
    )
    for item in collected:
        evidence_link_existing(actor=actor, cycle=cycle, evidence=item, criterion=criterion)
    return link
