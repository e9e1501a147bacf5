"""Opening a school's self-assessment for a year, optionally from an earlier cycle: the council, plan and worksheet
(selfassessment), the evidence links (evidence) and the criterion texts are carried over in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.core.schoolyear import normalize_school_year
from kiemdinh.evidence.services import evidence_carry_over
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.selfassessment.council.services import council_copy, plan_copy, worksheet_copy
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import criterion_forms_copy, cycle_create, ensure_editable
from kiemdinh.units.models import School


@transaction.atomic
def cycle_open(
    *,
    actor,
    school: School,
    school_year: str,
    framework: FrameworkVersion | None = None,
    carry_over_from: Cycle | None = None,
) -> Cycle:
    """Open a school's self-assessment for a school year, on the framework in force then (or the one given).

    carry_over_from: an earlier cycle of the same school whose council, plan, worksheet, evidence (as links, same
    codes) and criterion texts are reused; that cycle itself does not change.
    """
    school_year = normalize_school_year(school_year)
    if carry_over_from is not None:
        if carry_over_from.school_id != school.pk:
            raise ValidationError({"carry_over_from": "Chỉ kế thừa được đợt tự đánh giá của chính trường này."})
        if carry_over_from.school_year >= school_year:
            raise ValidationError({"carry_over_from": f"Chỉ kế thừa được đợt của năm học trước năm học {school_year}."})
    cycle = cycle_create(actor=actor, school=school, school_year=school_year, framework=framework)
    if carry_over_from is not None:
        # What could not be carried over, for the page to tell the user (not stored: the audit events keep it).
        cycle.carry_over_skipped = cycle_carry_over(actor=actor, source=carry_over_from, target=cycle)
    return cycle


@transaction.atomic
def cycle_carry_over(*, actor, source: Cycle, target: Cycle) -> dict[str, list[str]]:
    """Reuse an earlier cycle's council, plan, worksheet, evidence links and criterion texts in a new, empty cycle.

    Evidence is linked with its code, never copied; ratings are not carried (each year is rated anew). Returns, per
    part, the codes that have no counterpart in the new cycle's framework.
    """
    ensure_editable(target)
    skipped = {
        "council": list(council_copy(actor=actor, source=source, target=target).skipped),
        "plan": list(plan_copy(actor=actor, source=source, target=target).skipped),
        "worksheet": list(worksheet_copy(actor=actor, source=source, target=target).skipped),
    }
    if source.framework.regime == target.framework.regime:
        evidence = evidence_carry_over(actor=actor, source=source, target=target)
        skipped["evidence"] = [f"{s['code']}: {s['reason']}" for s in evidence.skipped]
        skipped["forms"] = criterion_forms_copy(actor=actor, source=source, target=target)
    else:
        # The same criterion code means a different requirement under another circular: linking old evidence codes or
        # texts to it would mislead. Old items stay reusable one by one from the evidence register.
        reason = (
            f"Đợt mới theo {target.framework.circular}, khác bộ tiêu chuẩn của đợt năm học {source.school_year}: "
            "không kế thừa tự động; có thể dùng lại từng minh chứng cũ trong danh mục minh chứng."
        )
        skipped["evidence"] = [reason]
        skipped["forms"] = [reason]
    target.carried_from = source
    target.save(update_fields=["carried_from"])
    return skipped
