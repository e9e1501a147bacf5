"""A cycle's status as the `cycle_status` command and the API report it: the self-assessment's result with the
evidence register's counts."""

from kiemdinh.evidence.selectors import evidence_summary
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.selectors import cycle_evaluation


def cycle_status_report(cycle: Cycle) -> dict:
    """The `cycle_status` command's JSON: the `evaluate` output plus status and evidence counts."""
    summary = evidence_summary(cycle)
    return {
        **cycle_evaluation(cycle).as_contract(),
        "status": cycle.status,
        "evidence": {"total": summary["total"], "cited": summary["cited"], "uncited": summary["uncited"]},
    }
