"""An item's place in a cycle's register: listed under another criterion too (a citation; it keeps its code), one of
the school's items reused for a criterion, or the item taken out of the cycle (the item itself goes only when
nothing else uses it)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceFile, EvidenceVersion
from kiemdinh.evidence.services.common import _audit, _check_criterion, _cycle_link, _lock_cycle
from kiemdinh.evidence.services.files import _delete_file_row
from kiemdinh.evidence.services.versions import _link_new_code
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, Cycle


def _kept_elsewhere(evidence: Evidence) -> bool:
    """Whether a row outside the register still refers to the item (an improvement plan's result or review, an
    external evaluation registration): such an item is kept when its last cycle link goes. Read from the model's
    reverse relations, so the apps above this one need not be imported here."""
    for relation in Evidence._meta.related_objects:
        if relation.related_model in (EvidenceVersion, CycleEvidence):
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: evidence}).exists():
            return True
    return False


def _forms_citing(cycle: Cycle, code: str) -> list[str]:
    labels = []
    forms = CriterionForm.objects.filter(cycle=cycle).select_related("criterion", "level4_item")
    for form in forms:
        if code in find_codes(form.all_text()):
            labels.append(
                f"tiêu chí {form.criterion.code}" if form.criterion_id else f"tiêu chí Mức 4 số {form.level4_item.code}"
            )
    return labels


@transaction.atomic
def evidence_cite(*, actor, cycle_evidence: CycleEvidence, criterion: Criterion) -> EvidenceCitation | None:
    """List the item under another criterion too (it keeps its code). Its own criterion, or a repeat: no change."""
    cycle, link = _cycle_link(cycle_evidence)
    criterion = _check_criterion(cycle, criterion)
    if criterion.pk == link.criterion_id:
        return None
    citation, created = EvidenceCitation.objects.get_or_create(cycle_evidence=link, criterion=criterion)
    if created:
        _audit(actor, Event.EVIDENCE_CITED, link, cycle, {"code": link.code, "criterion": criterion.code})
    return citation


@transaction.atomic
def evidence_uncite(*, actor, cycle_evidence: CycleEvidence, criterion: Criterion) -> None:
    cycle, link = _cycle_link(cycle_evidence)
    deleted, _ = EvidenceCitation.objects.filter(cycle_evidence=link, criterion=criterion).delete()
    if not deleted:
        raise ValidationError(f"Minh chứng {link.code} không được dùng cho tiêu chí {criterion.code}.")
    _audit(actor, Event.EVIDENCE_UNCITED, link, cycle, {"code": link.code, "criterion": criterion.code})


@transaction.atomic
def evidence_link_existing(*, actor, cycle: Cycle, evidence: Evidence, criterion: Criterion) -> CycleEvidence:
    """Reuse one of the school's items for a criterion of this cycle: a citation when the item is already in the
    cycle (it keeps its code), else a link with the criterion's next code, citing the item's latest version."""
    cycle = _lock_cycle(cycle)
    criterion = _check_criterion(cycle, criterion)
    if evidence.school_id != cycle.school_id:
        raise ValidationError("Minh chứng này không thuộc trường của đợt tự đánh giá.")
    link = CycleEvidence.objects.filter(cycle=cycle, evidence=evidence).select_related("criterion").first()
    if link is not None:
        if link.criterion_id != criterion.pk:
            _, created = EvidenceCitation.objects.get_or_create(cycle_evidence=link, criterion=criterion)
            if created:
                _audit(actor, Event.EVIDENCE_CITED, link, cycle, {"code": link.code, "criterion": criterion.code})
        return link
    link = _link_new_code(cycle, evidence.latest_version(), criterion)
    _audit(actor, Event.EVIDENCE_LINKED, evidence, cycle, {"code": link.code, "criterion": criterion.code})
    return link


@transaction.atomic
def evidence_remove_from_cycle(*, actor, cycle_evidence: CycleEvidence) -> None:
    """Take an item out of the cycle's register, unless a criterion form cites its code. The item itself (and its
    files) is deleted only when no other cycle and no improvement plan or registration uses it; the cycle's own
    version of it goes when nothing else cites that version."""
    cycle, link = _cycle_link(cycle_evidence)
    citing = _forms_citing(cycle, link.code)
    if citing:
        raise ValidationError(
            f"Không thể gỡ minh chứng {link.code} vì mã này đang được trích dẫn trong phiếu đánh giá "
            f"{', '.join(citing)}. Hãy xóa trích dẫn trong phiếu trước."
        )
    evidence, version = link.evidence, link.version
    data = {"code": link.code, "name": version.name}
    link.delete()
    if not CycleEvidence.objects.filter(evidence=evidence).exists() and not _kept_elsewhere(evidence):
        for row in list(EvidenceFile.objects.filter(version__evidence=evidence)):
            _delete_file_row(row)
        evidence_pk = evidence.pk
        evidence.delete()
        evidence.pk = evidence_pk  # for the audit record's object id
        data["deleted"] = True
    elif (
        version.cycle_id == cycle.pk
        and not CycleEvidence.objects.filter(version=version).exists()
        and evidence.versions.exclude(pk=version.pk).exists()
    ):
        # The cycle's own version, cited nowhere else now: it goes (other versions stay with their cycles).
        for row in list(version.files.all()):
            _delete_file_row(row)
        version.delete()
    _audit(actor, Event.EVIDENCE_REMOVED, evidence, cycle, data)
