"""An item's versions and its code in a cycle: the next free code of a criterion, a new version of an item, and the
version an edit made from a cycle may change (`_own_version`): the cycle's own, never one another cycle cites."""

from django.db.models import Max

from kiemdinh.core.text import fold
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceFile, EvidenceVersion
from kiemdinh.evidence.services.common import EDITABLE_FIELDS, _user
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import default_box, format_code
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle


def _search_text(version: EvidenceVersion) -> str:
    return fold(f"{version.name} {version.issue_ref} {version.issued_by} {version.note}")


def next_sequence(cycle: Cycle, criterion: Criterion) -> int:
    """The next free sequence number for items first collected for this criterion in this cycle."""
    current = CycleEvidence.objects.filter(cycle=cycle, criterion=criterion).aggregate(m=Max("sequence"))["m"]
    return (current or 0) + 1


def _link_new_code(cycle: Cycle, version: EvidenceVersion, criterion: Criterion) -> CycleEvidence:
    sequence = next_sequence(cycle, criterion)
    box = default_box(criterion.code)
    taken = set(CycleEvidence.objects.filter(cycle=cycle, criterion=criterion).values_list("code", flat=True))
    code = format_code(cycle.regime, criterion.code, sequence, box=box)
    while code in taken:  # only possible with hand-made codes of another box
        sequence += 1
        code = format_code(cycle.regime, criterion.code, sequence, box=box)
    return CycleEvidence.objects.create(
        cycle=cycle,
        evidence_id=version.evidence_id,
        version=version,
        code=code,
        box=box if cycle.regime == Regime.R2018 else None,
        criterion=criterion,
        sequence=sequence,
    )


def new_version(*, actor, evidence: Evidence, cycle: Cycle | None, values: dict) -> EvidenceVersion:
    """The item's next version (numbers grow by one; the item row is locked so two cycles cannot take the same)."""
    Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
    last = evidence.versions.aggregate(m=Max("number"))["m"] or 0
    version = EvidenceVersion(evidence=evidence, number=last + 1, cycle=cycle, created_by=_user(actor), **values)
    version.search_text = _search_text(version)
    version.save()
    return version


def _own_version(*, actor, cycle: Cycle, link: CycleEvidence) -> EvidenceVersion:
    """The version an edit from `cycle` may change: the link's own when it was made in this cycle and no other link
    cites it; else a copy (fields, and file rows pointing at the same bytes) made for this cycle, which the link then
    cites. The version left behind keeps what every other cycle (a submitted or accepted one above all) shows."""
    version = link.version
    shared = CycleEvidence.objects.filter(version=version).exclude(pk=link.pk).exists()
    if version.cycle_id == cycle.pk and not shared:
        return version
    copy = new_version(
        actor=actor,
        evidence=link.evidence,
        cycle=cycle,
        values={f: getattr(version, f) for f in EDITABLE_FIELDS},
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            version=copy,
            file=row.file.name,
            sha256=row.sha256,
            size=row.size,
            original_name=row.original_name,
            content_type=row.content_type,
            uploaded_by=row.uploaded_by,
        )
        for row in version.files.order_by("id")
    )
    link.version = copy
    link.save(update_fields=["version"])
    return copy
