"""Regulations (public): the framework versions with their criteria and indicators, and the evaluate contract."""

from django.http import Http404
from ninja import Router, Schema, Status

from kiemdinh.api.shared import ErrorOut
from kiemdinh.frameworks.contract import ContractError, evaluate_request
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator

router = Router()


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


@router.get("/frameworks", response=list[FrameworkOut], tags=["frameworks"])
def framework_list(request):
    return [_framework_out(v) for v in FrameworkVersion.objects.all()]


@router.get("/frameworks/{code}", response={200: FrameworkDetailOut, 404: ErrorOut}, tags=["frameworks"])
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


@router.post("/evaluate", response={200: EvaluateOut, 400: ContractErrorOut}, tags=["frameworks"], auth=None)
def evaluate(request, payload: EvaluateIn):
    """The same contract as `./scripts/manage evaluate`; nothing is stored."""
    try:
        return Status(200, evaluate_request(payload.dict()))
    except ContractError as exc:
        return Status(400, {"detail": str(exc), "key": exc.key})
