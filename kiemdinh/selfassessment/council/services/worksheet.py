"""Writes of the nội hàm worksheet (Phụ lục 2 and 3): one row, an indicator's or a Mức 4 item's meaning, questions,
evidence needed and where to find it. Keyword-only, atomic, with one audit event."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.audit import Event
from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Indicator, Level4Item
from kiemdinh.selfassessment.council.constants import SCOPE_TEXT_FIELDS
from kiemdinh.selfassessment.council.services._common import record, user_or_none
from kiemdinh.selfassessment.models import Cycle, ScopeAnalysis
from kiemdinh.selfassessment.services import ensure_editable


@transaction.atomic
def scope_analysis_save(
    *,
    actor,
    cycle: Cycle,
    indicator: Indicator | None = None,
    level4_item: Level4Item | None = None,
    meaning: str = "",
    questions: str = "",
    evidence_needed: str = "",
    sources: str = "",
) -> ScopeAnalysis:
    """Save one row of the nội hàm worksheet: an indicator's (or a Mức 4 item's) meaning, questions, evidence needed
    and where to find it."""
    ensure_editable(cycle)
    if (indicator is None) == (level4_item is None):
        raise ValidationError("Mỗi dòng phiếu nội hàm thuộc đúng một chỉ báo hoặc một tiêu chí Mức 4.")
    if indicator is not None and indicator.criterion.version_id != cycle.framework_id:
        raise ValidationError("Chỉ báo không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
    if level4_item is not None:
        if level4_item.version_id != cycle.framework_id:
            raise ValidationError("Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá này.")
        if level4_item.confidence == Confidence.MISSING:
            raise ValidationError(
                f"Tiêu chí Mức 4 số {level4_item.code} chưa có văn bản nên chưa xác định nội hàm được."
            )
    values = {
        "meaning": (meaning or "").strip(),
        "questions": (questions or "").strip(),
        "evidence_needed": (evidence_needed or "").strip(),
        "sources": (sources or "").strip(),
        "updated_by": user_or_none(actor),
    }
    key = {"indicator": indicator} if indicator is not None else {"level4_item": level4_item}
    analysis, created = ScopeAnalysis.objects.update_or_create(cycle=cycle, defaults=values, **key)
    record(
        actor=actor,
        event_type=Event.WORKSHEET_ROW_SAVED,
        obj=analysis,
        cycle=cycle,
        data={
            "target": str(indicator) if indicator is not None else str(level4_item),
            "created": created,
            "filled": [name for name in SCOPE_TEXT_FIELDS if values[name]],
        },
    )
    return analysis
