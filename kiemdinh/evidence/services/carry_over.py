"""Carry-over: a cycle links every item of an earlier cycle of the same school with the same code, box, criterion (by
code), sequence and version, and copies its citations; what the new framework lacks is skipped with a reason."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation
from kiemdinh.evidence.services.common import _audit, _lock_cycle
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle


@dataclass
class CarryOverResult:
    linked: list[str] = field(default_factory=list)  # codes linked into the target
    already: list[str] = field(default_factory=list)  # items the target had already
    skipped: list[dict] = field(default_factory=list)  # {"code", "criterion", "reason"}
    citations: int = 0


@transaction.atomic
def evidence_carry_over(*, actor, source: Cycle, target: Cycle) -> CarryOverResult:
    """Link every item of `source` into `target` with the same code, box, criterion (by code), sequence and version,
    and copy its citations. Files are shared, never copied; the source cycle is only read, and an edit made later in
    `target` gives it a version of its own (see `_own_version`)."""
    target = _lock_cycle(target)
    if source.pk == target.pk:
        raise ValidationError("Không thể kế thừa minh chứng từ chính đợt này.")
    if source.school_id != target.school_id:
        raise ValidationError("Chỉ kế thừa được minh chứng từ một đợt tự đánh giá của cùng trường.")
    criteria = {c.code: c for c in Criterion.objects.filter(version_id=target.framework_id)}
    existing = dict(CycleEvidence.objects.filter(cycle=target).values_list("evidence_id", "code"))
    taken_codes = set(existing.values())
    result = CarryOverResult()
    links = (
        CycleEvidence.objects.filter(cycle=source)
        .select_related("criterion")
        .prefetch_related("citations__criterion")
        .order_by("criterion__position", "sequence", "id")
    )
    new_links: dict[int, CycleEvidence] = {}  # source link id → target link
    for link in links:
        if link.evidence_id in existing:
            result.already.append(existing[link.evidence_id])
            continue
        criterion = criteria.get(link.criterion.code)
        if criterion is None:
            result.skipped.append(
                {
                    "code": link.code,
                    "criterion": link.criterion.code,
                    "reason": f"Tiêu chí {link.criterion.code} không có trong bộ tiêu chuẩn của đợt mới.",
                }
            )
            continue
        if link.code in taken_codes:
            result.skipped.append(
                {
                    "code": link.code,
                    "criterion": link.criterion.code,
                    "reason": f"Mã {link.code} đã được dùng cho một minh chứng khác trong đợt mới.",
                }
            )
            continue
        new_links[link.pk] = CycleEvidence.objects.create(
            cycle=target,
            evidence_id=link.evidence_id,
            version_id=link.version_id,
            code=link.code,
            box=link.box,
            criterion=criterion,
            sequence=link.sequence,
        )
        taken_codes.add(link.code)
        result.linked.append(link.code)
    citations = []
    for link in links:
        target_link = new_links.get(link.pk)
        if target_link is None:
            continue
        for citation in link.citations.all():
            criterion = criteria.get(citation.criterion.code)
            if criterion is None:
                result.skipped.append(
                    {
                        "code": link.code,
                        "criterion": citation.criterion.code,
                        "reason": f"Trích dẫn cho tiêu chí {citation.criterion.code} bị bỏ qua: tiêu chí này không "
                        "có trong bộ tiêu chuẩn của đợt mới.",
                    }
                )
                continue
            if criterion.pk != target_link.criterion_id:
                citations.append(EvidenceCitation(cycle_evidence=target_link, criterion=criterion))
    EvidenceCitation.objects.bulk_create(citations)
    result.citations = len(citations)
    _audit(
        actor,
        Event.EVIDENCE_CARRIED_OVER,
        target,
        target,
        {
            "source": source.pk,
            "linked": len(result.linked),
            "already": len(result.already),
            "skipped": result.skipped,
            "citations": result.citations,
        },
    )
    return result
