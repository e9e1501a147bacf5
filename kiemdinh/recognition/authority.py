"""Who decides what in external evaluation and recognition: ONE rule table (issue #18 §3).

RULES below is keyed by (regime, action, decision kind) and names the body that acts: the Sở GD&ĐT or the People's
Committee of the school's province, or the Phòng GD&ĐT of its district. Every service that accepts a registration, forms
a team, publishes a result, issues, enters (from paper), corrects or revokes a decision calls `require()` before it
changes anything; the views call `authorise()` to show a form only to those who may use it, and the services refuse
everyone else anyway (a view alone is no guarantee). A refusal is a PermissionDenied whose Vietnamese message names the
body that may do it.

Who is "an officer of the body": a user with an active officer membership of exactly that unit and body
(accounts.Membership.body; an officer of a commune below the province is not an officer of the province), or one whose
body the issuing body has delegated the action to by a Delegation row (the deciding document on record; see
recognition.models.Delegation). Nothing else: no title is parsed, a system administrator is not an officer of any body,
and an officer of a unit above the school is not, by that alone, its issuing body. The system itself (actor None: a
management command such as seed_demo) acts without an officer.

The regime: the 2018 circulars (TT17, TT18, TT19) or TT57/2026. A registration's and a team's is their cycle's
framework; a decision's is recorded on it (Decision.regime): its team's cycle's when issued from an evaluation, as the
officer states it when entered from paper (by default the one in force on its signing date, TT57 from 07/7/2026). A
decision is corrected and revoked by the body that issued it, under the regime it was decided under.

Both trees: since 1/7/2025 there is no district level (the Phòng GD&ĐT cấp huyện ceased, regulations.md §5). A district
body counts only where the school's unit path has a district that is not dissolved on the day of the action; the
province's bodies exist in both trees, so every action keeps an owner when the district goes.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Body
from kiemdinh.core.text import fold
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.recognition.models import Decision, DecisionKind, Delegation
from kiemdinh.units.models import TT57_FROM, AdministrativeUnit, UnitKind


class Action(models.TextChoices):
    REGISTRATION_DECIDE = "registration_decide", "chấp nhận hoặc trả lại đăng ký đánh giá ngoài"
    TEAM_FORM = "team_form", "thành lập đoàn đánh giá ngoài (quyết định, lịch làm việc, thành viên và phân công)"
    RESULT_PUBLISH = "result_publish", "công khai hoặc gỡ công khai kết quả đánh giá ngoài"
    DECISION_ISSUE = "decision_issue", "ban hành"
    DECISION_ENTER = "decision_enter", "ghi"
    DECISION_CORRECT = "decision_correct", "đính chính"
    DECISION_REVOKE = "decision_revoke", "thu hồi"


DECISION_ACTIONS = (Action.DECISION_ISSUE, Action.DECISION_ENTER, Action.DECISION_CORRECT, Action.DECISION_REVOKE)
KIND_NAMES = {
    DecisionKind.ACCREDITATION: "quyết định công nhận đạt kiểm định chất lượng giáo dục",
    DecisionKind.NATIONAL_STANDARD: "quyết định công nhận trường đạt chuẩn quốc gia",
}


class Level(models.TextChoices):
    """The bodies that act, by level of government."""

    PROVINCE_EDUCATION = "province_education", "Sở Giáo dục và Đào tạo"
    PROVINCE_COMMITTEE = "province_committee", "Ủy ban nhân dân tỉnh"
    DISTRICT_EDUCATION = "district_education", "Phòng Giáo dục và Đào tạo cấp huyện"


LEVEL_UNIT = {
    Level.PROVINCE_EDUCATION: (UnitKind.PROVINCE, Body.EDUCATION),
    Level.PROVINCE_COMMITTEE: (UnitKind.PROVINCE, Body.COMMITTEE),
    Level.DISTRICT_EDUCATION: (UnitKind.DISTRICT, Body.EDUCATION),
}


@dataclass(frozen=True)
class Rule:
    levels: tuple[Level, ...]  # the bodies that may act (any of them); empty: nobody, the regime has no such act
    basis: str  # the regulation it follows, in Vietnamese (shown in refusals and on the rule table's page)
    confidence: Confidence = (
        Confidence.APPROXIMATE
    )  # EXACT only where the article's text was read (none yet: regulations.md)

    @property
    def is_exact(self) -> bool:
        return self.confidence == Confidence.EXACT


S, U, P = Level.PROVINCE_EDUCATION, Level.PROVINCE_COMMITTEE, Level.DISTRICT_EDUCATION
R2018, TT57 = Regime.R2018, Regime.TT57
ACC, NAT = DecisionKind.ACCREDITATION, DecisionKind.NATIONAL_STANDARD

# Sources (reference/regulations.md, regulations-addendum.md, seed documents). No article text of the 2018 procedure
# or of TT57's external evaluation was read (regulations.md §7 items 5–7), so every rule is "approximate":
# - Registration, 2018: the school sends its registration to the Phòng GD&ĐT and the Sở GD&ĐT (Hóc Môn 2019–2020
#   plan: "Hồ sơ đăng ký gửi về Phòng GD&ĐT, Sở GD&ĐT"; the Phòng checks the dossier "trước khi chính thức trình đề
#   nghị Sở GD&ĐT đánh giá ngoài"); TT18 Điều 26 (addendum §3) names the registration dossier.
# - Team, 2018: the Sở GD&ĐT establishes it (regulations.md §4.1 and §5: "Sở lập đoàn"; Hóc Môn: "các đoàn đánh giá
#   ngoài của Sở GD&ĐT"; Hương Trà 2024: "tham mưu Sở GD&ĐT tổ chức đánh giá ngoài").
# - Accreditation, 2018: the Sở GD&ĐT (TT18 Điều 34; regulations.md §3.1 item 3). National standard, 2018: the
#   Chủ tịch UBND cấp tỉnh, decision and Bằng (TT17/18/19, regulations.md §3.1 item 4, §5).
# - TT57: the Sở GD&ĐT "xem xét, công nhận" (Điều 17), issues the Bằng (Điều 19) and revokes it (Điều 20 khoản 1);
#   its registration and evaluation steps were not found (regulations.md §7 item 6), so they stay with the Sở, the body
#   that recognises. TT57 has no accreditation grade (regulations-addendum.md §4.5).
_REGISTRATION_2018 = "Thông tư 17, 18, 19/2018 — trường gửi đăng ký đánh giá ngoài về Phòng GD&ĐT và Sở GD&ĐT"
_TEAM_2018 = "Thông tư 17, 18, 19/2018 — Sở GD&ĐT thành lập đoàn đánh giá ngoài"
_ACCREDITATION_2018 = (
    "Thông tư 18/2018 Điều 34 và điều tương ứng của Thông tư 17, 19/2018 — Sở GD&ĐT công nhận trường đạt kiểm định "
    "chất lượng giáo dục"
)
_NATIONAL_2018 = "Thông tư 17, 18, 19/2018 — Chủ tịch UBND cấp tỉnh công nhận trường đạt chuẩn quốc gia"
_TT57 = "Thông tư 57/2026 Điều 17, 19, 20 — Sở GD&ĐT xem xét, công nhận, cấp và thu hồi Bằng công nhận"
_TT57_NO_GRADE = "Thông tư 57/2026 không còn cấp độ kiểm định chất lượng giáo dục"


def _decisions(regime: str, kind: str, rule: Rule) -> dict:
    """The four decision actions of one kind share their body: whoever issues a decision also enters it from paper,
    corrects and revokes it."""
    return {(regime, action, kind): rule for action in DECISION_ACTIONS}


RULES: dict[tuple[str, str, str], Rule] = {
    # (regime, action, decision kind or "")
    (R2018, Action.REGISTRATION_DECIDE, ""): Rule((P, S), _REGISTRATION_2018),
    (R2018, Action.TEAM_FORM, ""): Rule((S,), _TEAM_2018),
    (R2018, Action.RESULT_PUBLISH, ""): Rule((S,), _TEAM_2018),
    **_decisions(R2018, ACC, Rule((S,), _ACCREDITATION_2018)),
    **_decisions(R2018, NAT, Rule((U,), _NATIONAL_2018)),
    (TT57, Action.REGISTRATION_DECIDE, ""): Rule((S,), _TT57),
    (TT57, Action.TEAM_FORM, ""): Rule((S,), _TT57),
    (TT57, Action.RESULT_PUBLISH, ""): Rule((S,), _TT57),
    **_decisions(TT57, ACC, Rule((), _TT57_NO_GRADE)),
    **_decisions(TT57, NAT, Rule((S,), _TT57)),
}


def rule_for(regime: str, action: str, kind: str = "") -> Rule:
    return RULES[(regime, action, kind if action in DECISION_ACTIONS else "")]


# --- The bodies of a school ------------------------------------------------------------------------------------------

EDUCATION_DEPARTMENT = "Sở Giáo dục và Đào tạo"
PEOPLES_COMMITTEE = "Ủy ban nhân dân"
CENTRAL_CITIES = {fold(n) for n in ("Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "Hồ Chí Minh")}


def province_place(province: AdministrativeUnit) -> str:
    """ "Tỉnh Thanh Hóa" → "tỉnh Thanh Hóa", as it follows a body's name ("Sở Giáo dục và Đào tạo tỉnh Thanh Hóa")."""
    name = province.name
    first, _, rest = name.partition(" ")
    if rest and first.lower() in {"tỉnh", "thành"}:
        return f"{first.lower()} {rest}"
    # A bare name ("Thừa Thiên Huế"): the centrally governed cities carry their own word, the rest are provinces.
    if fold(name) in CENTRAL_CITIES:
        return f"thành phố {name}"
    return f"tỉnh {name}"


def body_name(unit: AdministrativeUnit, body: str) -> str:
    """How the body signs: "Sở Giáo dục và Đào tạo tỉnh X" (or the unit's education office as recorded), "Ủy ban nhân
    dân tỉnh X", "Phòng Giáo dục và Đào tạo huyện Y", "Ủy ban nhân dân xã Z"."""
    if unit.kind == UnitKind.PROVINCE:
        if body == Body.EDUCATION:
            return unit.education_office or f"{EDUCATION_DEPARTMENT} {province_place(unit)}"
        return f"{PEOPLES_COMMITTEE} {province_place(unit)}"
    if body == Body.EDUCATION:
        return unit.education_office or f"Phòng Giáo dục và Đào tạo {unit.name}"
    return f"{PEOPLES_COMMITTEE} {unit.name}"


@dataclass(frozen=True)
class IssuingBody:
    level: str
    unit: AdministrativeUnit
    body: str

    @property
    def name(self) -> str:
        return body_name(self.unit, self.body)


def province_path(path: str) -> str:
    """ "/46/46-HT/" → "/46/": the path of the province at the top of a unit's path."""
    return "/" + path.strip("/").split("/")[0] + "/"


def units_of(school) -> list[AdministrativeUnit]:
    """The school's unit and every unit above it, the province first (one query)."""
    unit = school.unit
    return list(AdministrativeUnit.objects.filter(path__in=[*unit.ancestor_paths, unit.path]).order_by("path"))


def units_of_many(schools) -> dict[int, list[AdministrativeUnit]]:
    """units_of for many schools (one query): school id → its unit and the units above it, the province first."""
    paths = set()
    for school in schools:
        paths.update([*school.unit.ancestor_paths, school.unit.path])
    units = {u.path: u for u in AdministrativeUnit.objects.filter(path__in=paths)}
    return {
        school.pk: [units[p] for p in sorted([*school.unit.ancestor_paths, school.unit.path]) if p in units]
        for school in schools
    }


def bodies_for(rule: Rule, units: list[AdministrativeUnit], on: date) -> tuple[IssuingBody, ...]:
    """The rule's bodies that exist for the school whose units are given: a district body only where the path has a
    district not dissolved on `on` (both trees)."""
    found = []
    for level in rule.levels:
        kind, body = LEVEL_UNIT[Level(level)]
        for unit in units:
            if unit.kind != kind:
                continue
            if unit.dissolved_on is not None and unit.dissolved_on <= on:
                continue
            found.append(IssuingBody(level=level, unit=unit, body=body))
            break
    return tuple(found)


# --- The verdict -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    action: str
    regime: str
    kind: str
    rule: Rule
    bodies: tuple[IssuingBody, ...]  # who may act (empty: nobody)
    acting_for: IssuingBody | None = None  # the body the user acts as (allowed only)
    delegation: Delegation | None = None  # when the user acts for it by delegation
    message: str = ""  # why not, in Vietnamese ("" when allowed)

    @property
    def what(self) -> str:
        return what(self.action, self.kind)

    @property
    def regime_label(self) -> str:
        return Regime(self.regime).label

    @property
    def body_names(self) -> str:
        return " hoặc ".join(b.name for b in self.bodies)

    @property
    def acting_as(self) -> str:
        """ "Sở Giáo dục và Đào tạo tỉnh X, được Ủy ban nhân dân tỉnh X ủy quyền (văn bản số …)" or the body's name."""
        if self.acting_for is None:
            return ""
        if self.delegation is None:
            return self.acting_for.name
        d = self.delegation
        return (
            f"{body_name(d.delegate_unit, d.delegate_body)}, được {self.acting_for.name} ủy quyền "
            f"(văn bản số {d.document_number} ngày {d.document_on:%d/%m/%Y})"
        )


def what(action: str, kind: str = "") -> str:
    """ "thu hồi quyết định công nhận trường đạt chuẩn quốc gia", "ghi quyết định … đã ký trên giấy"."""
    label = Action(action).label
    if action in DECISION_ACTIONS:
        done = " đã ký trên giấy" if action == Action.DECISION_ENTER else ""
        return f"{label} {KIND_NAMES[DecisionKind(kind)]}{done}"
    return label


def _refusal(action: str, kind: str, regime: str, rule: Rule, bodies: tuple[IssuingBody, ...]) -> str:
    doing = what(action, kind)
    if not rule.levels:
        return f"{rule.basis}: không có việc {doing} theo quy định này."
    if not bodies:
        return f"Chưa xác định được cơ quan {doing} của trường (theo {rule.basis})."
    names = " hoặc ".join(b.name for b in bodies)
    return (
        f"Việc {doing} do {names} thực hiện (theo {rule.basis}). Tài khoản của bạn không thuộc cơ quan này và không "
        "được cơ quan này ủy quyền."
    )


class Authority:
    """One user's authority on one day: their bodies (from their scope, no query) and the delegations made to those
    bodies (one query, the first time one is needed), so that a list asks for many schools at a fixed cost."""

    def __init__(self, actor, on: date | None = None):
        self.actor = actor
        self.on = on or timezone.localdate()
        self.scope = user_scope(actor) if getattr(actor, "is_authenticated", False) else None
        self._delegations: list[Delegation] | None = None

    def delegations(self) -> list[Delegation]:
        """The delegations in force on the day to one of the user's bodies."""
        if self._delegations is None:
            self._delegations = []
            if self.scope is not None and self.scope.offices:
                theirs = Q()
                for office in self.scope.offices:
                    theirs |= Q(delegate_unit_id=office.unit_id, delegate_body=office.body)
                self._delegations = list(
                    Delegation.objects.filter(theirs, valid_from__lte=self.on)
                    .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.on))
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=self.on))
                    .select_related("delegate_unit")
                    .order_by("-valid_from", "-id")
                )
        return self._delegations

    def _delegation(self, body: IssuingBody, action: str, kind: str) -> Delegation | None:
        return next(
            (
                d
                for d in self.delegations()
                if d.unit_id == body.unit.pk
                and d.body == body.body
                and d.kind in ("", kind)
                and action in d.action_list
            ),
            None,
        )

    def check(self, *, action: str, school, regime: str, kind: str = "", units=None) -> Verdict:
        """Whether the user may do `action` (on a decision of `kind`) for `school` under `regime`. `units`: the
        school's units when already loaded (units_of, units_of_many); else one query."""
        rule = rule_for(regime, action, kind)
        bodies = bodies_for(rule, units if units is not None else units_of(school), self.on)

        def verdict(allowed: bool, acting_for=None, delegation=None) -> Verdict:
            message = "" if allowed else _refusal(action, kind, regime, rule, bodies)
            return Verdict(allowed, action, regime, kind, rule, bodies, acting_for, delegation, message)

        if not bodies:
            return verdict(False)
        if self.actor is None:  # the system itself (a management command), in the first body's name
            return verdict(True, bodies[0])
        if self.scope is None:
            return verdict(False)
        for body in bodies:
            if self.scope.works_for(body.unit.pk, body.body):
                return verdict(True, body)
        for body in bodies:
            delegation = self._delegation(body, action, kind)
            if delegation is not None:
                return verdict(True, body, delegation)
        return verdict(False)


def authorise(
    actor, *, action: str, school, regime: str, kind: str = "", on: date | None = None, units=None
) -> Verdict:
    """Whether `actor` may do `action` (on a decision of `kind`) for `school` under `regime` (Authority.check; at most
    two queries: the school's units, the delegations to the user's bodies)."""
    return Authority(actor, on).check(action=action, school=school, regime=regime, kind=kind, units=units)


def require(actor, **what_for) -> Verdict:
    """authorise(), raising PermissionDenied with the refusal (naming the body that may) when the actor may not."""
    verdict = authorise(actor, **what_for)
    if not verdict.allowed:
        raise PermissionDenied(verdict.message)
    return verdict


# --- Regimes of the objects ------------------------------------------------------------------------------------------


def regime_on(day: date | None) -> str:
    """The regime in force on a day (TT57 from 07/7/2026); today when no day is given."""
    return Regime.TT57 if (day or timezone.localdate()) >= TT57_FROM else Regime.R2018


def decision_regime(decision: Decision) -> str:
    """The regime a decision was decided under: recorded on it (its team's cycle's, or as entered)."""
    return decision.regime


def for_decision(actor, action: str, decision: Decision, *, units=None) -> Verdict:
    return authorise(
        actor,
        action=action,
        school=decision.school,
        regime=decision_regime(decision),
        kind=decision.kind,
        units=units,
    )
