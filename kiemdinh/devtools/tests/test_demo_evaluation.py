"""seed_demo, #7: the evaluator network and the illustrative external evaluations carried to decisions, the dashboard
and the public pages — Hương Trà 2024, Tân Thành's re-recognition, Hóc Môn 2019-2020 — idempotently, all marked."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.devtools.demo.build import build_demo
from kiemdinh.devtools.demo.evaluation_seeds import EVALUATIONS, EVALUATORS, team_input
from kiemdinh.devtools.demo.people import DEMO_PASSWORD
from kiemdinh.evaluation.models import (
    EvaluationReport,
    Evaluator,
    MemberReview,
    Publication,
    Registration,
    RegistrationStatus,
    ReportStatus,
    SchoolFeedback,
    Team,
    TeamRating,
    TeamStatus,
)
from kiemdinh.evaluation.services.teams import accepted_level
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.planning.dashboard import with_stage
from kiemdinh.planning.models import PlanTarget
from kiemdinh.planning.selectors import Stage
from kiemdinh.recognition.models import Decision, RecognitionRound
from kiemdinh.selfassessment.models import CriterionForm, Cycle, CycleStatus
from kiemdinh.units.models import School

TU_HA_MN, TU_HA_TH, TAN_THANH, HOC_MON = "46-HT-MN-TUHA", "46-HT-TH-SO2TUHA", "20-HL-TT-MN1", "79-HM-MN-2-9"
RECOGNISED_NOW = {TU_HA_MN: {"CĐ2", "MĐ1"}, TU_HA_TH: {"CĐ3", "MĐ2"}, TAN_THANH: {"MĐ1"}}
# The 2024 decisions are valid to May 2029; a fixed day keeps the checks of what is in force independent of the clock.
ON = date(2026, 1, 1)


def team_of(code: str) -> Team:
    return Team.objects.select_related("registration__cycle", "registration__school").get(
        registration__school__code=code
    )


# --- The evaluator network -------------------------------------------------------------------------------------------


def test_the_network_has_evaluators_of_three_provinces_with_demo_accounts(demo):
    evaluators = list(Evaluator.objects.select_related("user", "unit"))
    assert len(evaluators) == len(EVALUATORS) == 7
    assert {e.unit.code for e in evaluators} == {"46", "20", "79"}
    assert all(e.user is not None and e.user.check_password(DEMO_PASSWORD) for e in evaluators)
    assert all(e.training.startswith("Minh họa: ") for e in evaluators)
    # the demo's existing evaluator account (unit 79) is linked, and keeps its one evaluator role
    bao = Evaluator.objects.get(user__username="danhgiavien")
    assert (bao.full_name, bao.unit.code, bao.level_list) == ("Trần Quốc Bảo", "79", ["kindergarten", "primary"])
    for evaluator in evaluators:
        assert Membership.objects.filter(user=evaluator.user, role=Role.EVALUATOR).count() == 1


# --- The self-assessments ------------------------------------------------------------------------------------------


def test_each_school_has_an_accepted_published_self_assessment_at_its_target_level(demo):
    for seed in EVALUATIONS:
        cycle = Cycle.objects.get(school__code=seed.school, school_year=seed.school_year)
        assert cycle.status == CycleStatus.ACCEPTED and cycle.published_at
        assert accepted_level(cycle) == seed.level, seed.school
        forms = CriterionForm.objects.filter(cycle=cycle, criterion__isnull=False)
        assert forms.count() == cycle.framework.criteria.count()
        for form in forms:
            assert all(text.startswith("(Minh họa)") for text in form.descriptions.values())
            assert all(getattr(form, name).startswith("(Minh họa)") for name in CriterionForm.TEXT_FIELDS)
        assert all(e.name.startswith("(Minh họa)") for e in (link.version for link in cycle.evidence_links.all()))


def test_mn_tu_ha_completes_the_cycle_the_demo_had_opened(demo):
    assert Cycle.objects.filter(school__code=TU_HA_MN).count() == 1
    assert Cycle.objects.get(school__code=TU_HA_MN).framework.code == "tt19-2018"
    assert Cycle.objects.get(school__code=TU_HA_TH, school_year="2023-2024").framework.code == "tt17-2018"
    assert Cycle.objects.get(school__code=HOC_MON).school_year == "2019-2020"


# --- Registration, team, work ----------------------------------------------------------------------------------------


def test_registrations_accepted_by_the_schools_authority(demo):
    for seed in EVALUATIONS:
        registration = Registration.objects.select_related("decided_by", "submitted_by").get(school__code=seed.school)
        assert registration.status == RegistrationStatus.ACCEPTED
        decided_by = registration.decided_by.username if registration.decided_by else None
        assert (registration.submitted_by.username, decided_by) == (seed.principal, seed.authority)
        assert registration.recognition_round == seed.recognition_round
        assert registration.requested_level == seed.level
        assert registration.cohort_note.startswith("Minh họa: ") and registration.comment.startswith("Minh họa: ")
    # The Sở GD&ĐT: the district's Phòng, which took registrations in 2024, is gone since 1/7/2025 (the rule table).
    assert Registration.objects.get(school__code=TU_HA_MN).decided_by.username == "sogd.thuathienhue"
    assert not Registration.objects.get(school__code=TAN_THANH).wants_accreditation


def test_teams_work_in_order_and_agree_on_the_target_level(demo):
    for seed in EVALUATIONS:
        team = team_of(seed.school)
        dates = team_input(seed)
        assert team.status == TeamStatus.DONE
        assert team.decision_number.endswith("(minh họa)")
        assert team.decision_on < team.dossier_from < team.official_from < team.draft_report_on
        assert team.draft_report_on < team.final_report_on <= team.ends_on < seed.decided_on
        assert (team.official_from, team.final_report_on) == (dates.official_from, dates.final_report_on)
        members = list(team.members.select_related("evaluator__user"))
        assert [m.evaluator.user.username for m in members] == [username for username, _ in seed.members]
        criteria = team.registration.cycle.framework.criteria.all()
        ratings = TeamRating.objects.filter(team=team, criterion__isnull=False)
        assert ratings.count() == criteria.count()
        # the target level, or the criterion's highest where it has no such level
        assert all(r.level == min(seed.level, r.criterion.max_level) for r in ratings.select_related("criterion"))
        assert max(r.level for r in ratings) == seed.level
        reviews = MemberReview.objects.filter(team=team)
        assert reviews.count() == criteria.count()  # each criterion studied by one member
        assert all(r.description_comments.startswith("(Minh họa)") for r in reviews)
        report = EvaluationReport.objects.get(team=team)
        assert report.status == ReportStatus.FINAL
        assert all(getattr(report, p).startswith("(Minh họa)") for p in ("introduction", "conclusions"))
        (feedback,) = SchoolFeedback.objects.filter(report=report)
        assert feedback.text.startswith("(Minh họa)") and feedback.reply.startswith("(Minh họa)")
        assert feedback.submitted_by.username == seed.principal


# --- Decisions -----------------------------------------------------------------------------------------------------


def test_recognised_schools_hold_decisions_in_force_with_their_plans_labels(demo):
    issued = Decision.objects.filter(team__isnull=False).select_related("school")
    in_force = {}
    for decision in issued.valid_on(ON):
        in_force.setdefault(decision.school.code, set()).add(decision.label)
    assert in_force == RECOGNISED_NOW
    # the Hương Trà list's targets, reached exactly
    for code in (TU_HA_MN, TU_HA_TH):
        target = PlanTarget.objects.get(plan__unit__code="46-HT", school__code=code)
        assert set(target.target_label.split("-")) == RECOGNISED_NOW[code]
    for decision in issued:
        seed = next(s for s in EVALUATIONS if s.school == decision.school.code)
        assert decision.recognition_round == seed.recognition_round
        assert decision.decided_on == decision.valid_from == seed.decided_on
        assert decision.number.endswith("/QĐ-SGDĐT (minh họa)") or decision.number.endswith("/QĐ-UBND (minh họa)")
        assert decision.note.startswith("Minh họa: ")
        assert decision.published
    tan_thanh = issued.get(school__code=TAN_THANH)
    assert (tan_thanh.decided_on, tan_thanh.recognition_round) == (date(2023, 12, 15), RecognitionRound.AGAIN)
    # re-recognised before the 2018 recognition lapsed (20/12/2023), in the cycle's school year (from 1/8/2023)
    prior = Decision.objects.get(school__code=TAN_THANH, team__isnull=True)
    assert date(2023, 8, 1) <= tan_thanh.decided_on <= prior.valid_until
    assert issued.get(school__code=TU_HA_TH, kind="national_standard").issuer == "UBND tỉnh Thừa Thiên Huế"


def test_hoc_mon_2_9_was_recognised_in_2020_and_has_lapsed(demo):
    decisions = Decision.objects.filter(school__code=HOC_MON)
    assert {(d.label, d.decided_on, d.valid_until) for d in decisions} == {
        ("CĐ2", date(2020, 7, 20), date(2025, 7, 20)),
        ("MĐ1", date(2020, 7, 20), date(2025, 7, 20)),
    }
    assert {d.recognition_round for d in decisions} == {RecognitionRound.FIRST}
    # the plan's other schools (external evaluation only) are not evaluated: the seed gives no result
    assert Registration.objects.filter(school__code__startswith="79-HM-").count() == 1


# --- Dashboard and public pages ------------------------------------------------------------------------------------


def test_dashboard_counts_the_three_as_recognised(demo, client):
    stages = dict(with_stage(School.objects.all(), ON).values_list("code", "stage"))
    assert {code for code, stage in stages.items() if stage == Stage.RECOGNISED} == set(RECOGNISED_NOW)
    assert stages["46-HT-MN-HUONGXUAN"] == Stage.IN_PROGRESS
    client.force_login(User.objects.get(username="phonggd.huongtra"))
    unit = School.objects.get(code=TU_HA_MN).unit
    page = client.get(reverse("planning:dashboard", args=[unit.pk]), {"giai_doan": Stage.RECOGNISED}).content.decode()
    assert "Trường Mầm non Tứ Hạ" in page and "Trường Tiểu học Số 2 Tứ Hạ" in page
    assert Stage.RECOGNISED.label in page
    assert "Trường Mầm non Hương Xuân" not in page


def test_public_pages_show_the_recognitions_and_the_published_results(demo, client):
    today = timezone.localdate()
    page = client.get(f"/cong-khai/truong/{TU_HA_TH}/").content.decode()
    if today < date(2029, 5, 27):
        assert "Đạt kiểm định chất lượng giáo dục cấp độ 3" in page
        assert "Đạt chuẩn quốc gia mức độ 2" in page
        assert "902/QĐ-SGDĐT (minh họa)" in page
    assert "Năm học 2023-2024" in page and "(Minh họa) Đoàn đánh giá ngoài kết luận trường đạt Mức 3" in page
    page = client.get(f"/cong-khai/truong/{TAN_THANH}/").content.decode()
    if today < date(2028, 12, 15):
        assert "Đạt chuẩn quốc gia mức độ 1" in page and "2315/QĐ-UBND (minh họa)" in page
        assert "Đạt kiểm định" not in page
    # the town's page says where its schools went; both Tứ Hạ schools are the ward of Hương Trà's since 1/7/2025
    page = client.get("/cong-khai/don-vi/46-HT/").content.decode()
    assert "thị xã Hương Trà kết thúc hoạt động từ ngày 01/07/2025" in page.replace("Thị", "thị")
    assert "phường Hương Trà" in page and "phường Kim Trà" in page and "xã Bình Điền" in page
    page = client.get("/cong-khai/don-vi/46-P-HUONGTRA/").content.decode()
    if today < date(2029, 5, 15):
        assert "845/QĐ-SGDĐT (minh họa)" in page and "902/QĐ-SGDĐT (minh họa)" in page
    # lapsed decisions are not shown, the published result is
    page = client.get(f"/cong-khai/truong/{HOC_MON}/").content.decode()
    assert "3105/QĐ-UBND" not in page and "(Minh họa)" in page
    for seed in EVALUATIONS:
        publication = Publication.objects.get(school__code=seed.school)
        assert publication.summary.startswith("(Minh họa)") and publication.withdrawn_at is None


# --- Idempotency ---------------------------------------------------------------------------------------------------


def test_first_build_created_the_evaluations(demo):
    created = demo.created
    assert created["đánh giá viên"] == 7
    assert created["đợt tự đánh giá hoàn thành (minh họa)"] == 4
    assert created["đăng ký đánh giá ngoài"] == created["đoàn đánh giá ngoài"] == 4
    assert created["báo cáo đánh giá ngoài"] == created["công bố kết quả đánh giá ngoài"] == 4
    assert (
        created["quyết định công nhận từ đánh giá ngoài"]
        == 2 + 2 + 1 + 2
        == Decision.objects.exclude(team=None).count()
    )


EVALUATION_MODELS = (Evaluator, Registration, Team, MemberReview, TeamRating, EvaluationReport, Decision, Publication)


def test_second_build_creates_nothing(demo):
    counts = {m: m.objects.count() for m in (*EVALUATION_MODELS, Cycle, CycleEvidence, SchoolFeedback)}
    assert dict(build_demo().created) == {}
    assert {m: m.objects.count() for m in counts} == counts


def test_a_demo_without_the_evaluations_gets_them(demo):
    # as a demo seeded before #7: no publication, decision, team or registration of MN Tứ Hạ, no Hóc Môn cycle
    Publication.objects.filter(school__code__in=[TU_HA_MN, HOC_MON]).delete()
    Decision.objects.filter(school__code__in=[TU_HA_MN, HOC_MON], team__isnull=False).delete()
    Team.objects.filter(registration__school__code__in=[TU_HA_MN, HOC_MON]).delete()
    Registration.objects.filter(school__code__in=[TU_HA_MN, HOC_MON]).delete()
    Cycle.objects.filter(school__code=HOC_MON).delete()

    build = build_demo()
    assert dict(build.created) == {
        "đợt tự đánh giá": 1,
        "đợt tự đánh giá hoàn thành (minh họa)": 1,
        "đăng ký đánh giá ngoài": 2,
        "đoàn đánh giá ngoài": 2,
        "báo cáo đánh giá ngoài": 2,
        "quyết định công nhận từ đánh giá ngoài": 4,
        "công bố kết quả đánh giá ngoài": 2,
    }
    assert dict(build_demo().created) == {}
    assert Decision.objects.filter(team__isnull=False).count() == 7


def test_a_cycle_started_by_hand_is_left_alone(demo):
    # someone opened Hóc Môn's 2019-2020 self-assessment and began it before the demo got to it
    from kiemdinh.selfassessment.council.services import council_member_create

    Publication.objects.filter(school__code=HOC_MON).delete()
    Decision.objects.filter(school__code=HOC_MON).delete()
    Team.objects.filter(registration__school__code=HOC_MON).delete()
    Registration.objects.filter(school__code=HOC_MON).delete()
    Cycle.objects.filter(school__code=HOC_MON).delete()
    cycle = Cycle.objects.create(
        school=School.objects.get(code=HOC_MON),
        school_year="2019-2020",
        framework=team_of(TU_HA_MN).registration.cycle.framework,
    )
    council_member_create(actor=None, cycle=cycle, full_name="Người dùng thật", role="chu_tich")

    assert dict(build_demo().created) == {}
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.IN_PROGRESS and not Registration.objects.filter(cycle=cycle).exists()
