"""An authority's annual plan: its schools and where each stands, its targets' progress, its tasks."""

from datetime import date

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import django_auth

from kiemdinh.api.shared import ErrorOut, Id
from kiemdinh.planning import selectors as planning
from kiemdinh.planning.access import access_plan

router = Router()


class PlanTargetOut(Schema):
    position: int
    school_id: int
    school: str
    target: str  # "CĐ2-MĐ1"
    recognition_round: str  # "first" | "again" | ""
    evaluation_period: str
    stage: str  # no_cycle | in_progress | submitted | accepted | recognised
    stage_label: str
    recognised: str  # recognitions in force today, e.g. "CĐ2-MĐ1"
    expires_on: date | None


class PlanGoalOut(Schema):
    text: str
    metric: str
    measure: str  # "percent" | "count"
    target_value: float
    value: float  # computed from the data
    achieved: int
    total: int
    met: bool


class PlanTaskOut(Schema):
    id: int
    agency: str
    lead_official: str
    content: str
    deadline: str  # "quý II năm 2024"
    due_on: date | None
    status: str
    overdue: bool


class AnnualPlanOut(Schema):
    id: int
    unit_id: int
    issuer: str
    number: str
    issued_on: date | None
    title: str
    period: str
    starts_on: date | None
    ends_on: date | None
    status: str
    targets: list[PlanTargetOut]
    goals: list[PlanGoalOut]
    tasks: list[PlanTaskOut]


@router.get("/plans/{plan_id}", response={200: AnnualPlanOut, 404: ErrorOut}, auth=django_auth, tags=["planning"])
def annual_plan(request, plan_id: Id):
    """An authority's plan: its list of schools with where each stands today, its targets with their progress
    computed from the data, and the agencies' tasks."""
    plan = access_plan(request.user, plan_id)
    today = timezone.localdate()
    return Status(
        200,
        {
            **{f: getattr(plan, f) for f in ("id", "unit_id", "issuer", "number", "issued_on", "title", "period")},
            **{f: getattr(plan, f) for f in ("starts_on", "ends_on", "status")},
            "targets": [
                {
                    "position": t.position,
                    "school_id": t.school_id,
                    "school": t.school.name,
                    "target": t.target_label,
                    "recognition_round": t.recognition_round,
                    "evaluation_period": t.evaluation_period,
                    "stage": p.stage,
                    "stage_label": p.stage_label,
                    "recognised": p.recognition_label,
                    "expires_on": p.expires_on,
                }
                for t, p in planning.plan_targets_with_positions(plan, today)
            ],
            "goals": [
                {
                    "text": g.goal.text,
                    "metric": g.goal.metric,
                    "measure": g.goal.measure,
                    "target_value": float(g.goal.target_value),
                    "value": float(g.value),
                    "achieved": len(g.achieved),
                    "total": g.total,
                    "met": g.met,
                }
                for g in planning.goals_progress(plan)
            ],
            "tasks": [
                {
                    "id": t.pk,
                    "agency": t.agency,
                    "lead_official": t.lead_official,
                    "content": t.content,
                    "deadline": t.deadline_label,
                    "due_on": t.due_on,
                    "status": t.status,
                    "overdue": t.is_overdue(today),
                }
                for t in plan.tasks.all()
            ],
        },
    )
