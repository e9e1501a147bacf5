"""Writes of the council itself (hội đồng tự đánh giá): its working groups, its members, who drafts which criterion or
Mức 4 item, and the decision forming it. Each service is keyword-only, atomic, with one audit event."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.accounts.models import Membership, User
from kiemdinh.accounts.services import school_person_account_create
from kiemdinh.core.audit import Event
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.council.selectors import usable_level4_items
from kiemdinh.selfassessment.council.services._common import clean_text, next_position, record, user_or_none
from kiemdinh.selfassessment.models import (
    CouncilDecision,
    CouncilMember,
    CouncilRole,
    CriterionAssignment,
    Cycle,
    WorkingGroup,
)
from kiemdinh.selfassessment.services import ensure_editable

# --- Council: working groups ----------------------------------------------------------------------------------------


def _group_name(cycle: Cycle, name: str, *, exclude_pk=None) -> str:
    name = clean_text(name, field_name="name", max_length=200, label="Tên nhóm", required="Hãy nhập tên nhóm công tác.")
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
        position=next_position(WorkingGroup.objects.filter(cycle=cycle)),
    )
    record(actor=actor, event_type=Event.COUNCIL_GROUP_ADDED, obj=group, cycle=cycle, data={"name": name})
    return group


@transaction.atomic
def working_group_update(*, actor, group: WorkingGroup, name: str, note: str = "") -> WorkingGroup:
    cycle = group.cycle
    ensure_editable(cycle)
    old_name = group.name
    group.name = _group_name(cycle, name, exclude_pk=group.pk)
    group.note = (note or "").strip()
    group.save(update_fields=["name", "note"])
    record(
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
    record(
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
    full_name = clean_text(
        full_name, field_name="full_name", max_length=200, label="Họ và tên", required="Hãy nhập họ và tên."
    )
    job_title = clean_text(job_title, field_name="job_title", max_length=200, label="Chức vụ")
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
def council_member_account_create(*, actor, cycle: Cycle, full_name: str, username: str, email: str = "") -> User:
    """An account for a council member who has none, as a member of the cycle's school (its holder sets the password
    through an invitation). Only someone who may give that role there (the principal) may do it."""
    ensure_editable(cycle)
    return school_person_account_create(
        actor=actor, school=cycle.school, full_name=full_name, username=username, email=email
    )


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
        cycle=cycle, position=next_position(CouncilMember.objects.filter(cycle=cycle)), **values
    )
    record(actor=actor, event_type=Event.COUNCIL_MEMBER_ADDED, obj=member, cycle=cycle, data=_member_data(member))
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
    record(actor=actor, event_type=Event.COUNCIL_MEMBER_UPDATED, obj=member, cycle=cycle, data={"changed": changed})
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
    record(
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
    record(
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
    number = clean_text(
        number, field_name="number", max_length=64, label="Số quyết định", required="Hãy ghi số quyết định."
    )
    if not isinstance(issued_on, date):
        raise ValidationError({"issued_on": "Hãy ghi ngày ký quyết định (ngày/tháng/năm)."})
    first_year = int(cycle.school_year[:4])
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "Ngày ký quyết định không được sau ngày hôm nay."})
    if issued_on.year < first_year - 1:
        raise ValidationError({"issued_on": f"Ngày ký {issued_on:%d/%m/%Y} quá xa so với năm học {cycle.school_year}."})
    decision, created = CouncilDecision.objects.update_or_create(
        cycle=cycle,
        defaults={"number": number, "issued_on": issued_on, "updated_by": user_or_none(actor)},
    )
    record(
        actor=actor,
        event_type=Event.COUNCIL_DECISION_SAVED,
        obj=decision,
        cycle=cycle,
        data={"number": number, "issued_on": issued_on.isoformat(), "created": created},
    )
    return decision
