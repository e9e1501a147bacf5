"""Writes of the evidence register (minh chứng).

An Evidence item belongs to the school; a CycleEvidence links it into one cycle with a code and cites one of its
versions (its fields and files). Items are linked, never copied: reusing an item under another criterion adds a
citation and keeps its first code, and a new cycle links last year's items with the same codes and versions. A change
made from a cycle goes to a version of that cycle's own (`versions._own_version`): the version another cycle cites —
above all a submitted or accepted one — never changes. Every write locks the cycle row and refuses when the cycle is
not editable.

- items.py: a new item in a cycle, an item recorded for the school alone, a change of an item's fields;
- files.py: an item's files, added and removed, stored once per school;
- citations.py: an item cited under more criteria, reused from the school's items, taken out of a cycle;
- carry_over.py: a new cycle linking an earlier cycle's items;
- versions.py: the next code of a criterion, a new version, the version an edit from a cycle may change;
- common.py: the cycle lock, the criterion and field checks and the audit record the writes share.

The public names are re-exported here: ``kiemdinh.evidence.services`` is the app's write API, imported by the evidence
views and import, by workflow (carry-over on opening a cycle), improvement, devtools and the tests of several
apps. The helpers (names starting with ``_``) are not.
"""

from kiemdinh.evidence.services.carry_over import CarryOverResult, evidence_carry_over
from kiemdinh.evidence.services.citations import (
    evidence_cite,
    evidence_link_existing,
    evidence_remove_from_cycle,
    evidence_uncite,
)
from kiemdinh.evidence.services.common import EDITABLE_FIELDS, MAX_LENGTHS
from kiemdinh.evidence.services.files import evidence_file_add, evidence_file_remove
from kiemdinh.evidence.services.items import evidence_create, evidence_record, evidence_update
from kiemdinh.evidence.services.versions import new_version, next_sequence

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_LENGTHS",
    "CarryOverResult",
    "evidence_carry_over",
    "evidence_cite",
    "evidence_create",
    "evidence_file_add",
    "evidence_file_remove",
    "evidence_link_existing",
    "evidence_record",
    "evidence_remove_from_cycle",
    "evidence_uncite",
    "evidence_update",
    "new_version",
    "next_sequence",
]
