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

from datetime import date

from kiemdinh.accounts.models import Body, User
from kiemdinh.devtools.demo.evaluation_seeds import (
    DELEGATION_NUMBER,
    EVALUATIONS,
    EVALUATOR_TRAINING,
    EVALUATORS,
    MARK,
    NOTE,
    EvaluationSeed,
    team_input,
)
from kiemdinh.devtools.demo.filled_assessment import fill_to_level
from kiemdinh.evaluation.models import (
    EvaluationReport,
    Evaluator,
    MemberReview,
    MemberRole,
    Publication,
    Registration,
    RegistrationStatus,
    ReportStatus,
    Team,
)
from kiemdinh.evaluation.services import teams as evaluation
from kiemdinh.evaluation.services import work as work
from kiemdinh.evaluation.services.issuing import decisions_issue, issue_plan
from kiemdinh.evaluation.services.publication import publication_publish
from kiemdinh.frameworks.models import Criterion
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.models import Decision, DecisionKind, Delegation
from kiemdinh.recognition.services import DelegationInput, delegation_grant
from kiemdinh.selfassessment.models import CouncilMember, CriterionForm, Cycle, CycleStatus
from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_publish, cycle_submit


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
