"""The demo's external evaluations (#7): an evaluator network, and four schools carried from their self-assessment to
recognition decisions and the public pages, through the real services.

The seed plans name the schools and what each should reach, never a result, date or number of the work itself, so
everything here is an ILLUSTRATION and says so: texts open with "(Minh họa)" or "Minh họa:", numbers end with
"(minh họa)", the evaluators' network records say they are invented, and each publication's summary starts with
"(Minh họa)". The results follow the plans: each school reaches exactly the level its plan sets.

- Hương Trà 2024 (Kế hoạch 20/KH-UBND): MN Tứ Hạ (CĐ2-MĐ1, CN lại; its 2023-2024 self-assessment is the one the demo
  opened among the five kindergartens at work) and TH Số 2 Tứ Hạ (CĐ3-MĐ2, CN lại), evaluated in spring 2024 by teams
  of the Sở GD&ĐT Thừa Thiên Huế, recognised again in May 2024 (their earlier decisions lapsed on 15/01/2024).
- Tân Thành 2023: Mầm non 1 re-recognised as a national-standard school, mức độ 1, in December 2023, before its
  earlier recognition (20/12/2018) lapses. The plan wants it done in 12/2023 from a 2022-2023 or 2023-2024
  self-assessment; the demo takes 2023-2024 (the school year began on 1 August 2023, the team works in October and
  November, the decision is signed on 15/12/2023), so the dashboard counts it as recognised in that cycle.
- Hóc Môn 2019-2020: Trường Mầm non 2/9 ("đánh giá ngoài và công nhận chuẩn Quốc gia"), evaluated in May–July 2020
  and recognised (CĐ2, MĐ1, first time) in July 2020; those decisions lapsed in 2025. The plan's seven other schools
  (external evaluation only) are left as they are: the seed says nothing of their results.

Idempotent like the rest of the demo: each step is done only when its object is missing, and a school whose
self-assessment someone has started by hand (an open cycle with content) is left alone.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from kiemdinh.accounts.models import Body, User
from kiemdinh.evaluation.models import (
    EvaluationReport,
    Evaluator,
    MemberReview,
    MemberRole,
    Publication,
    Registration,
    RegistrationStatus,
    ReportStatus,
    SchoolLevelTaught,
    Team,
)
from kiemdinh.evaluation.services import teams as evaluation
from kiemdinh.evaluation.services import work as work
from kiemdinh.evaluation.services.issuing import decisions_issue, issue_plan
from kiemdinh.evaluation.services.publication import publication_publish
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.selectors import coverage as improvement_coverage
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import Decision, DecisionKind, Delegation, RecognitionRound
from kiemdinh.recognition.services import DelegationInput, delegation_grant
from kiemdinh.selfassessment.council import council_decision_save, council_member_create
from kiemdinh.selfassessment.council import plan_update as assessment_plan_update
from kiemdinh.selfassessment.models import CouncilMember, CouncilRole, CriterionForm, Cycle, CycleStatus, indicator_key
from kiemdinh.selfassessment.selectors import report_sections
from kiemdinh.selfassessment.services import (
    criterion_form_save,
    cycle_accept,
    cycle_open,
    cycle_publish,
    cycle_record_ratings,
    cycle_submit,
    report_texts_save,
    school_statistics_save,
)
from kiemdinh.selfassessment.statistics import cycle_definitions

MARK = "(Minh họa)"
NOTE = "Minh họa: "  # how a note of an illustrative record begins
NUMBER_MARK = " (minh họa)"  # after every invented document number

# --- The evaluator network -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorSeed:
    """An evaluator of the network; the name and the account are the PEOPLE entry of the same username."""

    username: str
    unit: str  # the Sở whose network they belong to (province code)
    levels: tuple[str, ...]
    title: str


KG, PRIMARY = SchoolLevelTaught.KINDERGARTEN, SchoolLevelTaught.PRIMARY
# All invented (names in demo.PEOPLE): the seeds name no evaluator.
EVALUATORS = (
    EvaluatorSeed("danhgiavien.hue1", "46", (KG, PRIMARY), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.hue2", "46", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.hue3", "46", (PRIMARY,), "Chuyên viên Phòng Giáo dục Tiểu học, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.langson1", "20", (KG,), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT Lạng Sơn"),
    EvaluatorSeed("danhgiavien.langson2", "20", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT Lạng Sơn"),
    # the demo's existing evaluator account (Trần Quốc Bảo, unit 79), now in the network
    EvaluatorSeed("danhgiavien", "79", (KG, PRIMARY), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT TP. Hồ Chí Minh"),
    EvaluatorSeed("danhgiavien.hcm2", "79", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT TP. Hồ Chí Minh"),
)  # fmt: skip
EVALUATOR_TRAINING = (
    NOTE + "đánh giá viên của mạng lưới minh họa; tên và quá trình bồi dưỡng không có trong tài liệu gốc."
)


# --- The evaluations -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSeed:
    school: str
    school_year: str
    level: int  # the Mức the self-assessment and the team reach: the plan's target
    principal: str  # fills and submits the self-assessment, registers, answers the draft report (username)
    reviewer: str  # the officer who accepts the self-assessment (username)
    authority: (
        str | None
    )  # the Sở officer who sets up the team, issues the grade and publishes (None: the build's actor)
    committee: str | None  # the provincial People's Committee's officer who issues the 2018 national standard (None:
    # the build's actor); each body issues its own decision (recognition.authority)
    recognition_round: str
    wants_accreditation: bool
    cohort_note: str
    team_issuer: str
    team_number: str
    start: date  # the team's first working day (a Monday); its stages follow (team_input)
    members: tuple[tuple[str, str], ...]  # (evaluator username, role); the leader studies standards 1–2
    decided_on: date
    number_accreditation: str
    number_national: str
    issuer_national: str


def _number(value: str) -> str:
    return value + NUMBER_MARK


EVALUATIONS = (
    EvaluationSeed(
        school="46-HT-MN-TUHA",
        school_year="2023-2024",
        level=2,  # CĐ2-MĐ1
        principal="hieutruong.mntuha",
        reviewer="phonggd.huongtra",
        authority="sogd.thuathienhue",
        committee="ubnd.thuathienhue",
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=True,
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2022-2023 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Thừa Thiên Huế",
        team_number=_number("312/QĐ-SGDĐT"),
        start=date(2024, 3, 4),
        members=(("danhgiavien.hue1", MemberRole.LEADER), ("danhgiavien.hue2", MemberRole.SECRETARY)),
        decided_on=date(2024, 5, 15),
        number_accreditation=_number("845/QĐ-SGDĐT"),
        number_national=_number("1120/QĐ-UBND"),
        issuer_national="UBND tỉnh Thừa Thiên Huế",
    ),
    EvaluationSeed(
        school="46-HT-TH-SO2TUHA",
        school_year="2023-2024",
        level=3,  # CĐ3-MĐ2
        principal="hieutruong.th2tuha",
        reviewer="phonggd.huongtra",
        authority="sogd.thuathienhue",
        committee="ubnd.thuathienhue",
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=True,
        cohort_note=NOTE + "khóa 2018-2023 hoàn thành chương trình tiểu học.",
        team_issuer="Sở Giáo dục và Đào tạo Thừa Thiên Huế",
        team_number=_number("336/QĐ-SGDĐT"),
        start=date(2024, 3, 18),
        members=(("danhgiavien.hue1", MemberRole.LEADER), ("danhgiavien.hue3", MemberRole.SECRETARY)),
        decided_on=date(2024, 5, 27),
        number_accreditation=_number("902/QĐ-SGDĐT"),
        number_national=_number("1187/QĐ-UBND"),
        issuer_national="UBND tỉnh Thừa Thiên Huế",
    ),
    EvaluationSeed(
        school="20-HL-TT-MN1",
        school_year="2023-2024",
        level=2,  # MĐ1 again, as recognised in 2018 (the plan gives no level)
        principal="hieutruong.mn1tanthanh",
        reviewer="ubnd.tanthanh",
        authority=None,
        committee=None,
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=False,  # the plan: "công nhận lại trường đạt chuẩn quốc gia" only
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2022-2023 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Lạng Sơn",
        team_number=_number("1456/QĐ-SGDĐT"),
        start=date(2023, 10, 2),
        members=(("danhgiavien.langson1", MemberRole.LEADER), ("danhgiavien.langson2", MemberRole.SECRETARY)),
        decided_on=date(2023, 12, 15),
        number_accreditation="",
        number_national=_number("2315/QĐ-UBND"),
        issuer_national="UBND tỉnh Lạng Sơn",
    ),
    EvaluationSeed(
        school="79-HM-MN-2-9",
        school_year="2019-2020",
        level=2,  # the plan gives no level: CĐ2 and MĐ1, the first national-standard level
        principal="hieutruong.mn29",
        reviewer="hocmon.mamnon",
        authority=None,
        committee=None,
        recognition_round=RecognitionRound.FIRST,
        wants_accreditation=True,
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2018-2019 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh",
        team_number=_number("1502/QĐ-SGDĐT"),
        start=date(2020, 5, 11),
        members=(("danhgiavien", MemberRole.LEADER), ("danhgiavien.hcm2", MemberRole.SECRETARY)),
        decided_on=date(2020, 7, 20),
        number_accreditation=_number("2210/QĐ-SGDĐT"),
        number_national=_number("3105/QĐ-UBND"),
        issuer_national="UBND Thành phố Hồ Chí Minh",
    ),
)


def team_input(seed: EvaluationSeed) -> evaluation.TeamInput:
    """The team's decision a few days before its first day, then about eight weeks of work (weekdays)."""

    def day(offset: int) -> date:
        return seed.start + timedelta(days=offset)

    return evaluation.TeamInput(
        issuer=seed.team_issuer,
        decision_number=seed.team_number,
        decision_on=day(-4),
        dossier_from=day(0),
        dossier_to=day(11),
        preliminary_on=day(16),
        official_from=day(29),
        official_to=day(31),
        draft_report_on=day(37),
        feedback_until=day(44),
        final_report_on=day(51),
        ends_on=day(53),
    )


# --- Filling a self-assessment up to a level -------------------------------------------------------------------------

# A council's make-up (TT19/2018 asks for at least seven members): the principal chairs; the others are placeholder
# names, as Vietnamese forms write them ("Nguyễn Văn A").
COUNCIL = (
    ("Nguyễn Văn A", "Phó Hiệu trưởng", CouncilRole.VICE_CHAIR),
    ("Trần Thị B", "Tổ trưởng chuyên môn", CouncilRole.SECRETARY),
    ("Lê Văn C", "Tổ trưởng chuyên môn", CouncilRole.MEMBER),
    ("Phạm Thị D", "Chủ tịch Công đoàn", CouncilRole.MEMBER),
    ("Hoàng Văn E", "Giáo viên", CouncilRole.MEMBER),
    ("Võ Thị G", "Kế toán", CouncilRole.MEMBER),
)


def fill_to_level(*, cycle: Cycle, principal: User, level: int) -> None:
    """An illustrative self-assessment at school level `level` (Mức 1–3): a council, the plan's header, one evidence
    item per criterion, every criterion form with short "(Minh họa)" texts, and every indicator of Mức 1..`level`
    achieved, those above not. The cycle stays open (the caller submits it)."""
    council_member_create(
        actor=principal,
        cycle=cycle,
        full_name=principal.display_name,
        job_title="Hiệu trưởng",
        role=CouncilRole.CHAIR,
        user=principal,
    )
    for full_name, job_title, role in COUNCIL:
        council_member_create(actor=principal, cycle=cycle, full_name=full_name, job_title=job_title, role=role)
    assessment_plan_update(
        actor=principal,
        cycle=cycle,
        purpose=f"{MARK} Tự đánh giá năm học {cycle.school_year} để đăng ký đánh giá ngoài và công nhận.",
        scope=f"{MARK} Toàn bộ tiêu chuẩn, tiêu chí Mức 1 đến Mức 3.",
    )
    ratings: dict[str, dict[int, dict[str, bool]]] = {}
    for criterion in (
        Criterion.objects.filter(version=cycle.framework).prefetch_related("indicators").order_by("position")
    ):
        link = evidence_create(
            actor=principal,
            cycle=cycle,
            criterion=criterion,
            name=f"{MARK} Hồ sơ, sổ sách về tiêu chí {criterion.code}",
            note="Minh chứng minh họa của dữ liệu mẫu; không có trong tài liệu gốc.",
        )
        descriptions = {}
        for indicator in criterion.indicators.all():
            met = indicator.level <= level
            ratings.setdefault(criterion.code, {}).setdefault(indicator.level, {})[indicator.letter] = met
            descriptions[indicator_key(indicator.level, indicator.letter)] = (
                f"{MARK} Nhà trường đáp ứng yêu cầu của chỉ báo {link.code}."
                if met
                else f"{MARK} Nhà trường chưa đáp ứng đầy đủ yêu cầu của chỉ báo này."
            )
        reached = min(level, criterion.max_level)
        criterion_form_save(
            actor=principal,
            cycle=cycle,
            criterion=criterion,
            base_version=0,
            descriptions=descriptions,
            strengths=f"{MARK} Tiêu chí {criterion.code} đạt Mức {reached}.",
            weaknesses=(
                f"{MARK} Một số yêu cầu của Mức {reached + 1} chưa đáp ứng."
                if reached < criterion.max_level
                else f"{MARK} Không có điểm yếu đáng kể."
            ),
            improvement=f"{MARK} Duy trì kết quả; cải tiến theo kế hoạch của nhà trường.",
        )
    cycle_record_ratings(actor=principal, cycle=cycle, indicators=ratings, level4={})
    _complete_dossier(cycle, principal)


def _complete_dossier(cycle: Cycle, principal: User) -> None:
    """What a submission needs besides the forms, all illustrative: the decision forming the council, the report's
    narrative parts, Phần I figures for the year and an issued improvement plan with a line per weakness."""
    signed = min(date(int(cycle.school_year[:4]), 9, 10), timezone.localdate())
    council_decision_save(actor=principal, cycle=cycle, number=_number("12/QĐ-Tr"), issued_on=signed)
    report_texts_save(
        actor=principal,
        cycle=cycle,
        texts={s.key: f"{MARK} {s.title}: nội dung minh họa của dữ liệu mẫu." for s in report_sections(cycle)},
    )
    tables, years = cycle_definitions(cycle)
    for table in tables:
        school_statistics_save(
            actor=principal,
            cycle=cycle,
            table=table.key,
            values={row.key: {years[-1]: str(n)} for row, n in zip(table.input_rows, (4, 3, 3, 2, 1), strict=False)},
        )
    plan = improvement.plan_create(actor=principal, cycle=cycle)
    improvement.plan_update(actor=principal, plan=plan, issued_on=signed, number=_number("20/KH-Tr"))
    for row in improvement_coverage(plan):
        improvement.line_create(
            actor=principal,
            plan=plan,
            criterion=row.criterion,
            level4_item=row.level4_item,
            target=f"{MARK} Khắc phục điểm yếu của tiêu chí {row.label}.",
            tasks=[f"{MARK} Rà soát và thực hiện các giải pháp trong năm học."],
            lead="Hiệu trưởng",
            time_text=f"Năm học {cycle.school_year}",
        )
    improvement.plan_issue(actor=principal, plan=plan)


# --- The builder ---------------------------------------------------------------------------------------------------


# An illustration of acting for another body (recognition.models.Delegation): the provincial People's Committee of
# Thừa Thiên Huế has its Sở GD&ĐT enter into the system the national-standard decisions its Chairman signed on paper.
# Entering only: issuing from a team's result, correcting and revoking stay with the People's Committee. Invented, as
# its document number says.
DELEGATION_NUMBER = _number("25/UBND-VX")


def _ensure_delegation(actor, build, units) -> None:

    if Delegation.objects.filter(document_number=DELEGATION_NUMBER).exists():
        return
    delegation_grant(
        actor=actor,
        data=DelegationInput(
            unit=units["46"],
            body=Body.COMMITTEE,
            delegate_unit=units["46"],
            delegate_body=Body.EDUCATION,
            actions=(Action.DECISION_ENTER,),
            kind=DecisionKind.NATIONAL_STANDARD,
            document_number=DELEGATION_NUMBER,
            document_on=date(2024, 1, 10),
            valid_from=date(2024, 1, 10),
        ),
    )
    build.add("ủy quyền (minh họa)")


def ensure_evaluations(actor, build, units, schools) -> None:
    """The evaluator network, then each evaluation of EVALUATIONS carried as far as it is missing."""
    usernames = {e.username for e in EVALUATORS}
    for seed in EVALUATIONS:
        usernames |= {seed.principal, seed.reviewer, seed.authority or "", seed.committee or ""}
    people = {u.username: u for u in User.objects.filter(username__in=usernames)}
    evaluators = _ensure_evaluators(actor, build, units, people)
    _ensure_delegation(actor, build, units)
    for seed in EVALUATIONS:
        _ensure_evaluation(actor, build, seed, schools[seed.school], people, evaluators)


def _ensure_evaluators(actor, build, units, people) -> dict[str, Evaluator]:
    found = {e.user.username: e for e in Evaluator.objects.filter(user__in=people.values()).select_related("user")}
    for seed in EVALUATORS:
        if seed.username in found:
            continue
        user = people[seed.username]
        found[seed.username] = evaluation.evaluator_save(
            actor=actor,
            data=evaluation.EvaluatorInput(
                full_name=user.display_name,
                unit=units[seed.unit],
                levels=seed.levels,
                title=seed.title,
                training=EVALUATOR_TRAINING,
                user=user,
            ),
        )
        build.add("đánh giá viên")
    return found


def _ensure_evaluation(actor, build, seed: EvaluationSeed, school, people, evaluators) -> None:
    principal, reviewer = people[seed.principal], people[seed.reviewer]
    authority = people[seed.authority] if seed.authority else actor
    committee = people[seed.committee] if seed.committee else actor
    cycle = _ensure_accepted_cycle(actor, build, seed, school, principal, reviewer)
    if cycle is None:
        return
    registration = _ensure_registration(build, seed, cycle, principal, authority)
    if registration is None:
        return
    team = Team.objects.filter(registration=registration).first()
    if team is None:
        team = _establish_team(build, seed, registration, cycle, authority, evaluators)
    report = EvaluationReport.objects.filter(team=team).first()
    if report is None and not MemberReview.objects.filter(team=team).exists():
        report = _team_work(build, seed, team, cycle, principal)
    if report is None or report.status != ReportStatus.FINAL:
        return  # someone is at work on this team: left as it is
    if not Decision.objects.filter(team=team).exists():
        _issue(build, seed, team, authority, committee)
    if not Publication.objects.filter(team=team).exists():
        _publish(build, seed, team, authority)


def _ensure_accepted_cycle(actor, build, seed, school, principal, reviewer) -> Cycle | None:
    """The school's cycle of the year, filled, submitted, accepted and published; None when someone has started it by
    hand (or it is anywhere else than where the demo leaves it)."""
    cycle = Cycle.objects.filter(school=school, school_year=seed.school_year).first()
    if cycle is None:
        cycle = cycle_open(actor=actor, school=school, school_year=seed.school_year)
        build.add("đợt tự đánh giá")
    if cycle.status == CycleStatus.IN_PROGRESS:
        started = (
            CouncilMember.objects.filter(cycle=cycle).exists() or CriterionForm.objects.filter(cycle=cycle).exists()
        )
        if started:
            return None
        fill_to_level(cycle=cycle, principal=principal, level=seed.level)
        cycle_submit(actor=principal, cycle=cycle, comment=f"{MARK} Hội đồng tự đánh giá đã thông qua báo cáo.")
        cycle_accept(actor=reviewer, cycle=cycle, comment=f"{MARK} Hồ sơ tự đánh giá đầy đủ, đúng quy trình.")
        cycle.refresh_from_db()
        build.add("đợt tự đánh giá hoàn thành (minh họa)")
    if cycle.status != CycleStatus.ACCEPTED:
        return None
    if not cycle.published_at:
        cycle_publish(actor=principal, cycle=cycle)
    return cycle


def _ensure_registration(build, seed, cycle, principal, registrar) -> Registration | None:
    """The school registers; the Sở GD&ĐT accepts (or the build's actor where the demo has no Sở officer). The seeds'
    registrations went through the district's Phòng GD&ĐT too (2019-2024), which no longer exists since 1/7/2025:
    replayed today, the rule table (a body that exists on the day) leaves the Sở."""
    registrations = list(Registration.objects.filter(cycle=cycle))
    accepted = [r for r in registrations if r.status == RegistrationStatus.ACCEPTED]
    if accepted:
        return accepted[0]
    if any(r.status == RegistrationStatus.SUBMITTED for r in registrations):
        return None  # waiting for the authority: left as it is
    registration = evaluation.registration_submit(
        actor=principal,
        cycle=cycle,
        wants_accreditation=seed.wants_accreditation,
        wants_national_standard=True,
        recognition_round=seed.recognition_round,
        cohort_completed=True,
        cohort_note=seed.cohort_note,
    )
    registration = evaluation.registration_decide(
        actor=registrar,
        registration=registration,
        accept=True,
        comment=NOTE + "hồ sơ đăng ký đủ điều kiện (kế hoạch gốc không ghi việc đăng ký).",
    )
    build.add("đăng ký đánh giá ngoài")
    return registration


def _establish_team(build, seed, registration, cycle, authority, evaluators) -> Team:
    team = evaluation.team_establish(actor=authority, registration=registration, data=team_input(seed))
    criteria = list(Criterion.objects.filter(version=cycle.framework).order_by("position"))
    for username, role in seed.members:
        leader = role == MemberRole.LEADER
        evaluation.member_add(
            actor=authority,
            team=team,
            evaluator=evaluators[username],
            role=role,
            criteria=[c for c in criteria if (c.code.split(".")[0] in {"1", "2"}) == leader],
        )
    build.add("đoàn đánh giá ngoài")
    return team


def _team_work(build, seed, team, cycle, principal) -> EvaluationReport:
    """Every member reviews their criteria and proposes the target level; the team agrees on the proposals, writes
    and sends the draft, the school answers once, the team replies and finalises."""
    dates = team_input(seed)
    members = list(team.members.select_related("evaluator__user").prefetch_related("criteria"))
    for member in members:
        for criterion in member.criteria.all():
            level = min(seed.level, criterion.max_level)
            work.review_save(
                actor=member.evaluator.user,
                team=team,
                member=member,
                criterion=criterion,
                data=work.ReviewInput(
                    description_comments=f"{MARK} Mô tả hiện trạng phù hợp với minh chứng.",
                    strengths=f"{MARK} Đồng ý với điểm mạnh nhà trường nêu.",
                    recommendations=f"{MARK} Tiếp tục duy trì, cập nhật minh chứng hằng năm.",
                    proposed_level=level,
                ),
                today=dates.official_from,
            )
    leader = next(m for m in members if m.role == MemberRole.LEADER).evaluator.user
    criteria = Criterion.objects.filter(version=cycle.framework)
    work.ratings_from_proposals(
        actor=leader, team=team, criterion_ids=list(criteria.values_list("pk", flat=True)), today=dates.official_to
    )
    target = f"Mức {seed.level}"
    work.report_save(
        actor=leader,
        team=team,
        data=work.ReportInput(
            introduction=f"{MARK} Báo cáo đánh giá ngoài minh họa của dữ liệu mẫu; kết quả không có trong tài liệu gốc.",
            overview=f"{MARK} Đoàn nghiên cứu hồ sơ, khảo sát sơ bộ và khảo sát chính thức tại trường.",
            conclusions=f"{MARK} Trường đạt {target}; đề nghị công nhận theo kết quả đánh giá ngoài.",
            recommendations=f"{MARK} Nhà trường tiếp tục thực hiện kế hoạch cải tiến chất lượng.",
        ),
        today=dates.draft_report_on,
    )
    work.report_send(actor=leader, team=team, today=dates.draft_report_on)
    feedback = work.feedback_add(
        actor=principal,
        team=team,
        text=f"{MARK} Nhà trường thống nhất với dự thảo; đề nghị bổ sung minh chứng mới cập nhật ở tiêu chí 1.1.",
        criterion=criteria.get(code="1.1"),
    )
    work.feedback_reply(
        actor=leader,
        team=team,
        feedback=feedback,
        reply=f"{MARK} Đoàn đã xem minh chứng bổ sung; giữ nguyên mức đánh giá.",
        today=dates.feedback_until,
    )
    report = work.report_finalise(actor=leader, team=team, today=dates.final_report_on)
    build.add("báo cáo đánh giá ngoài")
    return report


def _issue(build, seed, team, authority, committee) -> None:
    """Each body issues its decision: the Sở the grade (and the TT57 level), the provincial People's Committee the 2018
    national-standard level (recognition.authority); the build's actor (None) acts for both."""
    decisions = []
    for actor in dict.fromkeys([authority, committee]):
        if not issue_plan(team, actor=actor).mine:
            continue
        decisions += decisions_issue(
            actor=actor,
            team=team,
            decided_on=seed.decided_on,
            number_accreditation=seed.number_accreditation,
            number_national=seed.number_national,
            issuer_national=seed.issuer_national,
        )
    # decisions_issue writes no note (a real decision needs none); the demo's are marked as illustrations.
    Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(
        note=NOTE + "quyết định theo kết quả đánh giá ngoài minh họa; số và ngày không có trong tài liệu gốc."
    )
    build.add("quyết định công nhận từ đánh giá ngoài", len(decisions))


def _publish(build, seed, team, authority) -> None:
    labels = "-".join(d.label for d in Decision.objects.filter(team=team).order_by("kind"))
    publication_publish(
        actor=authority,
        team=team,
        summary=(
            f"{MARK} Đoàn đánh giá ngoài kết luận trường đạt Mức {seed.level}; trường được công nhận {labels} "
            f"(quyết định ngày {seed.decided_on:%d/%m/%Y}). Dữ liệu minh họa, không có trong tài liệu gốc."
        ),
    )
    build.add("công bố kết quả đánh giá ngoài")
