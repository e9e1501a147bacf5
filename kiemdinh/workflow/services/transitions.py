"""A cycle's transitions: the principal submits (refused while the dossier lacks anything; a snapshot of the dossier
is frozen), the authority returns or accepts (refused when the rows no longer match the snapshot), the school
publishes. Each is one transaction, one `CycleTransition` row and one audit event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle, CycleSnapshot, CycleStatus, CycleTransition, ReturnComment
from kiemdinh.selfassessment.selectors import reference_snapshot
from kiemdinh.selfassessment.services import cycle_lock, ensure_editable
from kiemdinh.workflow.selectors.dossier import dossier_content, matches, snapshot_hash
from kiemdinh.workflow.selectors.readiness import submission_blockers

# The audit event of each transition `_transition` makes (opening a cycle records its own).
TRANSITION_EVENTS = {
    CycleTransition.Kind.SUBMITTED: Event.CYCLE_SUBMITTED,
    CycleTransition.Kind.RETURNED: Event.CYCLE_RETURNED,
    CycleTransition.Kind.ACCEPTED: Event.CYCLE_ACCEPTED,
    CycleTransition.Kind.PUBLISHED: Event.CYCLE_PUBLISHED,
}


def _transition(*, actor, cycle: Cycle, kind: str, to_status: str | None, comment: str = "", snapshot=None):
    previous = cycle.status
    if to_status and to_status != previous:
        cycle.status = to_status
        cycle.save(update_fields=["status"])
    transition = CycleTransition.objects.create(
        cycle=cycle,
        kind=kind,
        from_status=previous,
        to_status=cycle.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=clean(comment),
        snapshot=snapshot,
    )
    audit.record(
        actor=actor,
        event_type=TRANSITION_EVENTS[kind],
        obj=cycle,
        unit=cycle.school.unit,
        school=cycle.school,
        data={"from": previous, "to": cycle.status, "comment": transition.comment},
    )
    return transition


@transaction.atomic
def cycle_submit(*, actor, cycle: Cycle, comment: str = "") -> CycleSnapshot:
    """The principal approves the cycle and submits it: refused while blockers remain; freezes a snapshot."""
    cycle = cycle_lock(cycle)
    ensure_editable(cycle)
    blockers = submission_blockers(cycle)
    if blockers:
        raise ValidationError(["Chưa nộp được vì:", *blockers])
    content = dossier_content(cycle)
    snapshot = CycleSnapshot.objects.create(
        cycle=cycle,
        content=content,
        content_hash=snapshot_hash(content),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _transition(
        actor=actor,
        cycle=cycle,
        kind=CycleTransition.Kind.SUBMITTED,
        to_status=CycleStatus.SUBMITTED,
        comment=comment,
        snapshot=snapshot,
    )
    return snapshot


@transaction.atomic
def cycle_return(*, actor, cycle: Cycle, comment: str, criterion_comments: dict | None = None) -> CycleTransition:
    """The authority returns a submitted cycle with a general comment and optional comments per criterion."""
    cycle = cycle_lock(cycle)
    if cycle.status != CycleStatus.SUBMITTED:
        raise ValidationError("Chỉ trả lại được đợt tự đánh giá đang ở trạng thái “Đã nộp”.")
    per_criterion = {k: clean(v) for k, v in (criterion_comments or {}).items() if clean(v or "")}
    if not clean(comment) and not per_criterion:
        raise ValidationError("Hãy ghi ý kiến (chung hoặc theo tiêu chí) để nhà trường biết cần sửa gì.")
    criteria = {c.code: c for c in Criterion.objects.filter(version=cycle.framework, code__in=list(per_criterion))}
    unknown = sorted(set(per_criterion) - set(criteria))
    if unknown:
        raise ValidationError(f"Tiêu chí “{unknown[0]}” không có trong bộ tiêu chuẩn của đợt này.")
    transition = _transition(
        actor=actor, cycle=cycle, kind=CycleTransition.Kind.RETURNED, to_status=CycleStatus.RETURNED, comment=comment
    )
    ReturnComment.objects.bulk_create(
        ReturnComment(transition=transition, criterion=criteria[code], text=text)
        for code, text in per_criterion.items()
    )
    return transition


@transaction.atomic
def cycle_accept(*, actor, cycle: Cycle, comment: str = "") -> CycleSnapshot:
    """Accept a submitted cycle: refused when its data no longer matches the submitted snapshot, or while the dossier
    still lacks anything a submission needs (a dossier submitted before a rule existed is returned, not accepted)."""
    cycle = cycle_lock(cycle)
    if cycle.status != CycleStatus.SUBMITTED:
        raise ValidationError("Chỉ chấp nhận được đợt tự đánh giá đang ở trạng thái “Đã nộp”.")
    snapshot = reference_snapshot(cycle)
    if snapshot is None or not matches(snapshot, cycle):
        raise ValidationError(
            "Dữ liệu của đợt tự đánh giá đã thay đổi sau khi nộp nên không chấp nhận được; "
            "hãy trả lại để nhà trường kiểm tra và nộp lại."
        )
    blockers = submission_blockers(cycle)
    if blockers:
        raise ValidationError(["Hồ sơ chưa đủ để chấp nhận; hãy trả lại nhà trường kèm ý kiến:", *blockers])
    snapshot.accepted = True
    snapshot.save(update_fields=["accepted"])
    _transition(
        actor=actor,
        cycle=cycle,
        kind=CycleTransition.Kind.ACCEPTED,
        to_status=CycleStatus.ACCEPTED,
        comment=comment,
        snapshot=snapshot,
    )
    return snapshot


@transaction.atomic
def cycle_publish(*, actor, cycle: Cycle) -> Cycle:
    """Publish an accepted cycle: its summary becomes public (step 6, công bố báo cáo tự đánh giá)."""
    cycle = cycle_lock(cycle)
    if cycle.status != CycleStatus.ACCEPTED:
        raise ValidationError("Chỉ công bố được đợt tự đánh giá đã được cơ quan quản lý chấp nhận.")
    if cycle.published_at:
        raise ValidationError("Đợt tự đánh giá này đã được công bố.")
    cycle.published_at = timezone.now()
    cycle.save(update_fields=["published_at"])
    _transition(actor=actor, cycle=cycle, kind=CycleTransition.Kind.PUBLISHED, to_status=None)
    return cycle
