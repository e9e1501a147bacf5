"""The plan's monitoring (giám sát): the monitoring team, the schedule of its reviews (one at a time or from a preset:
monthly, or TT57's two terms) and the recording of a review, which sets each line's status and progress, can move
a line's completion month as an adjustment, and collects the evidence of what was done."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import first_year, school_year_start
from kiemdinh.core.text import clean
from kiemdinh.evidence.models import Evidence
from kiemdinh.evidence.services import evidence_record
from kiemdinh.improvement.models import (
    ImprovementPlan,
    LineReview,
    LineStatus,
    MonitoringMember,
    MonitorRole,
    PlanLine,
    Review,
    ReviewKind,
)
from kiemdinh.improvement.services.common import line_data, lock_plan, month_end, record, user_or_none

# --- the monitoring team --------------------------------------------------------------------------------------------


@transaction.atomic
def monitor_add(
    *, actor, plan: ImprovementPlan, full_name: str, job_title: str = "", role: str = MonitorRole.MEMBER, user=None
) -> MonitoringMember:
    plan = lock_plan(plan)
    full_name = clean(full_name or "") or (user.display_name if user else "")
    if not full_name:
        raise ValidationError({"full_name": "Hãy ghi họ và tên thành viên tổ giám sát."})
    if role not in MonitorRole.values:
        raise ValidationError({"role": "Nhiệm vụ không hợp lệ."})
    if role == MonitorRole.LEADER and plan.monitors.filter(role=MonitorRole.LEADER).exists():
        raise ValidationError({"role": "Tổ giám sát đã có tổ trưởng."})
    if user is not None:
        if not user_scope(user).roles_at_school(plan.cycle.school_id):
            raise ValidationError({"user": "Tài khoản này không thuộc trường."})
        if plan.monitors.filter(user=user).exists():
            raise ValidationError({"user": "Tài khoản này đã có trong tổ giám sát."})
    position = (plan.monitors.aggregate(m=Max("position"))["m"] or 0) + 1
    member = MonitoringMember.objects.create(
        plan=plan,
        full_name=full_name,
        job_title=clean(job_title or "")[:200],
        role=role,
        user=user,
        position=position,
    )
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_MONITOR_ADDED,
        obj=member,
        plan=plan,
        data={"name": full_name, "role": role},
    )
    return member


@transaction.atomic
def monitor_remove(*, actor, member: MonitoringMember) -> None:
    plan = lock_plan(member.plan)
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_MONITOR_REMOVED,
        obj=member,
        plan=plan,
        data={"name": member.full_name},
    )
    member.delete()


# --- reviews --------------------------------------------------------------------------------------------------------


def _review_date(plan: ImprovementPlan, value) -> date:
    if not isinstance(value, date):
        raise ValidationError({"scheduled_on": "Hãy chọn ngày rà soát."})
    start = school_year_start(plan.cycle.school_year)
    if not (date(start.year - 1, 1, 1) <= value <= date(start.year + 6, 12, 31)):
        raise ValidationError({"scheduled_on": "Ngày rà soát nằm quá xa năm học của kế hoạch."})
    return value


@transaction.atomic
def review_schedule(
    *, actor, plan: ImprovementPlan, scheduled_on: date, title: str = "", kind: str = ReviewKind.OTHER
) -> Review:
    plan = lock_plan(plan)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "Loại rà soát không hợp lệ."})
    scheduled_on = _review_date(plan, scheduled_on)
    title = clean(title or "")[:200] or f"{ReviewKind(kind).label} ({scheduled_on:%m/%Y})"
    if plan.reviews.filter(scheduled_on=scheduled_on).exists():
        raise ValidationError({"scheduled_on": f"Đã có đợt rà soát ngày {scheduled_on:%d/%m/%Y}."})
    review = Review.objects.create(plan=plan, kind=kind, title=title, scheduled_on=scheduled_on)
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_REVIEW_SCHEDULED,
        obj=review,
        plan=plan,
        data={"date": scheduled_on.isoformat()},
    )
    return review


def preset_dates(plan: ImprovementPlan, preset: str) -> list[tuple[str, str, date]]:
    """(kind, title, date) of a schedule preset for the plan's school year: "monthly" (end of each month, October to
    April, plus the end of term I and of the year) or "terms" (end of term I, end of the year: TT57's minimum)."""
    first = first_year(plan.cycle.school_year)
    term_i = (ReviewKind.TERM_I, "Sơ kết cuối học kỳ I", date(first + 1, 1, 15))
    year_end = (ReviewKind.YEAR_END, "Tổng kết cuối năm học", date(first + 1, 5, 25))
    if preset == "terms":
        return [term_i, year_end]
    if preset == "monthly":
        months = [(first, m) for m in (10, 11, 12)] + [(first + 1, m) for m in (2, 3, 4)]
        monthly = [
            (ReviewKind.MONTHLY, f"Sơ kết tháng {m:02d}/{y}", date(y, m, calendar.monthrange(y, m)[1]))
            for y, m in months
        ]
        return sorted([*monthly, term_i, year_end], key=lambda row: row[2])
    raise ValidationError({"preset": "Lịch mẫu không hợp lệ."})


@transaction.atomic
def review_schedule_preset(*, actor, plan: ImprovementPlan, preset: str) -> list[Review]:
    """Add the preset's reviews that the plan does not have yet (same date or same kind for the terms)."""
    plan = lock_plan(plan)
    have_dates = set(plan.reviews.values_list("scheduled_on", flat=True))
    have_kinds = set(
        plan.reviews.filter(kind__in=[ReviewKind.TERM_I, ReviewKind.YEAR_END]).values_list("kind", flat=True)
    )
    created = []
    for kind, title, on in preset_dates(plan, preset):
        if on in have_dates or kind in have_kinds:
            continue
        created.append(Review.objects.create(plan=plan, kind=kind, title=title, scheduled_on=on))
    if created:
        record(
            actor=actor,
            event_type=Event.IMPROVEMENT_REVIEWS_SCHEDULED,
            obj=plan,
            plan=plan,
            data={"preset": preset, "dates": [r.scheduled_on.isoformat() for r in created]},
        )
    return created


@transaction.atomic
def review_delete(*, actor, review: Review) -> None:
    plan = lock_plan(review.plan)
    review = Review.objects.select_for_update().get(pk=review.pk)  # the caller's copy may predate its recording
    if review.is_held:
        raise ValidationError("Đợt rà soát đã có kết quả nên không xóa được.")
    record(
        actor=actor, event_type=Event.IMPROVEMENT_REVIEW_DELETED, obj=review, plan=plan, data={"title": review.title}
    )
    review.delete()


@dataclass
class EntryInput:
    """One line's result at a review, as the form gives it."""

    status: str
    progress: str = ""
    adjustment: str = ""
    new_due_on: date | None = None
    evidence_ids: list[int] = field(default_factory=list)
    files: list = field(default_factory=list)  # uploaded files → a new evidence item of the school


def _refresh_status(line: PlanLine) -> None:
    latest = (
        LineReview.objects.filter(line=line, review__held_on__isnull=False)
        .order_by("-review__held_on", "-review__scheduled_on", "-id")
        .first()
    )
    status = latest.status if latest else LineStatus.NOT_STARTED
    if line.status != status:
        line.status = status
        line._change_reason = f"Kết quả rà soát: {LineStatus(status).label}"
        line.save(update_fields=["status", "updated_at"])


@transaction.atomic
def review_record(*, actor, review: Review, held_on: date, summary: str, entries: dict[int, EntryInput]) -> Review:
    """Record (or correct) a review: every line's status, progress note, adjustment and evidence.

    An adjustment (status "Điều chỉnh") needs its content; a new completion month is applied to the line with the
    adjustment as the reason, so the line's history shows what changed and why. Lines not given keep their status.
    """
    plan = lock_plan(review.plan)
    review = Review.objects.select_for_update().get(pk=review.pk)
    errors = []
    if not isinstance(held_on, date):
        raise ValidationError({"held_on": "Hãy ghi ngày thực hiện rà soát."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Ngày thực hiện rà soát không được sau hôm nay."})
    lines = {line.pk: line for line in plan.lines.select_related("criterion", "level4_item")}
    school = plan.cycle.school
    for line_id, entry in entries.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError("Dòng kế hoạch không thuộc kế hoạch này.")
        label = line_data(line)["subject"]
        if entry.status not in LineStatus.values:
            errors.append(f"{label}: trạng thái không hợp lệ.")
        if entry.status == LineStatus.ADJUSTED and not clean(entry.adjustment):
            errors.append(f"{label}: trạng thái “Điều chỉnh” cần ghi nội dung điều chỉnh.")
        if entry.new_due_on and not clean(entry.adjustment):
            errors.append(f"{label}: đổi thời gian hoàn thành cần ghi nội dung điều chỉnh.")
        if entry.new_due_on and line.starts_on and month_end(entry.new_due_on) < line.starts_on:
            errors.append(f"{label}: tháng hoàn thành mới phải sau tháng bắt đầu.")
        if entry.evidence_ids:
            found = Evidence.objects.filter(pk__in=entry.evidence_ids, school=school).count()
            if found != len(set(entry.evidence_ids)):
                errors.append(f"{label}: minh chứng không thuộc trường.")
    if errors:
        raise ValidationError(errors)
    review.held_on = held_on
    review.summary = clean(summary or "")
    review.recorded_by = user_or_none(actor)
    review.recorded_at = timezone.now()
    review.save()
    for line_id, entry in entries.items():
        line = lines[line_id]
        row, _ = LineReview.objects.update_or_create(
            review=review,
            line=line,
            defaults={
                "status": entry.status,
                "progress": clean(entry.progress or ""),
                "adjustment": clean(entry.adjustment or ""),
            },
        )
        evidence_ids = set(entry.evidence_ids)
        if entry.files:
            item = evidence_record(
                actor=actor,
                school=school,
                name=f"Minh chứng thực hiện kế hoạch cải tiến — {line_data(line)['subject']} ({review.title})",
                issue_ref=f"{held_on:%d/%m/%Y}",
                issued_by=school.name,
                files=entry.files,
            )
            evidence_ids.add(item.pk)
        row.evidence.set(evidence_ids)
        if entry.new_due_on and month_end(entry.new_due_on) != line.due_on:
            line.due_on = month_end(entry.new_due_on)
            line.time_text = ""
            line._change_reason = f"Điều chỉnh tại {review.title}: {clean(entry.adjustment)}"
            line.save(update_fields=["due_on", "time_text", "updated_at"])
        _refresh_status(line)
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_REVIEW_RECORDED,
        obj=review,
        plan=plan,
        data={"title": review.title, "held_on": held_on.isoformat(), "lines": len(entries)},
    )
    return review
