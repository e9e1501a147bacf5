"""How a request loads the evidence register's objects: through their cycle (`selfassessment.access.access_cycle`,
which decides who may read or write), then as a child of that cycle, never by id alone."""

from django.shortcuts import get_object_or_404

from kiemdinh.evidence.models import CycleEvidence, EvidenceImportBatch
from kiemdinh.selfassessment.access import access_cycle
from kiemdinh.selfassessment.models import Cycle


def cycle_link(cycle: Cycle, link_id: int) -> CycleEvidence:
    """An item of this cycle's register (404 for another cycle's)."""
    return get_object_or_404(
        CycleEvidence.objects.select_related("evidence", "version", "criterion__standard"), pk=link_id, cycle=cycle
    )


def access_link(user, cycle_id: int, link_id: int, *, write: bool = False) -> tuple[Cycle, CycleEvidence]:
    """The cycle the user may read (or, with write, change) and one item of its register."""
    cycle = access_cycle(user, cycle_id, write=write)
    return cycle, cycle_link(cycle, link_id)


def access_batch(user, cycle_id: int, batch_id: int, *, write: bool = False) -> tuple[Cycle, EvidenceImportBatch]:
    """The cycle and one of its catalogue import batches."""
    cycle = access_cycle(user, cycle_id, write=write)
    return cycle, get_object_or_404(EvidenceImportBatch, pk=batch_id, cycle=cycle)
