"""Carry-over: the `*_copy` services bring an earlier cycle's council, plan or worksheet of the same school into a
later cycle where that part is still empty, and report what they copied and what they could not (`CopyReport`). Each
is keyword-only, atomic, with one audit event."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.accounts.models import Membership
from kiemdinh.core.audit import Event
from kiemdinh.frameworks.models import Criterion, Indicator
from kiemdinh.selfassessment.council.constants import PLAN_TEXT_FIELDS, SCOPE_TEXT_FIELDS
from kiemdinh.selfassessment.council.selectors import usable_level4_items
from kiemdinh.selfassessment.council.services._common import record, user_or_none
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilMember,
    CriterionAssignment,
    Cycle,
    PlanActivity,
    ScopeAnalysis,
    WorkingGroup,
)
from kiemdinh.selfassessment.services import ensure_editable


@dataclass(frozen=True)
class CopyReport:
    """What a carry-over copied (counts by kind) and what it could not (one Vietnamese line each)."""

    counts: dict[str, int]
    skipped: tuple[str, ...] = ()


def _check_carry_over(source: Cycle, target: Cycle) -> None:
    if source.pk == target.pk:
        raise ValidationError("Không sao chép một đợt tự đánh giá vào chính nó.")
    if source.school_id != target.school_id:
        raise ValidationError("Chỉ sao chép được từ một đợt tự đánh giá của cùng trường.")
    if source.school_year >= target.school_year:
        raise ValidationError(
            f"Chỉ sao chép được từ năm học trước: {source.school_year} không trước {target.school_year}."
        )
    ensure_editable(target)


# --- Council ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def council_copy(*, actor, source: Cycle, target: Cycle) -> CopyReport:
    """Copy the working groups, members and assignments of an earlier cycle of the same school into a cycle whose
    council is still empty. Criteria and Mức 4 items are matched by code in the target's framework; those it lacks
    are skipped and reported, as are account links to users no longer at the school."""
    _check_carry_over(source, target)
    if CouncilMember.objects.filter(cycle=target).exists() or WorkingGroup.objects.filter(cycle=target).exists():
        raise ValidationError(
            f"Hội đồng năm học {target.school_year} đã có thành viên hoặc nhóm công tác; "
            "chỉ sao chép được vào hội đồng còn trống."
        )
    skipped: list[str] = []
    group_map: dict[int, WorkingGroup] = {}
    for group in WorkingGroup.objects.filter(cycle=source):
        group_map[group.pk] = WorkingGroup.objects.create(
            cycle=target, name=group.name, note=group.note, position=group.position
        )
    active_users = set(Membership.objects.active().filter(school_id=target.school_id).values_list("user_id", flat=True))
    member_map: dict[int, CouncilMember] = {}
    for member in CouncilMember.objects.filter(cycle=source).select_related("user"):
        user_id = member.user_id if member.user_id in active_users else None
        if member.user_id and user_id is None:
            skipped.append(f"tài khoản của {member.full_name} (không còn thuộc trường)")
        member_map[member.pk] = CouncilMember.objects.create(
            cycle=target,
            full_name=member.full_name,
            job_title=member.job_title,
            role=member.role,
            user_id=user_id,
            group=group_map.get(member.group_id),
            position=member.position,
        )
    criteria = dict(Criterion.objects.filter(version_id=target.framework_id).values_list("code", "pk"))
    items = dict(usable_level4_items(target.framework_id).values_list("code", "pk"))
    new_rows = []
    for a in (
        CriterionAssignment.objects.filter(cycle=source)
        .select_related("criterion", "level4_item")
        .order_by("criterion__position", "level4_item__position")
    ):
        if a.criterion_id:
            target_ids = {"criterion_id": criteria.get(a.criterion.code)}
            label = f"tiêu chí {a.criterion.code}"
        else:
            target_ids = {"level4_item_id": items.get(a.level4_item.code)}
            label = f"tiêu chí Mức 4 số {a.level4_item.code}"
        if None in target_ids.values():
            skipped.append(f"{label} (không có trong {target.framework.short_name})")
            continue
        group = group_map.get(a.group_id)
        member = member_map.get(a.member_id)
        new_rows.append(CriterionAssignment(cycle=target, group=group, member=member, **target_ids))
    CriterionAssignment.objects.bulk_create(new_rows)
    report = CopyReport(
        counts={"groups": len(group_map), "members": len(member_map), "assignments": len(new_rows)},
        skipped=tuple(skipped),
    )
    record(
        actor=actor,
        event_type=Event.COUNCIL_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, **report.counts, "skipped": skipped},
    )
    return report


# --- Plan ----------------------------------------------------------------------------------------------------------


def _shift_years(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a common year
        return value.replace(year=value.year + years, day=28)


@transaction.atomic
def plan_copy(*, actor, source: Cycle, target: Cycle) -> CopyReport:
    """Carry a plan over: its texts (the school year written in them updated) and its activities, dates shifted by
    the whole years between the two school years. The number and date of issue belong to the old document and are
    not copied. Refused when the target plan already has content."""
    _check_carry_over(source, target)
    existing = AssessmentPlan.objects.filter(cycle=target).first()
    if PlanActivity.objects.filter(cycle=target).exists() or (
        existing and any(getattr(existing, f) for f in ("number", "issued_on", *PLAN_TEXT_FIELDS))
    ):
        raise ValidationError(
            f"Kế hoạch năm học {target.school_year} đã có nội dung; chỉ sao chép được vào kế hoạch còn trống."
        )
    years = int(target.school_year[:4]) - int(source.school_year[:4])

    def carry(text: str) -> str:
        return text.replace(source.school_year, target.school_year)

    texts = 0
    old_plan = AssessmentPlan.objects.filter(cycle=source).first()
    if old_plan is not None:
        plan = existing or AssessmentPlan(cycle=target)
        for name in PLAN_TEXT_FIELDS:
            setattr(plan, name, carry(getattr(old_plan, name)))
        plan.updated_by = user_or_none(actor)
        plan.save()
        texts = sum(1 for name in PLAN_TEXT_FIELDS if getattr(plan, name))
    activities = PlanActivity.objects.bulk_create(
        [
            PlanActivity(
                cycle=target,
                step=a.step,
                title=carry(a.title),
                starts_on=_shift_years(a.starts_on, years),
                ends_on=_shift_years(a.ends_on, years),
                owner=a.owner,
                note=carry(a.note),
                position=a.position,
            )
            for a in PlanActivity.objects.filter(cycle=source).order_by("position", "id")
        ]
    )
    report = CopyReport(counts={"texts": texts, "activities": len(activities)})
    record(
        actor=actor,
        event_type=Event.PLAN_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, "years_shifted": years, **report.counts},
    )
    return report


# --- Nội hàm worksheet ----------------------------------------------------------------------------------------------


@transaction.atomic
def worksheet_copy(*, actor, source: Cycle, target: Cycle) -> CopyReport:
    """Carry the worksheet over to a later cycle whose worksheet is empty. Indicators are matched by criterion code,
    level and letter, Mức 4 items by code; unmatched rows are reported. Across regimes (2018 → TT57) nothing is
    copied: criteria with the same code there have different requirements, so their nội hàm would be wrong."""
    _check_carry_over(source, target)
    if ScopeAnalysis.objects.filter(cycle=target).exists():
        raise ValidationError(
            f"Phiếu nội hàm năm học {target.school_year} đã có nội dung; chỉ sao chép được vào phiếu còn trống."
        )
    rows = list(
        ScopeAnalysis.objects.filter(cycle=source).select_related("indicator__criterion", "level4_item").order_by("id")
    )
    if source.framework.regime != target.framework.regime:
        report = CopyReport(
            counts={"rows": 0},
            skipped=(
                f"toàn bộ {len(rows)} dòng: {source.framework.short_name} và {target.framework.short_name} "
                "có yêu cầu khác nhau, cần xác định lại nội hàm",
            )
            if rows
            else (),
        )
    else:
        indicators = {
            (code, level, letter): pk
            for pk, code, level, letter in Indicator.objects.filter(
                criterion__version_id=target.framework_id
            ).values_list("pk", "criterion__code", "level", "letter")
        }
        items = dict(usable_level4_items(target.framework_id).values_list("code", "pk"))
        new_rows, skipped = [], []
        for row in rows:
            texts = {name: getattr(row, name) for name in SCOPE_TEXT_FIELDS}
            if row.indicator_id:
                i = row.indicator
                pk = indicators.get((i.criterion.code, i.level, i.letter))
                target_key = {"indicator_id": pk}
                label = f"chỉ báo {i.criterion.code} Mức {i.level}{' ' + i.letter + ')' if i.letter else ''}"
            else:
                pk = items.get(row.level4_item.code)
                target_key = {"level4_item_id": pk}
                label = f"tiêu chí Mức 4 số {row.level4_item.code}"
            if pk is None:
                skipped.append(label)
                continue
            new_rows.append(ScopeAnalysis(cycle=target, updated_by=user_or_none(actor), **texts, **target_key))
        ScopeAnalysis.objects.bulk_create(new_rows)
        report = CopyReport(counts={"rows": len(new_rows)}, skipped=tuple(skipped))
    record(
        actor=actor,
        event_type=Event.WORKSHEET_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, **report.counts, "skipped": list(report.skipped)},
    )
    return report
