"""Self-assessment cycles the signed-in user may see, and a cycle's results and status."""

from ninja import Router, Schema, Status
from ninja.security import django_auth

from kiemdinh.api.frameworks import EvaluateOut
from kiemdinh.api.shared import ErrorOut, Id
from kiemdinh.selfassessment.access import access_cycle, cycles_visible
from kiemdinh.selfassessment.models import CycleStatus
from kiemdinh.workflow.selectors import cycle_status_report

router = Router()


class EvidenceCountsOut(Schema):
    total: int
    cited: int
    uncited: int


class CycleStatusOut(EvaluateOut):
    status: str
    evidence: EvidenceCountsOut


class CycleOut(Schema):
    id: int
    school_id: int
    school_year: str
    framework: str
    status: str
    status_label: str
    published: bool


def _cycle_out(cycle) -> dict:
    return {
        "id": cycle.pk,
        "school_id": cycle.school_id,
        "school_year": cycle.school_year,
        "framework": cycle.framework.code,
        "status": cycle.status,
        "status_label": cycle.get_status_display(),
        "published": cycle.published_at is not None,
    }


@router.get("/cycles", response=list[CycleOut], auth=django_auth, tags=["self-assessment"])
def cycle_list(request, school_id: Id | None = None, status: CycleStatus | None = None):
    """Cycles the signed-in user may see, newest school year first (at most 500)."""
    cycles = cycles_visible(request.user).select_related("framework").order_by("-school_year", "school_id")
    if school_id is not None:
        cycles = cycles.filter(school_id=school_id)
    if status:
        cycles = cycles.filter(status=status)
    return [_cycle_out(c) for c in cycles[:500]]


@router.get(
    "/cycles/{cycle_id}/status",
    response={200: CycleStatusOut, 404: ErrorOut},
    auth=django_auth,
    tags=["self-assessment"],
)
def cycle_status(request, cycle_id: Id):
    """The same JSON as `./scripts/manage cycle_status --json`: results, status and evidence counts."""
    return Status(200, cycle_status_report(access_cycle(request.user, cycle_id)))
