"""The schools worth listing in a plan (a recognition lapsing or lapsed, or never recognised), in four queries."""

from dataclasses import dataclass

from kiemdinh.planning.models import AnnualPlan
from kiemdinh.planning.selectors.common import decision_text, fmt_date, plus_months
from kiemdinh.recognition.models import (
    REREGISTER_MONTHS_BEFORE,
    Decision,
    DecisionKind,
    RecognitionRound,
    months_before,
)
from kiemdinh.selfassessment.models import CycleSnapshot
from kiemdinh.units.models import School
from kiemdinh.units.selectors import schools_under_on


@dataclass(frozen=True)
class Suggestion:
    school: School
    reason: str
    recognition_round: str
    accreditation_grade: int | None
    national_standard_level: int | None
    priority: int  # 0: recognition lapses in the period, 1: already lapsed, 2: never recognised
    dismissed_reason: str = ""

    @property
    def target_label(self) -> str:
        parts = []
        if self.accreditation_grade:
            parts.append(f"CĐ{self.accreditation_grade}")
        if self.national_standard_level:
            parts.append(f"MĐ{self.national_standard_level}")
        return "-".join(parts)

    @property
    def round_label(self) -> str:
        return "CN lại" if self.recognition_round == RecognitionRound.AGAIN else "CN lần đầu"


def _decisions_text(decisions: list[Decision]) -> str:
    """One decision as decision_text; a grade and a level signed together as "CĐ2-MĐ1 (quyết định ngày …)"."""
    if len(decisions) == 1 or len({(d.number, d.decided_on) for d in decisions}) > 1:
        return ", ".join(decision_text(d) for d in decisions)
    first = decisions[0]
    number = f" số {first.number}" if first.number else ""
    labels = "-".join(d.label for d in sorted(decisions, key=lambda d: d.kind))
    return f"{labels} (quyết định{number} ngày {fmt_date(first.decided_on)})"


def national_level_for(school_level: int | None) -> int | None:
    """2018 regime: school Mức 2 → MĐ1, Mức 3 or 4 → MĐ2 (the rule engine's mapping, for a proposal only)."""
    if not school_level or school_level < 2:
        return None
    return 1 if school_level == 2 else 2


def accepted_results(school_ids) -> dict[int, tuple[str, dict]]:
    """Per school, the school year and rule-engine result of its latest accepted self-assessment (one query)."""
    rows = (
        CycleSnapshot.objects.filter(accepted=True, cycle__school_id__in=school_ids)
        .order_by("cycle__school_id", "-cycle__school_year", "-created_at")
        .values_list("cycle__school_id", "cycle__school_year", "content__result")
    )
    results: dict[int, tuple[str, dict]] = {}
    for school_id, school_year, result in rows:
        results.setdefault(school_id, (school_year, result or {}))
    return results


def suggestions(plan: AnnualPlan) -> tuple[list[Suggestion], list[Suggestion]]:
    """Schools below the plan's unit worth listing, and those the officer dismissed (with their reason).

    - a recognition that runs out before the plan's end plus the re-registration lead (5 months): it must be renewed
      within the plan (CN lại), with the same grade and level;
    - a recognition that ran out before the plan starts and was not renewed (CN lại);
    - a school never recognised (CN lần đầu): CĐ/MĐ from its latest accepted self-assessment where there is one,
      else CĐ2-MĐ1, the usual first target in the seeds.
    Schools already listed in the plan are left out; the plan's unit's schools are those of its date too. Five queries."""
    candidates = schools_under_on(plan.unit, plan.dated_on).filter(is_active=True).exclude(plan_targets__plan=plan)
    schools = list(candidates.select_related("unit"))
    # The schools as a subquery, not a list of ids: a province's thousand ids cost more to bind than to query.
    ids = candidates.values("pk")
    dismissed = dict(plan.dismissals.values_list("school_id", "reason"))
    latest: dict[tuple[int, str], Decision] = {}
    in_force = Decision.objects.filter(school_id__in=ids, revoked_on__isnull=True).order_by("decided_on", "id")
    for decision in in_force.only("school_id", "kind", "level", "number", "decided_on", "valid_until"):
        latest[(decision.school_id, decision.kind)] = decision
    results = accepted_results(ids)
    start, end = plan.starts_on, plan.ends_on
    horizon_end = end and plus_months(end, REREGISTER_MONTHS_BEFORE)
    found = []
    kinds = DecisionKind.values
    for school in schools:
        held = [d for d in (latest.get((school.pk, k)) for k in kinds) if d]
        suggestion = None
        if held:
            lapsing = [d for d in held if start and start <= d.valid_until <= horizon_end]
            lapsed = [d for d in held if start and d.valid_until < start]
            grade = next((d.level for d in held if d.kind == DecisionKind.ACCREDITATION), None)
            level = next((d.level for d in held if d.kind == DecisionKind.NATIONAL_STANDARD), None)
            if lapsing:
                d = min(lapsing, key=lambda d: d.valid_until)
                suggestion = Suggestion(
                    school,
                    f"{_decisions_text([x for x in lapsing if x.valid_until == d.valid_until])} hết hiệu lực ngày "
                    f"{fmt_date(d.valid_until)}; cần đăng ký đánh giá lại trước "
                    f"{fmt_date(months_before(d.valid_until, REREGISTER_MONTHS_BEFORE))}.",
                    RecognitionRound.AGAIN,
                    grade,
                    level,
                    0,
                )
            elif lapsed and len(lapsed) == len(held):
                d = max(lapsed, key=lambda d: d.valid_until)
                suggestion = Suggestion(
                    school,
                    f"{decision_text(d)} đã hết hiệu lực từ {fmt_date(d.valid_until)}, chưa được công nhận lại.",
                    RecognitionRound.AGAIN,
                    grade,
                    level,
                    1,
                )
        else:
            school_year, result = results.get(school.pk, ("", {}))
            school_level = result.get("school_level")
            if school_level:
                grade = min(result.get("accreditation_grade") or school_level, 4)
                level = result.get("national_standard_level") or national_level_for(school_level)
                basis = f"tự đánh giá năm học {school_year} đạt Mức {school_level}"
            else:
                grade, level = 2, 1
                basis = "chưa có kết quả tự đánh giá được chấp nhận"
            suggestion = Suggestion(
                school, f"Chưa từng được công nhận; {basis}.", RecognitionRound.FIRST, grade, level, 2
            )
        if suggestion is not None:
            found.append(suggestion)
    found.sort(key=lambda s: (s.priority, s.school.school_type, s.school.name))
    open_ = [s for s in found if s.school.pk not in dismissed]
    closed = [
        Suggestion(**{**s.__dict__, "dismissed_reason": dismissed[s.school.pk]})
        for s in found
        if s.school.pk in dismissed
    ]
    return open_, closed
