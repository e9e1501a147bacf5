"""A cycle's improvement plan: its lines with their status, the weaknesses still uncovered, the reviews."""

from datetime import date

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from kiemdinh.api.shared import ErrorOut, Id
from kiemdinh.improvement import selectors as improvement
from kiemdinh.selfassessment.access import access_cycle

router = Router()


class PlanLineOut(Schema):
    id: int
    subject: str  # "1.6" or "Mức 4 — tiêu chí 2"
    target: str
    tasks: list[str]
    owners: str
    time: str
    starts_on: date | None
    due_on: date | None
    continues: bool
    cost: str
    status: str
    status_label: str
    overdue: bool
    carried_from: int | None


class ImprovementPlanOut(Schema):
    cycle_id: int
    number: str
    issued_on: date | None
    status: str
    lines: list[PlanLineOut]
    uncovered_weaknesses: list[str]
    reviews_held: int
    reviews_planned: int


@router.get(
    "/cycles/{cycle_id}/improvement-plan",
    response={200: ImprovementPlanOut, 404: ErrorOut},
    auth=django_auth,
    tags=["improvement"],
)
def improvement_plan(request, cycle_id: Id):
    """The cycle's improvement plan: its lines in table order with their latest status and whether they are overdue,
    the weaknesses still without a line or a reason, and the reviews. 404 when the cycle has no plan."""
    cycle = access_cycle(request.user, cycle_id)
    plan = improvement.improvement_plan_of(cycle)
    if plan is None:
        raise Http404("Đợt tự đánh giá này chưa có kế hoạch cải tiến.")
    table = improvement.plan_table(plan)
    state = improvement.monitoring_state(plan, table)
    lines = [
        {
            "id": line.pk,
            "subject": line.subject_label,
            "target": line.target,
            "tasks": line.tasks,
            "owners": line.owners,
            "time": line.time_label,
            "starts_on": line.starts_on,
            "due_on": line.due_on,
            "continues": line.continues,
            "cost": line.cost_label,
            "status": line.status,
            "status_label": line.get_status_display(),
            "overdue": improvement.is_overdue(line),
            "carried_from": line.carried_from_id,
        }
        for line in table.lines
    ]
    return Status(
        200,
        {
            "cycle_id": cycle.pk,
            "number": plan.number,
            "issued_on": plan.issued_on,
            "status": plan.status,
            "lines": lines,
            "uncovered_weaknesses": [
                r.label for r in improvement.coverage(plan) if r.state == improvement.Coverage.UNCOVERED
            ],
            "reviews_held": state.held,
            "reviews_planned": state.planned,
        },
    )
