"""Issuing the recognition decisions from an external evaluation team's result, in one action (#7).

One external evaluation serves both recognitions (regulations §3.1 item 5): the team's agreed levels give the school
level, hence the accreditation grade (cấp độ = Mức, 2018 regime only, issued by the Sở GD&ĐT) and the national-standard
level (mức độ: 2018 Mức 2 → 1, Mức 3–4 → 2, issued by the Chủ tịch UBND tỉnh; TT57 Mức 1 → 1, Mức 2 → 2, issued by
the Sở, Điều 17). Both need a completed cohort of pupils and are valid 5 years from signing.

The team's result is computed here from its TeamRating rows with the rule engine, not taken from the team's work
screens, so the decision always follows the agreed levels as stored.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.accounts.models import Body
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import nfc
from kiemdinh.evaluation.models import EvaluationReport, ReportStatus, Team, TeamRating
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.rules import Evaluation, evaluate_levels
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import (  # noqa: F401 (the names and province_place: used by documents)
    EDUCATION_DEPARTMENT,
    PEOPLES_COMMITTEE,
    Action,
    Verdict,
    province_place,
)
from kiemdinh.recognition.models import VALID_YEARS, Decision, DecisionKind, years_after
from kiemdinh.recognition.services import DecisionInput, decision_input_errors
from kiemdinh.units.models import AdministrativeUnit

KIND_FIELD = {DecisionKind.ACCREDITATION: "accreditation", DecisionKind.NATIONAL_STANDARD: "national"}
ALREADY_ISSUED = {
    DecisionKind.ACCREDITATION: "Quyết định công nhận đạt kiểm định từ kết quả của đoàn này đã được ban hành.",
    DecisionKind.NATIONAL_STANDARD: "Quyết định công nhận đạt chuẩn quốc gia từ kết quả của đoàn này đã được ban hành.",
}


# --- The team's result -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamResult:
    evaluation: Evaluation
    rated: int  # criteria with an agreed level
    total: int  # criteria of the framework

    @property
    def complete(self) -> bool:
        return self.rated >= self.total

    @property
    def school_level(self) -> int:
        return self.evaluation.school_level

    @property
    def accreditation_grade(self) -> int | None:
        return self.evaluation.accreditation_grade

    @property
    def national_standard_level(self) -> int | None:
        return self.evaluation.national_standard_level


def team_result(team: Team) -> TeamResult:
    """The school level, grade and national-standard level the team's agreed ratings give (one query; a criterion
    without an agreed level counts as 0). The team comes with registration__cycle__framework loaded."""
    spec = get_spec(team.registration.cycle.framework.code)
    criteria: dict[str, int] = {}
    level4: dict[str, bool] = {}
    for criterion, item, level, achieved in TeamRating.objects.filter(team=team).values_list(
        "criterion__code", "level4_item__code", "level", "achieved"
    ):
        if criterion and level is not None:
            criteria[criterion] = level
        elif item and achieved is not None:
            level4[item] = achieved
    known = {c.code for c in spec.criteria}
    return TeamResult(
        evaluation=evaluate_levels(spec, criteria, level4),
        rated=len(known & set(criteria)),
        total=len(known),
    )


# --- What will be issued ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One decision the team's result gives."""

    kind: str
    level: int
    issuer: str  # the issuing body of the rule table, as it signs
    signer_title: str  # "Giám đốc", "Chủ tịch"
    verdict: Verdict | None = None  # whether the user the plan was made for may issue it (None: not asked)

    @property
    def allowed(self) -> bool:
        return self.verdict is None or self.verdict.allowed

    @property
    def label(self) -> str:
        return f"{'CĐ' if self.kind == DecisionKind.ACCREDITATION else 'MĐ'}{self.level}"

    @property
    def title(self) -> str:
        if self.kind == DecisionKind.ACCREDITATION:
            return f"Công nhận đạt kiểm định chất lượng giáo dục cấp độ {self.level}"
        return f"Công nhận trường đạt chuẩn quốc gia mức độ {self.level}"

    @property
    def field(self) -> str:
        """The prefix of this decision's fields on the issuing form: accreditation_…, national_…"""
        return KIND_FIELD[DecisionKind(self.kind)]


@dataclass(frozen=True)
class IssuePlan:
    result: TeamResult
    report_final: bool
    planned: tuple[Planned, ...]  # issued by the action, in this order
    reasons: tuple[str, ...]  # why a requested decision is not (or no longer) issued, in Vietnamese
    issued: tuple[Decision, ...]  # decisions already issued from this team

    @property
    def mine(self) -> tuple[Planned, ...]:
        """The planned decisions the user may issue (every one when the plan was made without a user)."""
        return tuple(p for p in self.planned if p.allowed)

    @property
    def elsewhere(self) -> tuple[Planned, ...]:
        """The planned decisions another body issues (the rule table): each with its verdict's message."""
        return tuple(p for p in self.planned if not p.allowed)

    @property
    def can_issue(self) -> bool:
        return bool(self.mine)

    @property
    def open_reasons(self) -> tuple[str, ...]:
        """The reasons the page shows: those saying a decision is already issued are left out, as the page lists the
        issued decisions themselves."""
        return tuple(r for r in self.reasons if r not in ALREADY_ISSUED.values())


def province_of(unit) -> AdministrativeUnit:
    """The province at the top of the unit's path (one query; the unit itself when it is the province)."""
    code = next(part for part in unit.path.split("/") if part)
    return unit if unit.code == code else AdministrativeUnit.objects.get(code=code)


def default_issuers(province: AdministrativeUnit) -> tuple[str, str]:
    """The Sở GD&ĐT and the UBND of the province, as they sign (the province's education office when it is set)."""
    return authority.body_name(province, Body.EDUCATION), authority.body_name(province, Body.COMMITTEE)


ANYONE = object()  # issue_plan without a user: what the result gives, whoever issues it


def issue_plan(team: Team, *, actor=ANYONE) -> IssuePlan:
    """What the action would issue now, and why anything requested is not issued (5 queries). With `actor`, each
    planned decision says whether that user may issue it (the rule table: the Sở GD&ĐT issues the grade, the
    provincial People's Committee the 2018 national-standard level, the Sở the TT57 one); None is the system."""
    registration = team.registration
    cycle = registration.cycle
    regime = cycle.framework.regime
    tt57 = regime == Regime.TT57
    result = team_result(team)
    report_status = EvaluationReport.objects.filter(team=team).values_list("status", flat=True).first()
    report_final = report_status == ReportStatus.FINAL
    issued = tuple(Decision.objects.filter(team=team).order_by("kind", "id"))
    issued_kinds = {d.kind for d in issued}
    units = authority.units_of(registration.school)

    def planned_decision(kind: str, level: int) -> Planned:
        rule = authority.rule_for(regime, Action.DECISION_ISSUE, kind)
        body = authority.bodies_for(rule, units, timezone.localdate())[0]
        verdict = None
        if actor is not ANYONE:
            verdict = authority.authorise(
                actor, action=Action.DECISION_ISSUE, school=registration.school, regime=regime, kind=kind, units=units
            )
        title = "Giám đốc" if body.body == Body.EDUCATION else "Chủ tịch"
        return Planned(kind, level, body.name, title, verdict)

    reasons: list[str] = []
    planned: list[Planned] = []
    if not report_final:
        reasons.append("Báo cáo đánh giá ngoài của đoàn chưa phải bản chính thức; chưa ban hành được quyết định.")
    if not registration.cohort_completed:
        reasons.append("Trường chưa có khóa học sinh (trẻ) hoàn thành chương trình: chưa đủ điều kiện công nhận.")
    if not result.complete:
        reasons.append(
            f"Đoàn mới thống nhất mức của {result.rated}/{result.total} tiêu chí; tiêu chí chưa có mức được tính là "
            "chưa đạt."
        )
    if registration.wants_accreditation:
        if tt57:
            reasons.append(
                "Thông tư 57/2026 không còn cấp độ kiểm định: không ban hành quyết định công nhận đạt kiểm định."
            )
        elif DecisionKind.ACCREDITATION in issued_kinds:
            reasons.append(ALREADY_ISSUED[DecisionKind.ACCREDITATION])
        elif not result.accreditation_grade:
            reasons.append("Kết quả đánh giá ngoài chưa đạt Mức 1: không công nhận đạt kiểm định chất lượng giáo dục.")
        elif report_final and registration.cohort_completed:
            planned.append(planned_decision(DecisionKind.ACCREDITATION, result.accreditation_grade))
    if registration.wants_national_standard:
        if DecisionKind.NATIONAL_STANDARD in issued_kinds:
            reasons.append(ALREADY_ISSUED[DecisionKind.NATIONAL_STANDARD])
        elif not result.national_standard_level:
            needed = "Mức 1" if tt57 else "Mức 2"
            reasons.append(f"Kết quả đánh giá ngoài chưa đạt {needed} (mức độ 1): không công nhận đạt chuẩn quốc gia.")
        elif report_final and registration.cohort_completed:
            planned.append(planned_decision(DecisionKind.NATIONAL_STANDARD, result.national_standard_level))
    return IssuePlan(
        result=result, report_final=report_final, planned=tuple(planned), reasons=tuple(reasons), issued=issued
    )


# --- The action ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signing:
    """What the officer writes for one decision: its number, date, signer and (optionally) another issuing body."""

    number: str
    decided_on: date | None
    signer_name: str = ""
    issuer: str = ""  # blank: the default body for this decision


def _field_of(name: str, planned: Planned, decided_on_national: date | None) -> str:
    """The issuing form's field for an error of one decision's input."""
    if name == "decided_on":
        national_date = planned.kind == DecisionKind.NATIONAL_STANDARD and decided_on_national is not None
        return "decided_on_national" if national_date else "decided_on"
    if name in ("number", "issuer"):
        return f"{name}_{planned.field}"
    if name == "signer_name":
        return f"signer_{planned.field}"
    return "__all__"


@transaction.atomic
def decisions_issue(
    *,
    actor,
    team: Team,
    decided_on: date | None,
    number_accreditation: str = "",
    number_national: str = "",
    signer_accreditation: str = "",
    signer_national: str = "",
    decided_on_national: date | None = None,
    issuer_accreditation: str = "",
    issuer_national: str = "",
    published: bool = True,
) -> list[Decision]:
    """Issue the decisions the team's final result gives (the accreditation grade and/or the national-standard level
    the registration asked for) that the user's body issues by the rule table, valid 5 years from signing; a decision
    of another body stays planned for that body. Refused, with every reason, when nothing can be issued: report not
    final, no completed cohort, level too low, already issued (ValidationError), or only by another body
    (PermissionDenied naming it). One audit event."""
    team = (
        Team.objects.select_for_update(of=("self",))
        .select_related("registration__school__unit", "registration__cycle__framework")
        .get(pk=team.pk)
    )
    plan = issue_plan(team, actor=actor)
    if not plan.planned:
        raise ValidationError(list(plan.reasons) or ["Không có quyết định nào để ban hành."])
    if not plan.mine:
        raise PermissionDenied(" ".join(p.verdict.message for p in plan.elsewhere))
    signings = {
        DecisionKind.ACCREDITATION: Signing(
            number_accreditation, decided_on, signer_accreditation, issuer_accreditation
        ),
        DecisionKind.NATIONAL_STANDARD: Signing(
            number_national, decided_on_national or decided_on, signer_national, issuer_national
        ),
    }
    registration = team.registration
    school = registration.school
    cycle_regime = registration.cycle.framework.regime
    errors: dict[str, list[str]] = {}
    inputs = []
    for planned in plan.mine:
        signing = signings[DecisionKind(planned.kind)]
        data = DecisionInput(
            kind=planned.kind,
            level=planned.level,
            decided_on=signing.decided_on,
            number=nfc(signing.number).strip(),
            issuer=nfc(signing.issuer).strip() or planned.issuer,
            signer_name=nfc(signing.signer_name).strip(),
            recognition_round=registration.recognition_round,
        )
        found = decision_input_errors(data)
        if not data.number:
            found["number"] = "Hãy ghi số quyết định."
        final_on = team.final_report_on
        if data.decided_on and final_on and data.decided_on < final_on:
            found["decided_on"] = (
                f"Ngày ký không thể trước ngày báo cáo đánh giá ngoài chính thức ({final_on:%d/%m/%Y})."
            )
        for name, message in found.items():
            errors.setdefault(_field_of(name, planned, decided_on_national), []).append(message)
        inputs.append(data)
    if errors:
        raise ValidationError(errors)
    creator = actor if getattr(actor, "is_authenticated", False) else None
    decisions = []
    for planned, data in zip(plan.mine, inputs, strict=True):
        decision = Decision(
            school=school,
            kind=data.kind,
            regime=cycle_regime,
            level=data.level,
            recognition_round=data.recognition_round,
            number=data.number,
            decided_on=data.decided_on,
            issuer=data.issuer,
            signer_name=data.signer_name,
            valid_from=data.decided_on,
            valid_until=years_after(data.decided_on, VALID_YEARS),
            team=team,
            published=published,
            created_by=creator,
        )
        acting = planned.verdict.acting_as if planned.verdict else ""
        decision._history_user = creator
        decision._change_reason = "Ban hành từ kết quả đánh giá ngoài" + (f" ({acting})" if acting else "")
        decision.save()
        decisions.append(decision)
    audit.record(
        actor=actor,
        event_type=Event.DECISIONS_ISSUED,
        obj=team,
        school=school,
        unit=school.unit,
        data={
            "school_level": plan.result.school_level,
            "decisions": [{"id": d.pk, "kind": d.kind, "level": d.level, "number": d.number} for d in decisions],
        },
    )
    return decisions
