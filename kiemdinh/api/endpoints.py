"""The JSON API (/api/v1/): a thin second face over the same services, selectors and access helpers.

Explicit input and output schemas; no model is exposed automatically. Session authentication with CSRF.
"""

from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import django_auth
from pydantic import Field, field_validator

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.text import fold
from kiemdinh.frameworks.contract import ContractError, evaluate_request
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator
from kiemdinh.improvement import selectors as improvement
from kiemdinh.planning import selectors as planning
from kiemdinh.planning.access import access_plan
from kiemdinh.selfassessment.access import access_cycle, cycles_visible
from kiemdinh.selfassessment.models import CycleStatus
from kiemdinh.selfassessment.selectors import cycle_status_report
from kiemdinh.units.access import access_school, access_unit, schools_visible
from kiemdinh.units.models import Ownership
from kiemdinh.units.services import school_update

api = NinjaAPI(
    title="Kiểm định API",
    version="1",
    description="Kiểm định chất lượng giáo dục và công nhận trường đạt chuẩn quốc gia.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN; the schema stays at /openapi.json
)


# Integers a parameter may hold: ids of rows (BigAutoField: 64-bit) and positions in a list. A value outside is bad input
# (422) before anything reaches the database, which would fail on it (SQLite cannot bind an integer beyond 64 bits,
# PostgreSQL refuses one beyond bigint).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_PAGE = 500


class ErrorOut(Schema):
    detail: str


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không có quyền."}, status=403)


def _no_nul(value: str, field: str) -> str:
    """PostgreSQL text cannot hold NUL; a query with one fails in the database. Refuse it as bad input (422)."""
    if "\x00" in value:
        raise ValidationError({field: "Không được chứa ký tự NUL."})
    return value


@api.exception_handler(ValidationError)
def invalid(request, exc):
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Dữ liệu không hợp lệ.", "errors": messages}, status=422)


def _schema_message(error: dict) -> str:
    """One pydantic error of a parameter or body field, in Vietnamese."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "value_error":  # raised by a validator of ours, already in Vietnamese
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    messages = {
        "less_than_equal": f"Phải nhỏ hơn hoặc bằng {ctx.get('le')}.",
        "greater_than_equal": f"Phải lớn hơn hoặc bằng {ctx.get('ge')}.",
        "int_parsing": "Phải là một số nguyên.",
        "int_type": "Phải là một số nguyên.",
        "int_from_float": "Phải là một số nguyên.",
        "missing": "Thiếu giá trị.",
        "string_type": "Phải là một chuỗi ký tự.",
        "string_too_long": f"Dài quá {ctx.get('max_length')} ký tự.",
        "string_too_short": f"Cần ít nhất {ctx.get('min_length')} ký tự.",
        "enum": f"Phải là một trong: {ctx.get('expected')}.",
        "bool_parsing": "Phải là true hoặc false.",
        "json_invalid": "Nội dung không phải JSON hợp lệ.",
    }
    return messages.get(kind) or error.get("msg", "Không hợp lệ.")


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    """Parameters or body fields that do not fit the schema: 422, each named with a Vietnamese reason."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "payload")]
        errors.setdefault(".".join(location) or "__all__", []).append(_schema_message(error))
    return api.create_response(request, {"detail": "Dữ liệu không hợp lệ.", "errors": errors}, status=422)


# Frameworks (public)


class FrameworkOut(Schema):
    id: str
    circular: str
    variant: str
    regime: str
    school_types: list[str]
    status: str
    confidence: str
    level4_status: str


class IndicatorOut(Schema):
    level: int
    letter: str
    text: str
    confidence: str
    note: str


class CriterionOut(Schema):
    code: str
    standard: str
    name: str
    mandatory: bool
    confidence: str
    indicators: list[IndicatorOut]


class FrameworkDetailOut(FrameworkOut):
    criteria: list[CriterionOut]


def _framework_out(v: FrameworkVersion) -> dict:
    return {
        "id": v.code,
        "circular": v.circular,
        "variant": v.variant,
        "regime": v.regime,
        "school_types": v.school_types,
        "status": v.status,
        "confidence": v.confidence,
        "level4_status": v.level4_status,
    }


@api.get("/frameworks", response=list[FrameworkOut], tags=["frameworks"])
def framework_list(request):
    return [_framework_out(v) for v in FrameworkVersion.objects.all()]


@api.get("/frameworks/{code}", response={200: FrameworkDetailOut, 404: ErrorOut}, tags=["frameworks"])
def framework_detail(request, code: str):
    version = FrameworkVersion.objects.filter(code=code).first() if "\x00" not in code else None
    if version is None:
        raise Http404("Không tìm thấy bộ tiêu chuẩn.")
    indicators: dict[int, list[dict]] = {}
    for ind in Indicator.objects.filter(criterion__version=version).order_by("level", "position"):
        indicators.setdefault(ind.criterion_id, []).append(
            {"level": ind.level, "letter": ind.letter, "text": ind.text, "confidence": ind.confidence, "note": ind.note}
        )
    criteria = [
        {
            "code": c.code,
            "standard": c.standard.code,
            "name": c.name,
            "mandatory": c.mandatory,
            "confidence": c.confidence,
            "indicators": indicators.get(c.pk, []),
        }
        for c in Criterion.objects.filter(version=version).select_related("standard")
    ]
    return {**_framework_out(version), "criteria": criteria}


class EvaluateIn(Schema):
    framework: str
    indicators: dict = {}
    level4: dict = {}


class LevelCountOut(Schema):
    achieved: int
    total: int


class EvaluateOut(Schema):
    framework: str
    criteria: dict[str, int]
    levels: dict[str, LevelCountOut]
    school_level: int
    accreditation_grade: int | None
    national_standard_level: int | None


class ContractErrorOut(Schema):
    detail: str
    key: str


@api.post("/evaluate", response={200: EvaluateOut, 400: ContractErrorOut}, tags=["frameworks"], auth=None)
def evaluate(request, payload: EvaluateIn):
    """The same contract as `./scripts/manage evaluate`; nothing is stored."""
    try:
        return Status(200, evaluate_request(payload.dict()))
    except ContractError as exc:
        return Status(400, {"detail": str(exc), "key": exc.key})


# Signed-in user, units and schools (scoped)


class MembershipOut(Schema):
    role: str
    role_label: str
    unit_id: int | None
    school_id: int | None


class MeOut(Schema):
    username: str
    full_name: str
    is_admin: bool
    memberships: list[MembershipOut]


@api.get("/me", response=MeOut, auth=django_auth, tags=["accounts"])
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "is_admin": user_scope(user).is_admin,
        "memberships": [
            {"role": m.role, "role_label": m.get_role_display(), "unit_id": m.unit_id, "school_id": m.school_id}
            for m in user.memberships.filter(is_active=True)
        ],
    }


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    school_type: str
    ownership: str
    unit_id: int
    unit_name: str
    address: str
    phone: str
    founded_year: int | None
    framework: str


def _school_out(s) -> dict:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "school_type": s.school_type,
        "ownership": s.ownership,
        "unit_id": s.unit_id,
        "unit_name": s.unit.name,
        "address": s.address,
        "phone": s.phone,
        "founded_year": s.founded_year,
        "framework": s.framework_code(),
    }


@api.get("/schools", response=list[SchoolOut], auth=django_auth, tags=["schools"])
def school_list(
    request,
    q: str = "",
    unit: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0,
):
    """Schools the signed-in user may see; q searches names and codes ignoring diacritics; at most 500 a page."""
    schools = schools_visible(request.user).select_related("unit").order_by("name")
    if unit is not None:
        schools = schools.within(access_unit(request.user, unit))
    if q:
        schools = schools.filter(search_text__contains=fold(_no_nul(q, "q")))
    return [_school_out(s) for s in schools[offset : offset + limit]]


@api.get("/schools/{school_id}", response={200: SchoolOut, 404: ErrorOut}, auth=django_auth, tags=["schools"])
def school_detail(request, school_id: Id):
    return _school_out(access_school(request.user, school_id))


class SchoolPatchIn(Schema):
    """Only the fields sent change. Text fields may not be null (send "" to clear address or phone); founded_year may
    (null clears it). Lengths and the year range are those of the school record."""

    name: str = Field(None, min_length=1, max_length=200)
    address: str = Field(None, max_length=300)
    phone: str = Field(None, max_length=40)
    founded_year: int | None = Field(None, ge=1800)
    ownership: Ownership = None

    @field_validator("name", "address", "phone")
    @classmethod
    def _text_without_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Không được chứa ký tự NUL.")
        return value

    @field_validator("founded_year")
    @classmethod
    def _not_in_future(cls, value: int | None) -> int | None:
        if value is not None and value > timezone.localdate().year:
            raise ValueError("Năm thành lập không được ở tương lai.")
        return value


@api.patch(
    "/schools/{school_id}",
    response={200: SchoolOut, 403: ErrorOut, 404: ErrorOut, 422: dict},
    auth=django_auth,
    tags=["schools"],
)
def school_patch(request, school_id: Id, payload: SchoolPatchIn):
    school = access_school(request.user, school_id, write=True)
    changes = payload.dict(exclude_unset=True)
    if "ownership" in changes:
        changes["ownership"] = Ownership(changes["ownership"]).value
    return _school_out(school_update(actor=request.user, school=school, **changes))


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    dissolved_on: str | None


@api.get("/units/{unit_id}", response={200: UnitOut, 404: ErrorOut}, auth=django_auth, tags=["units"])
def unit_detail(request, unit_id: Id):
    unit = access_unit(request.user, unit_id)
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "dissolved_on": unit.dissolved_on.isoformat() if unit.dissolved_on else None,
    }


# Self-assessment cycles (scoped)


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


@api.get("/cycles", response=list[CycleOut], auth=django_auth, tags=["self-assessment"])
def cycle_list(request, school_id: Id | None = None, status: CycleStatus | None = None):
    """Cycles the signed-in user may see, newest school year first (at most 500)."""
    cycles = cycles_visible(request.user).select_related("framework").order_by("-school_year", "school_id")
    if school_id is not None:
        cycles = cycles.filter(school_id=school_id)
    if status:
        cycles = cycles.filter(status=status)
    return [_cycle_out(c) for c in cycles[:500]]


@api.get(
    "/cycles/{cycle_id}/status",
    response={200: CycleStatusOut, 404: ErrorOut},
    auth=django_auth,
    tags=["self-assessment"],
)
def cycle_status(request, cycle_id: Id):
    """The same JSON as `./scripts/manage cycle_status --json`: results, status and evidence counts."""
    return Status(200, cycle_status_report(access_cycle(request.user, cycle_id)))


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


@api.get(
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


@api.get("/plans/{plan_id}", response={200: AnnualPlanOut, 404: ErrorOut}, auth=django_auth, tags=["planning"])
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
