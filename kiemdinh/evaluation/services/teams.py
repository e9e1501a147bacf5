"""Writes of the external evaluation. Keyword-only, one transaction, one audit event each."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.services import membership_grant
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.schoolyear import school_years_up_to
from kiemdinh.core.text import clean
from kiemdinh.evaluation.models import (
    Evaluator,
    MemberRole,
    Registration,
    RegistrationStatus,
    SchoolLevelTaught,
    Team,
    TeamMember,
)
from kiemdinh.evaluation.selectors.conflicts import conflicts
from kiemdinh.frameworks.choices import Regime
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.selfassessment.models import Cycle, CycleSnapshot, CycleStatus
from kiemdinh.units.models import SchoolType

# The levels each school type teaches (an evaluator must be trained for one of them).
LEVELS_OF_TYPE = {
    SchoolType.MN: {SchoolLevelTaught.KINDERGARTEN},
    SchoolType.MG: {SchoolLevelTaught.KINDERGARTEN},
    SchoolType.NT: {SchoolLevelTaught.KINDERGARTEN},
    SchoolType.TH: {SchoolLevelTaught.PRIMARY},
    SchoolType.THCS: {SchoolLevelTaught.LOWER_SECONDARY},
    SchoolType.THPT: {SchoolLevelTaught.UPPER_SECONDARY},
    SchoolType.TH_THCS: {SchoolLevelTaught.PRIMARY, SchoolLevelTaught.LOWER_SECONDARY},
    SchoolType.THCS_THPT: {SchoolLevelTaught.LOWER_SECONDARY, SchoolLevelTaught.UPPER_SECONDARY},
    SchoolType.PTNCH: {SchoolLevelTaught.PRIMARY, SchoolLevelTaught.LOWER_SECONDARY, SchoolLevelTaught.UPPER_SECONDARY},
}
TT57_YEARS_OF_DATA = 3  # Điều 16 khoản 1 điểm b: data of at least 03 consecutive school years


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _record(actor, event_type: Event, obj, school, **data):
    audit.record(actor=actor, event_type=event_type, obj=obj, school=school, unit=school.unit, data=data)


# --- Registration ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reasons: list[str] = field(default_factory=list)  # why not, in Vietnamese
    level: int = 0  # the school level of the accepted self-assessment


def accepted_level(cycle: Cycle) -> int:
    """The school level recorded in the cycle's accepted snapshot (0 when none)."""
    content = (
        CycleSnapshot.objects.filter(cycle=cycle, accepted=True)
        .order_by("-created_at")
        .values_list("content", flat=True)
        .first()
    )
    return int(((content or {}).get("result") or {}).get("school_level") or 0)


def eligibility(
    cycle: Cycle, *, wants_accreditation: bool, wants_national_standard: bool, cohort_completed: bool
) -> Eligibility:
    """Whether the school may register this cycle for external evaluation, with every reason it may not."""
    reasons = []
    if cycle.status != CycleStatus.ACCEPTED:
        reasons.append(
            f"Báo cáo tự đánh giá năm học {cycle.school_year} chưa được cơ quan quản lý chấp nhận "
            f"(trạng thái: {cycle.get_status_display().lower()})."
        )
    level = accepted_level(cycle) if cycle.status == CycleStatus.ACCEPTED else 0
    if cycle.status == CycleStatus.ACCEPTED and level < 1:
        reasons.append("Kết quả tự đánh giá chưa đạt Mức 1.")
    if not (wants_accreditation or wants_national_standard):
        reasons.append("Hãy chọn đề nghị công nhận đạt kiểm định, đạt chuẩn quốc gia hoặc cả hai.")
    tt57 = cycle.framework.regime == Regime.TT57
    if wants_national_standard and level and not tt57 and level < 2:
        reasons.append("Đề nghị công nhận đạt chuẩn quốc gia cần kết quả tự đánh giá từ Mức 2 (mức độ 1).")
    if wants_accreditation and tt57:
        reasons.append("Thông tư 57/2026 không còn cấp độ kiểm định; hãy đề nghị công nhận đạt chuẩn quốc gia.")
    if not cohort_completed:
        reasons.append("Trường chưa có khóa học sinh (trẻ) nào hoàn thành chương trình.")
    if tt57 and wants_national_standard:
        years = set(
            Cycle.objects.filter(school=cycle.school, status=CycleStatus.ACCEPTED).values_list("school_year", flat=True)
        )
        missing = [y for y in school_years_up_to(cycle.school_year, TT57_YEARS_OF_DATA) if y not in years]
        if missing:
            reasons.append(
                "Thông tư 57/2026 cần dữ liệu tự đánh giá và cải tiến của ít nhất 03 năm học liên tiếp; còn thiếu "
                + ", ".join(missing)
                + "."
            )
    if Registration.objects.filter(
        cycle=cycle, status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED]
    ).exists():
        reasons.append("Đợt tự đánh giá này đã có đăng ký đánh giá ngoài đang xử lý.")
    return Eligibility(ok=not reasons, reasons=reasons, level=level)


@transaction.atomic
def registration_submit(
    *,
    actor,
    cycle: Cycle,
    wants_accreditation: bool,
    wants_national_standard: bool,
    recognition_round: str,
    cohort_completed: bool,
    cohort_note: str = "",
    cohort_evidence=None,
) -> Registration:
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("school__unit", "framework").get(pk=cycle.pk)
    check = eligibility(
        cycle,
        wants_accreditation=wants_accreditation,
        wants_national_standard=wants_national_standard,
        cohort_completed=cohort_completed,
    )
    errors = list(check.reasons)
    if recognition_round not in RecognitionRound.values:
        errors.append("Hãy chọn công nhận lần đầu hay công nhận lại.")
    if cohort_completed and not clean(cohort_note) and cohort_evidence is None:
        errors.append("Hãy ghi khóa học sinh (trẻ) đã hoàn thành chương trình hoặc chọn minh chứng.")
    if cohort_evidence is not None and cohort_evidence.school_id != cycle.school_id:
        errors.append("Minh chứng không thuộc trường.")
    if errors:
        raise ValidationError(errors)
    registration = Registration.objects.create(
        cycle=cycle,
        school=cycle.school,
        wants_accreditation=wants_accreditation,
        wants_national_standard=wants_national_standard,
        requested_level=check.level,
        recognition_round=recognition_round,
        cohort_completed=cohort_completed,
        cohort_note=clean(cohort_note),
        cohort_evidence=cohort_evidence,
        submitted_by=_actor(actor),
    )
    _record(actor, Event.REGISTRATION_SUBMITTED, registration, cycle.school, level=check.level)
    return registration


@transaction.atomic
def registration_decide(*, actor, registration: Registration, accept: bool, comment: str = "") -> Registration:
    """The authority accepts the registration, or returns it with a comment (required): the body of the rule table
    (2018: the district's Phòng GD&ĐT or the Sở GD&ĐT; TT57: the Sở)."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("school__unit", "cycle__framework")
        .get(pk=registration.pk)
    )
    authority.require(
        actor,
        action=Action.REGISTRATION_DECIDE,
        school=registration.school,
        regime=registration.cycle.framework.regime,
    )
    comment = clean(comment)
    if registration.status != RegistrationStatus.SUBMITTED:
        raise ValidationError("Đăng ký này đã được xử lý.")
    if not accept and not comment:
        raise ValidationError({"comment": "Hãy ghi lý do trả lại đăng ký."})
    registration.status = RegistrationStatus.ACCEPTED if accept else RegistrationStatus.RETURNED
    registration.comment = comment
    registration.decided_at = timezone.now()
    registration.decided_by = _actor(actor)
    registration.save()
    _record(
        actor,
        Event.REGISTRATION_ACCEPTED if accept else Event.REGISTRATION_RETURNED,
        registration,
        registration.school,
        comment=comment,
    )
    return registration


@transaction.atomic
def registration_withdraw(*, actor, registration: Registration) -> Registration:
    registration = Registration.objects.select_for_update().select_related("school__unit").get(pk=registration.pk)
    if registration.status != RegistrationStatus.SUBMITTED:
        raise ValidationError("Chỉ rút được đăng ký đang chờ xem xét.")
    registration.status = RegistrationStatus.WITHDRAWN
    registration.save(update_fields=["status"])
    _record(actor, Event.REGISTRATION_WITHDRAWN, registration, registration.school)
    return registration


# --- Evaluators ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorInput:
    full_name: str
    unit: object
    levels: tuple[str, ...]
    title: str = ""
    school: object = None
    phone: str = ""
    email: str = ""
    training: str = ""
    certificate: str = ""
    certificate_on: date | None = None
    user: object = None  # the account to link, when the caller already holds it
    is_active: bool = True
    username: str = ""  # or its username, as typed on the form


def account_refusal(username: str) -> str:
    """One answer for every account that cannot be linked (no such username, an account out of the officer's reach,
    one linked elsewhere), so the form tells nobody which usernames exist."""
    return (
        f"Không gắn được tài khoản “{username}”: tên đăng nhập không đúng, hoặc tài khoản này không gắn được với đánh "
        "giá viên do bạn quản lý."
    )


def _linked_elsewhere(user, evaluator: Evaluator | None) -> bool:
    return Evaluator.objects.filter(user=user).exclude(pk=getattr(evaluator, "pk", None)).exists()


def _linkable(actor, user, evaluator: Evaluator | None) -> bool:
    """Whether the actor may give this account the evaluator's record (and with it the evaluator role): an active
    account, not an administrator's, not linked to another evaluator, with at least one role and every role within the
    actor's units: a person the officer already manages. An account without any role (or out of reach) is linked by
    a system administrator (or the system, actor None): a network manager who could link any role-less account would
    learn from the answer that its username exists."""

    if user is None or not user.is_active or user.is_superuser or user.is_staff or _linked_elsewhere(user, evaluator):
        return False
    if actor is None or user_scope(actor).is_admin:
        return True
    scope = user_scope(actor)
    roles = list(Membership.objects.active().filter(user=user).select_related("unit", "school__unit"))
    if not roles:
        return False
    for m in roles:
        unit = m.school.unit if m.school_id else m.unit
        if m.role == Role.ADMIN or unit is None or not scope.covers_path(unit.path):
            return False
    return True


@transaction.atomic
def evaluator_save(*, actor, data: EvaluatorInput, evaluator: Evaluator | None = None) -> Evaluator:
    """Add an evaluator to the network or change one; a linked account gets the evaluator role (to sign in and see
    the teams it sits on)."""
    errors = {}
    full_name = clean(data.full_name)
    if not full_name:
        errors["full_name"] = "Hãy ghi họ và tên đánh giá viên."
    unknown = [v for v in data.levels if v not in SchoolLevelTaught.values]
    if not data.levels or unknown:
        errors["levels"] = "Hãy chọn cấp học đánh giá viên được đánh giá."
    if data.school is not None and not data.school.unit.path.startswith(data.unit.path):
        errors["school"] = f"{data.school.name} không thuộc {data.unit.name}."
    user = data.user
    username = clean(data.username)
    if username:
        user = User.objects.filter(username=username).first()
    if (username or user is not None) and not _linkable(actor, user, evaluator):
        errors["user"] = account_refusal(username or user.username)
    if errors:
        raise ValidationError(errors)
    created = evaluator is None
    evaluator = evaluator or Evaluator()
    evaluator.full_name = full_name
    evaluator.unit = data.unit
    evaluator.school = data.school
    evaluator.levels = ",".join(v for v in SchoolLevelTaught.values if v in data.levels)
    for name in ("title", "phone", "email", "training", "certificate"):
        setattr(evaluator, name, clean(getattr(data, name)))
    evaluator.certificate_on = data.certificate_on
    evaluator.user = user
    evaluator.is_active = data.is_active
    evaluator.save()
    if user is not None and not Membership.objects.filter(user=user, role=Role.EVALUATOR).exists():
        membership_grant(actor=actor, user=user, role=Role.EVALUATOR, unit=data.unit, title="Đánh giá viên")
    audit.record(
        actor=actor,
        event_type=Event.EVALUATOR_CREATED if created else Event.EVALUATOR_UPDATED,
        obj=evaluator,
        unit=data.unit,
        data={"name": full_name},
    )
    return evaluator


def ineligibility(evaluator: Evaluator, school) -> str:
    """Why the evaluator may not evaluate this kind of school at all ("" when they may): not active in the network, or
    not trained for the school's level. Ties with the school itself are conflicts.conflicts()."""
    if not evaluator.is_active:
        return f"{evaluator.full_name} không còn hoạt động trong mạng lưới đánh giá viên."
    if not (set(evaluator.level_list) & LEVELS_OF_TYPE[school.school_type]):
        return f"{evaluator.full_name} không được đánh giá cấp học của {school.name}."
    return ""


# --- The team --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamInput:
    issuer: str
    dossier_from: date | None
    ends_on: date | None
    decision_number: str = ""
    decision_on: date | None = None
    signer_name: str = ""
    dossier_to: date | None = None
    preliminary_on: date | None = None
    official_from: date | None = None
    official_to: date | None = None
    draft_report_on: date | None = None
    feedback_until: date | None = None
    final_report_on: date | None = None


STAGE_ORDER = (
    ("dossier_from", "nghiên cứu hồ sơ"),
    ("dossier_to", "kết thúc nghiên cứu hồ sơ"),
    ("preliminary_on", "khảo sát sơ bộ"),
    ("official_from", "khảo sát chính thức"),
    ("official_to", "kết thúc khảo sát chính thức"),
    ("draft_report_on", "dự thảo báo cáo"),
    ("feedback_until", "hạn trường góp ý"),
    ("final_report_on", "báo cáo chính thức"),
    ("ends_on", "kết thúc làm việc"),
)


def _team_values(data: TeamInput) -> dict:
    errors = {}
    if not clean(data.issuer):
        errors["issuer"] = "Hãy ghi cơ quan ra quyết định thành lập đoàn."
    if data.dossier_from is None:
        errors["dossier_from"] = "Hãy ghi ngày bắt đầu nghiên cứu hồ sơ."
    if data.ends_on is None:
        errors["ends_on"] = "Hãy ghi ngày kết thúc làm việc của đoàn."
    previous = None
    for name, label in STAGE_ORDER:
        value = getattr(data, name)
        if value is None:
            continue
        if previous and value < previous[1]:
            errors.setdefault(name, f"Ngày {label} không thể trước ngày {previous[0]}.")
        previous = (label, value)
    if errors:
        raise ValidationError(errors)
    values = {name: getattr(data, name) for name, _ in STAGE_ORDER}
    values.update(
        issuer=clean(data.issuer),
        decision_number=clean(data.decision_number),
        decision_on=data.decision_on,
        signer_name=clean(data.signer_name),
    )
    return values


def _require_team_body(actor, registration: Registration):
    """Forming a team (its decision, dates, members and their criteria) is the rule table's: the Sở GD&ĐT."""
    return authority.require(
        actor, action=Action.TEAM_FORM, school=registration.school, regime=registration.cycle.framework.regime
    )


@transaction.atomic
def team_establish(*, actor, registration: Registration, data: TeamInput) -> Team:
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("school__unit", "cycle__framework")
        .get(pk=registration.pk)
    )
    _require_team_body(actor, registration)
    if registration.status != RegistrationStatus.ACCEPTED:
        raise ValidationError("Chỉ thành lập đoàn cho đăng ký đã được chấp nhận.")
    if Team.objects.filter(registration=registration).exists():
        raise ValidationError("Đăng ký này đã có đoàn đánh giá ngoài.")
    team = Team.objects.create(registration=registration, created_by=_actor(actor), **_team_values(data))
    _record(actor, Event.TEAM_ESTABLISHED, team, registration.school, number=team.decision_number)
    return team


@transaction.atomic
def team_update(*, actor, team: Team, data: TeamInput) -> Team:
    _require_team_body(actor, team.registration)
    values = _team_values(data)
    for name, value in values.items():
        setattr(team, name, value)
    team.save()
    _record(actor, Event.TEAM_UPDATED, team, team.registration.school)
    return team


NAMESAKE_HELP = (
    "Nếu đây là hai người khác nhau, hãy ghi lý do xác nhận (ví dụ: năm sinh, đơn vị công tác khác nhau) để phân công."
)


@transaction.atomic
def member_add(
    *,
    actor,
    team: Team,
    evaluator: Evaluator,
    role: str,
    criteria=(),
    level4_items=(),
    namesake_note: str = "",
) -> TeamMember:
    """Put an evaluator on the team, with the criteria they study. Refused, with the reason, when the same person is
    tied to the school (conflicts.conflicts: their own school or managing unit, a role, the council, the monitoring
    team); a namesake on the school's records is refused unless `namesake_note` says why they are another person.
    Also refused: a second team leader, criteria of another framework."""
    _require_team_body(actor, team.registration)
    school = team.registration.school
    errors = []
    if role not in MemberRole.values:
        errors.append("Hãy chọn nhiệm vụ trong đoàn.")
    reason = ineligibility(evaluator, school)
    if reason:
        errors.append(reason)
    found = conflicts(evaluator, school)
    for conflict in (c for c in found if not c.by_name):
        errors.append(conflict.message + " Không thể phân công vào đoàn đánh giá trường này.")
    namesake_note = clean(namesake_note)
    namesakes = [c.message for c in found if c.by_name]
    if namesakes and not namesake_note:
        if not errors:  # only namesakes: the form asks for the confirmation, beside its field
            raise ValidationError({"namesake_note": [*namesakes, NAMESAKE_HELP]})
        errors += namesakes
    if team.members.filter(evaluator=evaluator).exists():
        errors.append(f"{evaluator.full_name} đã có trong đoàn.")
    if role == MemberRole.LEADER and team.members.filter(role=MemberRole.LEADER).exists():
        errors.append("Đoàn đã có trưởng đoàn.")
    framework_id = team.registration.cycle.framework_id
    if any(c.version_id != framework_id for c in criteria) or any(i.version_id != framework_id for i in level4_items):
        errors.append("Tiêu chí phân công không thuộc bộ tiêu chuẩn của đợt tự đánh giá.")
    if errors:
        raise ValidationError(errors)
    position = (team.members.aggregate(m=Max("position"))["m"] or 0) + 1
    member = TeamMember.objects.create(
        team=team,
        evaluator=evaluator,
        role=role,
        unit_label=evaluator.school.name if evaluator.school_id else evaluator.unit.name,
        namesake_note=namesake_note if namesakes else "",
        position=position,
    )
    member.criteria.set(criteria)
    member.level4_items.set(level4_items)
    extra = {"namesakes": namesakes, "namesake_note": namesake_note} if namesakes else {}
    _record(actor, Event.TEAM_MEMBER_ADDED, member, school, evaluator=evaluator.full_name, role=role, **extra)
    return member


@transaction.atomic
def member_assign(*, actor, member: TeamMember, criteria=(), level4_items=()) -> TeamMember:
    _require_team_body(actor, member.team.registration)
    framework_id = member.team.registration.cycle.framework_id
    if any(c.version_id != framework_id for c in criteria) or any(i.version_id != framework_id for i in level4_items):
        raise ValidationError("Tiêu chí phân công không thuộc bộ tiêu chuẩn của đợt tự đánh giá.")
    member.criteria.set(criteria)
    member.level4_items.set(level4_items)
    _record(actor, Event.TEAM_CRITERIA_ASSIGNED, member, member.team.registration.school, count=len(criteria))
    return member


@transaction.atomic
def member_remove(*, actor, member: TeamMember) -> None:
    _require_team_body(actor, member.team.registration)
    if member.reviews.exists():
        raise ValidationError(f"{member.evaluator.full_name} đã viết phiếu đánh giá nên không bỏ khỏi đoàn được.")
    _record(
        actor, Event.TEAM_MEMBER_REMOVED, member, member.team.registration.school, evaluator=member.evaluator.full_name
    )
    member.delete()
