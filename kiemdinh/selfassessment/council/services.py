"""Writes of the council (hội đồng tự đánh giá), the self-assessment plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục
2/3): working groups, members, who drafts which criterion, the decision forming the council, the plan's texts and
timeline, a worksheet row, and the `*_copy` services that carry one cycle's work over to a later cycle.

Each service is `<entity>_<verb>`, keyword-only, atomic, with one audit event; the reads are in `council.selectors`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.accounts.models import Membership, User
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean_name
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.selfassessment.council.constants import PLAN_TEXT_FIELDS, SCOPE_TEXT_FIELDS, SEVEN_STEPS
from kiemdinh.selfassessment.council.selectors import usable_level4_items
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilDecision,
    CouncilMember,
    CouncilRole,
    CriterionAssignment,
    Cycle,
    PlanActivity,
    ScopeAnalysis,
    WorkingGroup,
)
from kiemdinh.selfassessment.services import ensure_editable

# --- shared helpers -------------------------------------------------------------------------------------------------


def _record(*, actor, event_type: Event, obj, cycle: Cycle, data: dict) -> None:
    audit.record(actor=actor, event_type=event_type, obj=obj, unit=cycle.school.unit, school=cycle.school, data=data)


def _text(value, *, field_name: str, max_length: int | None = None, label: str = "", required: str = "") -> str:
    """A one-line text (a name, a title) as stored: see kiemdinh.core.text.clean_name."""
    text = clean_name(value)
    if required and not text:
        raise ValidationError({field_name: required})
    if max_length is not None and len(text) > max_length:
        raise ValidationError({field_name: f"{label} dài quá {max_length} ký tự."})
    return text


def _next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _ddmmyyyy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


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


# --- Council: working groups ----------------------------------------------------------------------------------------


def _group_name(cycle: Cycle, name: str, *, exclude_pk=None) -> str:
    name = _text(name, field_name="name", max_length=200, label="Tên nhóm", required="Hãy nhập tên nhóm công tác.")
    clash = WorkingGroup.objects.filter(cycle=cycle, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"Hội đồng đã có nhóm công tác “{name}”."})
    return name


@transaction.atomic
def working_group_create(*, actor, cycle: Cycle, name: str, note: str = "") -> WorkingGroup:
    ensure_editable(cycle)
    name = _group_name(cycle, name)
    group = WorkingGroup.objects.create(
        cycle=cycle,
        name=name,
        note=(note or "").strip(),
        position=_next_position(WorkingGroup.objects.filter(cycle=cycle)),
    )
    _record(actor=actor, event_type=Event.COUNCIL_GROUP_ADDED, obj=group, cycle=cycle, data={"name": name})
    return group


@transaction.atomic
def working_group_update(*, actor, group: WorkingGroup, name: str, note: str = "") -> WorkingGroup:
    cycle = group.cycle
    ensure_editable(cycle)
    old_name = group.name
    group.name = _group_name(cycle, name, exclude_pk=group.pk)
    group.note = (note or "").strip()
    group.save(update_fields=["name", "note"])
    _record(
        actor=actor,
        event_type=Event.COUNCIL_GROUP_UPDATED,
        obj=group,
        cycle=cycle,
        data={"from": old_name, "to": group.name},
    )
    return group


@transaction.atomic
def working_group_delete(
    *, actor, group: WorkingGroup, move_to: WorkingGroup | None = None, detach: bool = False
) -> list[str]:
    """Remove a working group. Its members and assignments go to `move_to`, or with `detach` lose the group (an
    assignment that then names nobody is removed and its code returned); with neither, a group still in use is refused
    so that no assignment disappears unnoticed."""
    cycle = group.cycle
    ensure_editable(cycle)
    if move_to is not None and (move_to.cycle_id != cycle.pk or move_to.pk == group.pk):
        raise ValidationError({"move_to": "Hãy chọn một nhóm công tác khác của cùng hội đồng để chuyển sang."})
    members = CouncilMember.objects.filter(group=group)
    assignments = CriterionAssignment.objects.filter(group=group)
    member_count, assignment_count = members.count(), assignments.count()
    if (member_count or assignment_count) and move_to is None and not detach:
        raise ValidationError(
            f"Nhóm “{group.name}” còn {member_count} thành viên và {assignment_count} tiêu chí được phân công. "
            "Hãy chọn nhóm để chuyển sang, hoặc chọn “Xóa và bỏ gán”."
        )
    unassigned: list[str] = []
    if move_to is not None:
        members.update(group=move_to)
        assignments.update(group=move_to)
    else:
        members.update(group=None)
        orphans = assignments.filter(member__isnull=True)
        unassigned = _assignment_labels(orphans)
        orphans.delete()
        assignments.update(group=None)
    _record(
        actor=actor,
        event_type=Event.COUNCIL_GROUP_REMOVED,
        obj=group,
        cycle=cycle,
        data={
            "name": group.name,
            "moved_to": move_to.name if move_to else None,
            "members": member_count,
            "assignments": assignment_count,
            "unassigned": unassigned,
        },
    )
    group.delete()
    return unassigned


def _assignment_labels(assignments) -> list[str]:
    rows = assignments.values_list("criterion__code", "level4_item__code").order_by(
        "criterion__position", "level4_item__position"
    )
    return [f"tiêu chí {c}" if c else f"tiêu chí Mức 4 số {i}" for c, i in rows]


# --- Council: members -----------------------------------------------------------------------------------------------


def _clean_member(cycle: Cycle, *, full_name, job_title, role, user, group, exclude_pk=None) -> dict:
    full_name = _text(
        full_name, field_name="full_name", max_length=200, label="Họ và tên", required="Hãy nhập họ và tên."
    )
    job_title = _text(job_title, field_name="job_title", max_length=200, label="Chức vụ")
    if role not in CouncilRole.values:
        raise ValidationError({"role": f"Nhiệm vụ trong hội đồng không hợp lệ: “{role}”."})
    if group is not None and group.cycle_id != cycle.pk:
        raise ValidationError({"group": "Nhóm công tác không thuộc hội đồng này."})
    if user is not None:
        if not Membership.objects.active().filter(user=user, school_id=cycle.school_id).exists():
            raise ValidationError(
                {"user": f"Tài khoản {user.display_name} không thuộc {cycle.school.name} nên không gắn được."}
            )
        other = CouncilMember.objects.filter(cycle=cycle, user=user).exclude(pk=exclude_pk).first()
        if other is not None:
            raise ValidationError(
                {"user": f"Tài khoản {user.display_name} đã gắn với thành viên {other.full_name} của hội đồng."}
            )
    return {"full_name": full_name, "job_title": job_title, "role": role, "user": user, "group": group}


def _member_data(member: CouncilMember) -> dict:
    return {
        "full_name": member.full_name,
        "job_title": member.job_title,
        "role": member.role,
        "user": member.user_id,
        "group": member.group_id,
    }


@transaction.atomic
def council_member_create(
    *,
    actor,
    cycle: Cycle,
    full_name: str,
    role: str,
    job_title: str = "",
    user: User | None = None,
    group: WorkingGroup | None = None,
) -> CouncilMember:
    ensure_editable(cycle)
    values = _clean_member(cycle, full_name=full_name, job_title=job_title, role=role, user=user, group=group)
    member = CouncilMember.objects.create(
        cycle=cycle, position=_next_position(CouncilMember.objects.filter(cycle=cycle)), **values
    )
    _record(actor=actor, event_type=Event.COUNCIL_MEMBER_ADDED, obj=member, cycle=cycle, data=_member_data(member))
    return member


@transaction.atomic
def council_member_update(
    *,
    actor,
    member: CouncilMember,
    full_name: str,
    role: str,
    job_title: str = "",
    user: User | None = None,
    group: WorkingGroup | None = None,
) -> CouncilMember:
    cycle = member.cycle
    ensure_editable(cycle)
    values = _clean_member(
        cycle, full_name=full_name, job_title=job_title, role=role, user=user, group=group, exclude_pk=member.pk
    )
    before = _member_data(member)
    for name, value in values.items():
        setattr(member, name, value)
    member.save(update_fields=list(values))
    after = _member_data(member)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _record(actor=actor, event_type=Event.COUNCIL_MEMBER_UPDATED, obj=member, cycle=cycle, data={"changed": changed})
    return member


@transaction.atomic
def council_member_delete(*, actor, member: CouncilMember, detach: bool = False) -> list[str]:
    """Remove a member. Assignments shared with a group stay with the group; one naming only this member is refused
    unless `detach`, in which case it is removed and its label returned (the criterion shows as unassigned)."""
    cycle = member.cycle
    ensure_editable(cycle)
    assignments = CriterionAssignment.objects.filter(member=member)
    orphans = assignments.filter(group__isnull=True)
    labels = _assignment_labels(orphans)
    if labels and not detach:
        raise ValidationError(
            f"{member.full_name} đang phụ trách {', '.join(labels)} mà không qua nhóm công tác nào. "
            "Hãy phân công lại trước khi xóa, hoặc chọn “Xóa và bỏ phân công”."
        )
    orphans.delete()
    assignments.update(member=None)
    _record(
        actor=actor,
        event_type=Event.COUNCIL_MEMBER_REMOVED,
        obj=member,
        cycle=cycle,
        data={**_member_data(member), "unassigned": labels},
    )
    member.delete()
    return labels


# --- Council: assignments -------------------------------------------------------------------------------------------


@transaction.atomic
def criterion_assignments_save(
    *,
    actor,
    cycle: Cycle,
    criteria: Mapping[int, tuple[int | None, int | None]],
    level4_items: Mapping[int, tuple[int | None, int | None]] | None = None,
) -> int:
    """Set who drafts each criterion / Mức 4 item: {criterion id: (group id, member id)}; (None, None) clears it.
    Ids left out keep their assignment. Everything is checked before anything is written; returns rows changed."""
    ensure_editable(cycle)
    level4_items = level4_items or {}
    known_criteria = set(Criterion.objects.filter(version_id=cycle.framework_id).values_list("pk", flat=True))
    known_items = set(usable_level4_items(cycle.framework_id).values_list("pk", flat=True))
    group_ids = set(WorkingGroup.objects.filter(cycle=cycle).values_list("pk", flat=True))
    member_ids = set(CouncilMember.objects.filter(cycle=cycle).values_list("pk", flat=True))
    if set(criteria) - known_criteria:
        raise ValidationError("Có tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    if set(level4_items) - known_items:
        raise ValidationError("Có tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    for group_id, member_id in [*criteria.values(), *level4_items.values()]:
        if group_id is not None and group_id not in group_ids:
            raise ValidationError("Có nhóm công tác không thuộc hội đồng này.")
        if member_id is not None and member_id not in member_ids:
            raise ValidationError("Có thành viên không thuộc hội đồng này.")

    existing = {
        ("c", a.criterion_id) if a.criterion_id else ("m", a.level4_item_id): a
        for a in CriterionAssignment.objects.filter(cycle=cycle)
    }
    wanted = {("c", k): v for k, v in criteria.items()} | {("m", k): v for k, v in level4_items.items()}
    to_create, to_update, to_delete = [], [], []
    for (kind, target_id), (group_id, member_id) in wanted.items():
        row = existing.get((kind, target_id))
        if group_id is None and member_id is None:
            if row is not None:
                to_delete.append(row.pk)
        elif row is None:
            target = {"criterion_id": target_id} if kind == "c" else {"level4_item_id": target_id}
            to_create.append(CriterionAssignment(cycle=cycle, group_id=group_id, member_id=member_id, **target))
        elif (row.group_id, row.member_id) != (group_id, member_id):
            row.group_id, row.member_id = group_id, member_id
            to_update.append(row)
    CriterionAssignment.objects.filter(pk__in=to_delete).delete()
    CriterionAssignment.objects.bulk_create(to_create)
    CriterionAssignment.objects.bulk_update(to_update, ["group", "member"])
    changed = len(to_create) + len(to_update) + len(to_delete)
    _record(
        actor=actor,
        event_type=Event.COUNCIL_ASSIGNMENTS_SAVED,
        obj=cycle,
        cycle=cycle,
        data={"created": len(to_create), "updated": len(to_update), "cleared": len(to_delete)},
    )
    return changed


# --- The decision forming the council --------------------------------------------------------------------------------


@transaction.atomic
def council_decision_save(*, actor, cycle: Cycle, number: str, issued_on: date | None) -> CouncilDecision:
    """Record the number and date of the signed decision forming the council (one per cycle; saved again, replaced).
    The date is refused when it is in the future or long before the school year (a typo such as 2205)."""
    ensure_editable(cycle)
    number = _text(number, field_name="number", max_length=64, label="Số quyết định", required="Hãy ghi số quyết định.")
    if not isinstance(issued_on, date):
        raise ValidationError({"issued_on": "Hãy ghi ngày ký quyết định (ngày/tháng/năm)."})
    first_year = int(cycle.school_year[:4])
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "Ngày ký quyết định không được sau ngày hôm nay."})
    if issued_on.year < first_year - 1:
        raise ValidationError({"issued_on": f"Ngày ký {issued_on:%d/%m/%Y} quá xa so với năm học {cycle.school_year}."})
    decision, created = CouncilDecision.objects.update_or_create(
        cycle=cycle,
        defaults={"number": number, "issued_on": issued_on, "updated_by": _user_or_none(actor)},
    )
    _record(
        actor=actor,
        event_type=Event.COUNCIL_DECISION_SAVED,
        obj=decision,
        cycle=cycle,
        data={"number": number, "issued_on": issued_on.isoformat(), "created": created},
    )
    return decision


# --- Council: carry-over --------------------------------------------------------------------------------------------


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
    _record(
        actor=actor,
        event_type=Event.COUNCIL_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, **report.counts, "skipped": skipped},
    )
    return report


# --- Plan (Phụ lục 1) -----------------------------------------------------------------------------------------------


@transaction.atomic
def plan_update(
    *,
    actor,
    cycle: Cycle,
    number: str = "",
    issued_on: date | None = None,
    purpose: str = "",
    scope: str = "",
    tools: str = "",
    resources: str = "",
    hired_experts: str = "",
    evidence_collection: str = "",
) -> AssessmentPlan:
    """Save the texts of the self-assessment plan (created on first save); every field is replaced."""
    ensure_editable(cycle)
    if issued_on is not None and not isinstance(issued_on, date):
        raise ValidationError({"issued_on": "Ngày ban hành không hợp lệ."})
    values = {
        "number": _text(number, field_name="number", max_length=64, label="Số kế hoạch"),
        "issued_on": issued_on,
        "purpose": (purpose or "").strip(),
        "scope": (scope or "").strip(),
        "tools": (tools or "").strip(),
        "resources": (resources or "").strip(),
        "hired_experts": (hired_experts or "").strip(),
        "evidence_collection": (evidence_collection or "").strip(),
    }
    plan = AssessmentPlan.objects.filter(cycle=cycle).first() or AssessmentPlan(cycle=cycle)
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_by = _user_or_none(actor)
    plan.save()
    _record(actor=actor, event_type=Event.PLAN_UPDATED, obj=plan, cycle=cycle, data={"changed": changed})
    return plan


def _clean_activity(*, title, step, starts_on, ends_on, owner, note) -> dict:
    title = _text(title, field_name="title", max_length=500, label="Tên hoạt động", required="Hãy nhập tên hoạt động.")
    if step in ("", None):
        step = None
    elif isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= len(SEVEN_STEPS):
        raise ValidationError({"step": "Bước phải là một trong bảy bước tự đánh giá (từ 1 đến 7)."})
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is not None and not isinstance(value, date):
            raise ValidationError({name: "Ngày không hợp lệ."})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": f"Ngày kết thúc ({_ddmmyyyy(ends_on)}) phải bằng hoặc sau ngày bắt đầu "
                f"({_ddmmyyyy(starts_on)})."
            }
        )
    owner = _text(owner, field_name="owner", max_length=300, label="Người/bộ phận thực hiện")
    return {
        "title": title,
        "step": step,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "owner": owner,
        "note": (note or "").strip(),
    }


def _activity_data(activity: PlanActivity) -> dict:
    return {
        "title": activity.title,
        "step": activity.step,
        "starts_on": activity.starts_on.isoformat() if activity.starts_on else None,
        "ends_on": activity.ends_on.isoformat() if activity.ends_on else None,
        "owner": activity.owner,
    }


@transaction.atomic
def plan_activity_create(
    *,
    actor,
    cycle: Cycle,
    title: str,
    step: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    owner: str = "",
    note: str = "",
) -> PlanActivity:
    ensure_editable(cycle)
    values = _clean_activity(title=title, step=step, starts_on=starts_on, ends_on=ends_on, owner=owner, note=note)
    activity = PlanActivity.objects.create(
        cycle=cycle, position=_next_position(PlanActivity.objects.filter(cycle=cycle)), **values
    )
    _record(actor=actor, event_type=Event.PLAN_ACTIVITY_ADDED, obj=activity, cycle=cycle, data=_activity_data(activity))
    return activity


@transaction.atomic
def plan_activity_update(
    *,
    actor,
    activity: PlanActivity,
    title: str,
    step: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    owner: str = "",
    note: str = "",
) -> PlanActivity:
    cycle = activity.cycle
    ensure_editable(cycle)
    values = _clean_activity(title=title, step=step, starts_on=starts_on, ends_on=ends_on, owner=owner, note=note)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(values))
    _record(
        actor=actor, event_type=Event.PLAN_ACTIVITY_UPDATED, obj=activity, cycle=cycle, data=_activity_data(activity)
    )
    return activity


@transaction.atomic
def plan_activity_delete(*, actor, activity: PlanActivity) -> None:
    cycle = activity.cycle
    ensure_editable(cycle)
    _record(
        actor=actor, event_type=Event.PLAN_ACTIVITY_REMOVED, obj=activity, cycle=cycle, data=_activity_data(activity)
    )
    activity.delete()


@transaction.atomic
def plan_activities_propose(*, actor, cycle: Cycle) -> list[PlanActivity]:
    """“Tạo lịch mẫu”: one activity per step of Điều 23, dates left empty; only while the timeline is empty."""
    ensure_editable(cycle)
    if PlanActivity.objects.filter(cycle=cycle).exists():
        raise ValidationError("Chỉ tạo được lịch mẫu khi kế hoạch chưa có hoạt động nào.")
    activities = PlanActivity.objects.bulk_create(
        [PlanActivity(cycle=cycle, step=n, title=title, position=n) for n, title in enumerate(SEVEN_STEPS, start=1)]
    )
    _record(actor=actor, event_type=Event.PLAN_TIMELINE_PROPOSED, obj=cycle, cycle=cycle, data={"activities": 7})
    return activities


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
        plan.updated_by = _user_or_none(actor)
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
    _record(
        actor=actor,
        event_type=Event.PLAN_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, "years_shifted": years, **report.counts},
    )
    return report


# --- Nội hàm worksheet (Phụ lục 2 and 3) ----------------------------------------------------------------------------


@transaction.atomic
def scope_analysis_save(
    *,
    actor,
    cycle: Cycle,
    indicator: Indicator | None = None,
    level4_item: Level4Item | None = None,
    meaning: str = "",
    questions: str = "",
    evidence_needed: str = "",
    sources: str = "",
) -> ScopeAnalysis:
    """Save one row of the nội hàm worksheet: an indicator's (or a Mức 4 item's) meaning, questions, evidence needed
    and where to find it."""
    ensure_editable(cycle)
    if (indicator is None) == (level4_item is None):
        raise ValidationError("Mỗi dòng phiếu nội hàm thuộc đúng một chỉ báo hoặc một tiêu chí Mức 4.")
    if indicator is not None and indicator.criterion.version_id != cycle.framework_id:
        raise ValidationError("Chỉ báo không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    if level4_item is not None:
        if level4_item.version_id != cycle.framework_id:
            raise ValidationError("Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
        if level4_item.confidence == Confidence.MISSING:
            raise ValidationError(
                f"Tiêu chí Mức 4 số {level4_item.code} chưa có văn bản nên chưa xác định nội hàm được."
            )
    values = {
        "meaning": (meaning or "").strip(),
        "questions": (questions or "").strip(),
        "evidence_needed": (evidence_needed or "").strip(),
        "sources": (sources or "").strip(),
        "updated_by": _user_or_none(actor),
    }
    key = {"indicator": indicator} if indicator is not None else {"level4_item": level4_item}
    analysis, created = ScopeAnalysis.objects.update_or_create(cycle=cycle, defaults=values, **key)
    _record(
        actor=actor,
        event_type=Event.WORKSHEET_ROW_SAVED,
        obj=analysis,
        cycle=cycle,
        data={
            "target": str(indicator) if indicator is not None else str(level4_item),
            "created": created,
            "filled": [name for name in SCOPE_TEXT_FIELDS if values[name]],
        },
    )
    return analysis


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
            new_rows.append(ScopeAnalysis(cycle=target, updated_by=_user_or_none(actor), **texts, **target_key))
        ScopeAnalysis.objects.bulk_create(new_rows)
        report = CopyReport(counts={"rows": len(new_rows)}, skipped=tuple(skipped))
    _record(
        actor=actor,
        event_type=Event.WORKSHEET_COPIED,
        obj=target,
        cycle=target,
        data={"source": source.pk, "source_year": source.school_year, **report.counts, "skipped": list(report.skipped)},
    )
    return report
