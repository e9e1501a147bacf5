"""The plan itself: made once per cycle with starting texts, its header (number, signer, bases…), issuing it (ban
hành) once nothing stops it and taking it back to draft with a reason; and the reasons a weakness of the
self-assessment gets no line (coverage notes), which issuing checks."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.frameworks.choices import Regime
from kiemdinh.improvement.models import CoverageNote, ImprovementPlan, PlanStatus
from kiemdinh.improvement.selectors import Coverage, coverage, results_summary
from kiemdinh.improvement.services.common import (
    PLAN_TEXT_FIELDS,
    check_criterion,
    clean_text,
    lock_plan,
    record,
    user_or_none,
)
from kiemdinh.selfassessment.models import CouncilRole, Cycle

# --- the plan -------------------------------------------------------------------------------------------------------


def default_texts(cycle: Cycle) -> dict[str, str]:
    """Starting texts for a new plan (the user edits them); the wording follows the Thanh Chấn seed's sections."""

    year = cycle.school_year.replace("-", " - ")
    circular = cycle.framework.circular
    # 2018 plans carry the results as item 3 of their bases (the seed's layout); TT57's Biểu 2 has its own section.
    results = results_summary(cycle) if cycle.framework.regime != Regime.TT57 else []
    return {
        "purpose": (
            f"1. Xây dựng kế hoạch cải tiến chất lượng giáo dục để thực hiện trong năm học {year} nhằm đưa ra các giải "
            "pháp phát huy điểm mạnh, khắc phục điểm yếu, từng bước nâng cao chất lượng giáo dục.\n"
            "2. Kế hoạch phải cụ thể, khả thi, phù hợp với điều kiện thực tế của nhà trường và địa phương."
        ),
        "bases": "\n".join(
            [
                f"1. Báo cáo tự đánh giá năm học {cycle.school_year} của trường.",
                f"2. {circular} và các văn bản hướng dẫn hiện hành.",
                *([f"3. Kết quả tự đánh giá của nhà trường năm học {cycle.school_year}:", *results] if results else []),
            ]
        ),
        "organisation": (
            "1. Hiệu trưởng chỉ đạo, phân công thực hiện và kiểm tra, giám sát việc thực hiện kế hoạch.\n"
            "2. Tổ giám sát kế hoạch cải tiến chất lượng báo cáo định kỳ và kiến nghị dựa trên kết quả giám sát.\n"
            "3. Cán bộ, giáo viên, nhân viên thực hiện các nhiệm vụ được phân công theo đúng tiến độ."
        ),
        "recipients": "- Phòng GDĐT (để b/c);\n- Lưu VT.",
        "place": cycle.school.unit.name.split(" ", 1)[-1] if cycle.school.unit_id else "",
    }


@transaction.atomic
def plan_create(*, actor, cycle: Cycle) -> ImprovementPlan:
    """The cycle's plan with starting texts, or the existing one (one plan per cycle)."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    existing = ImprovementPlan.objects.filter(cycle=cycle).first()
    if existing:
        return existing
    principal = cycle.council_members.filter(role=CouncilRole.CHAIR).values_list("full_name", flat=True).first()
    plan = ImprovementPlan.objects.create(cycle=cycle, signer_name=principal or "", **default_texts(cycle))
    record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_CREATED, obj=plan, plan=plan, data={"cycle": cycle.pk})
    return plan


UNCHANGED = object()  # plan_update: issued_on not given keeps the date (texts are partial too)


@transaction.atomic
def plan_update(*, actor, plan: ImprovementPlan, issued_on: date | None = UNCHANGED, **texts) -> ImprovementPlan:
    plan = lock_plan(plan)
    unknown = set(texts) - set(PLAN_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan fields: {sorted(unknown)}")
    changed = {}
    for name, value in texts.items():
        value = clean_text(value, name)
        if name == "signer_title" and not value:
            raise ValidationError({name: "Hãy ghi chức danh người ký, ví dụ HIỆU TRƯỞNG."})
        if getattr(plan, name) != value:
            changed[name] = value
            setattr(plan, name, value)
    if issued_on is not UNCHANGED and issued_on != plan.issued_on:
        changed["issued_on"] = issued_on.isoformat() if issued_on else None
        plan.issued_on = issued_on
    if plan.is_issued and not plan.number:
        raise ValidationError({"number": "Kế hoạch đã ban hành phải có số."})
    if plan.is_issued and not plan.issued_on:
        raise ValidationError({"issued_on": "Kế hoạch đã ban hành phải có ngày ban hành."})
    if changed:
        plan.save()
        record(
            actor=actor,
            event_type=Event.IMPROVEMENT_PLAN_UPDATED,
            obj=plan,
            plan=plan,
            data={"changed": sorted(changed)},
        )
    return plan


def issue_problems(plan: ImprovementPlan) -> list[str]:
    """What stops the plan from being issued (ban hành)."""

    problems = []
    if not plan.number:
        problems.append("Chưa ghi số kế hoạch.")
    if not plan.issued_on:
        problems.append("Chưa ghi ngày ban hành.")
    if not plan.lines.exists():
        problems.append("Kế hoạch chưa có dòng nào.")
    uncovered = [row.label for row in coverage(plan) if row.state == Coverage.UNCOVERED]
    if uncovered:
        problems.append("Còn điểm yếu chưa có dòng kế hoạch hoặc lý do không lập: " + ", ".join(uncovered) + ".")
    return problems


@transaction.atomic
def plan_issue(*, actor, plan: ImprovementPlan) -> ImprovementPlan:
    plan = lock_plan(plan)
    if plan.is_issued:
        raise ValidationError("Kế hoạch đã được ban hành.")
    problems = issue_problems(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.ISSUED
    plan.issued_at = timezone.now()
    plan.issued_by = user_or_none(actor)
    plan.save()
    record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_ISSUED, obj=plan, plan=plan, data={"number": plan.number})
    return plan


@transaction.atomic
def plan_reopen(*, actor, plan: ImprovementPlan, reason: str) -> ImprovementPlan:
    """Back to draft (e.g. to restructure the plan); the reason is recorded."""
    plan = lock_plan(plan)
    reason = clean(reason or "")
    if not plan.is_issued:
        raise ValidationError("Kế hoạch đang là dự thảo.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do đưa kế hoạch về dự thảo."})
    plan.status = PlanStatus.DRAFT
    plan._change_reason = reason
    plan.save()
    record(actor=actor, event_type=Event.IMPROVEMENT_PLAN_REOPENED, obj=plan, plan=plan, data={"reason": reason})
    return plan


# --- coverage of the weaknesses -------------------------------------------------------------------------------------


@transaction.atomic
def coverage_note_save(*, actor, plan: ImprovementPlan, reason: str, criterion=None, level4_item=None) -> CoverageNote:
    """Record why a weakness gets no line (e.g. "đã đưa vào dòng của tiêu chí 1.10")."""
    plan = lock_plan(plan)
    reason = clean(reason or "")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do không lập dòng kế hoạch cho điểm yếu này."})
    if (criterion is None) == (level4_item is None):
        raise ValidationError("Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4.")
    if criterion is not None:
        check_criterion(plan, criterion)
        lookup = {"criterion": criterion}
    else:
        if level4_item.version_id != plan.cycle.framework_id:
            raise ValidationError("Tiêu chí Mức 4 không thuộc bộ tiêu chuẩn của đợt tự đánh giá.")
        lookup = {"level4_item": level4_item}
    note, _ = CoverageNote.objects.update_or_create(
        plan=plan, **lookup, defaults={"reason": reason, "created_by": user_or_none(actor)}
    )
    subject = criterion.code if criterion else f"Mức 4 tiêu chí {level4_item.code}"
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_COVERAGE_NOTED,
        obj=note,
        plan=plan,
        data={"subject": subject, "reason": reason},
    )
    return note


@transaction.atomic
def coverage_note_delete(*, actor, note: CoverageNote) -> None:
    plan = lock_plan(note.plan)
    record(
        actor=actor,
        event_type=Event.IMPROVEMENT_COVERAGE_NOTE_DELETED,
        obj=note,
        plan=plan,
        data={"reason": note.reason},
    )
    note.delete()
