"""Reads that span the self-assessment and the apps about it: what a dossier still lacks (readiness), the dossier as
submitted (its snapshot and the check that it has not changed), a cycle's status report."""

from kiemdinh.workflow.selectors.dossier import (
    FORMAT,
    DossierChanged,
    dossier_check,
    dossier_content,
    matches,
    snapshot_hash,
)
from kiemdinh.workflow.selectors.readiness import (
    Blocker,
    Step,
    StepStatus,
    cycle_steps,
    dossier_blockers,
    readiness,
    submission_blockers,
)
from kiemdinh.workflow.selectors.status import cycle_status_report

__all__ = [
    "FORMAT",
    "Blocker",
    "DossierChanged",
    "Step",
    "StepStatus",
    "cycle_status_report",
    "cycle_steps",
    "dossier_blockers",
    "dossier_check",
    "dossier_content",
    "matches",
    "readiness",
    "snapshot_hash",
    "submission_blockers",
]
