"""The access matrix (issue #8): every URL pattern of the project × every persona, with the expected result.

The URL patterns are enumerated from the resolver, so a new page cannot be forgotten: each pattern's kwargs are filled
with the ids of SCHOOL A's objects (KWARGS below); a kwarg without a value fails the test, naming the pattern. Only the
patterns of SKIPPED are left out, each with its reason.

One world is built once for the module (inside an outer transaction rolled back at its end), through the services and
the test helpers of the apps: school A's accepted cycle with its council, plan, evidence (with a file), criterion
forms, improvement plan, external evaluation (a team open today, its report sent to the school), decision, the
commune's visit, officer, training and emulation scheme, the district's annual plan; school B's accepted cycle with
another team, and its next (draft) cycle. Every request runs in a savepoint rolled back after it, so no request
changes what the next one sees.

Each URL is requested with GET (no follow) by each persona; a view answering 405 to GET is POST-only and is POSTed
with empty data instead, and a refused page is POSTed to as well. The outcome is "allow" (200, a redirect to a page of
the app, a file, or 400/422: input refused after access was granted) or "deny" (a redirect to the login page, 401,
403, 404, 405); the expected outcome comes from GROUPS. Every refused request must leave the audit log unchanged, and
no page an outsider of school A opens may show school A's name or marker strings. A last test reaches school A's
objects through an outsider's own cycle or team (…/<B's cycle>/minh-chung/<A's evidence>/).
"""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from kiemdinh.core.audit import AuditEvent

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "principal_a",
    "member_a",
    "officer_commune_a",
    "officer_other_province",
    "evaluator_a",  # a member of school A's external evaluation team (open today)
    "evaluator_other",  # a member of school B's team
    "principal_b",
)
OUTSIDERS = ("anonymous", "officer_other_province", "evaluator_other", "principal_b")

# Markers put into school A's data: no page an outsider opens may show one.
MARKER = "MARKER-A-"
SCHOOL_A_NAME = "Trường Tiểu học An Bình"

# Patterns left out of the matrix, each with its reason (a prefix ending in ":" covers a namespace).
SKIPPED = {
    "admin:": "Django admin: staff only, guarded by Django itself (is_staff)",
    "accounts:login": "the login page, open to everyone by design",
    "accounts:logout": "the logout page, open to everyone by design",
    "accounts:password_reset": "asking for a reset link: open to everyone, it says the same for any address",
    "accounts:password_reset_done": "the page after asking for a link: open to everyone, it holds nothing",
    "accounts:password_reset_confirm": "the one-time link's page: works only with a valid token of its account",
    "accounts:password_reset_complete": "the page after setting a password: open to everyone, it holds nothing",
    "public:": "published results, public by design (kiemdinh/public/tests check that nothing unpublished shows)",
}
# Static files are served by WhiteNoise's middleware and uploaded files only through views of the matrix (evidence,
# task updates, exports): neither has a URL pattern of its own.

# --- Expected results ----------------------------------------------------------------------------------------------------
# Who may open each pattern (filled with school A's objects), by group. Every pattern outside SKIPPED must be in exactly
# one group, so a new page has to be classified. P principal A, M member A, O officer of commune A, E evaluator of A's
# team; X officer of another province, Y evaluator of another team, B principal B (outsiders of school A).

EVERYONE = "anonymous P M O E X Y B"
GROUPS: dict[str, tuple[str, str, str]] = {
    # group: (who may, why, the patterns)
    "public": (
        EVERYONE,
        "the frameworks' texts and the API schema and rating calculator carry no school data",
        "frameworks:list frameworks:detail api:openapi-json api:framework_list api:framework_detail api:evaluate",
    ),
    "signed_in": (
        "P M O E X Y B",
        "entry pages and lists filtered to the user's own scope (bodies are checked for school A's markers)",
        "workspace:home units:list workflow:cycle_list evaluation:index evaluation:mine planning:index "
        "oversight:index api:me api:school_list api:cycle_list recognition:rules recognition:delegations "
        "accounts:password_change accounts:password_change_done accounts:two_factor_verify accounts:act_as",
    ),
    "account_admins": (
        "P O X B",
        "account administration and the audit log: officers and principals, each listing and creating only within "
        "what they may grant (accounts.access.may_grant) and reading the events of their own scope (bodies checked "
        "for school A's markers)",
        "workspace:people workspace:person_create workspace:audit_log",
    ),
    "school_people": (
        "P",
        "school A's council member's account and role: administered by school A's principal only (an officer "
        "administers officers and principals, not a school's staff)",
        "workspace:person_slip workspace:person_invite workspace:membership_end workspace:membership_role",
    ),
    "principals": ("P B", "a principal opens a cycle of their own school", "workflow:cycle_open"),
    "officers": (
        "O X",
        "the authority's tools, scoped inside to the officer's units (bodies checked)",
        "units:import_start units:import_template evaluation:evaluators evaluation:evaluator_add emulation:index "
        "accounts:two_factor",
    ),
    "dossier": (
        "P M O E",
        "school A's dossier: its people, the officers above it and, while their team works, its evaluators",
        "workflow:cycle_detail selfassessment:criteria workflow:form workflow:form_history "
        "workflow:level4_form workflow:level4_history selfassessment:gaps selfassessment:school_data "
        "selfassessment:report_texts selfassessment:council selfassessment:plan selfassessment:worksheet "
        "evidence:list evidence:health evidence:download evidence:detail evidence:import_template "
        "evidence:import_preview documents:cycle documents:download improvement:plan improvement:line_history "
        "improvement:monitoring improvement:review_record evaluation:registration evaluation:team "
        "api:cycle_status api:improvement_plan",
    ),
    "accepted": (
        "",
        "changes to school A's accepted cycle: refused to everyone (403 inside, 404 outside) until it is returned",
        "workflow:form_rate workflow:form_autosave workflow:level4_rate "
        "workflow:level4_autosave workflow:submit selfassessment:council_member_add "
        "selfassessment:council_member_edit selfassessment:council_member_delete selfassessment:council_group_add "
        "selfassessment:council_group_edit selfassessment:council_group_delete selfassessment:council_assignments "
        "selfassessment:council_copy selfassessment:council_decision_save selfassessment:plan_save "
        "selfassessment:plan_activity_add "
        "selfassessment:plan_activity_edit selfassessment:plan_activity_delete selfassessment:plan_propose "
        "selfassessment:plan_copy selfassessment:worksheet_indicator_save selfassessment:worksheet_level4_save "
        "selfassessment:worksheet_copy evidence:add evidence:reuse evidence:carry_over evidence:file_add "
        "evidence:file_remove evidence:cite evidence:uncite evidence:remove evidence:import_start "
        "evidence:import_commit evidence:import_discard",
    ),
    "school_manager": (
        "P",
        "the principal (and secretary) build the improvement plan, publish the accepted cycle, withdraw the "
        "registration and answer the team's draft report",
        "workflow:publish improvement:plan_create improvement:plan_header improvement:plan_issue "
        "improvement:plan_reopen improvement:line_add improvement:line_edit improvement:line_delete "
        "improvement:issue_add improvement:issue_edit improvement:issue_delete improvement:coverage_note "
        "improvement:coverage_note_delete improvement:carry_over improvement:result_to_evidence "
        "improvement:monitor_add improvement:monitor_remove improvement:review_schedule improvement:review_delete "
        "evaluation:registration_withdraw evaluation_work:feedback_add",
    ),
    "school": (
        "P M O",
        "school A's record, decisions, visits and registration: its people and the officers above it",
        "workspace:school recognition:school documents:decision workspace:history recognition:decision units:campuses "
        "oversight:school oversight:visit "
        "oversight:action_complete evaluation:registration_detail api:school_detail planning:task_update_file",
    ),
    "school_head": (
        "P O",
        "the school's master data (its sites too) and emulation scores: its principal and the officers above it",
        "api:school_patch emulation:school_scores units:campus_add units:campus_edit units:campus_remove",
    ),
    "commune": (
        "O",
        "commune A's authority work (a school merged into school A too): its officers (and those above)",
        "units:detail units:import_preview units:import_commit units:import_discard planning:plan_list "
        "planning:plan_create planning:dashboard workflow:return workflow:accept result:issue "
        "evaluation:unit_registrations oversight:unit oversight:visit_create oversight:officer_add oversight:training_create oversight:visit_edit "
        "oversight:visit_delete oversight:action_add oversight:action_delete oversight:officer_edit "
        "oversight:officer_delete oversight:training oversight:training_edit oversight:training_delete "
        "oversight:training_export oversight:participants_add oversight:participant_attended "
        "oversight:participant_delete emulation:unit_schemes emulation:scheme_create emulation:scheme "
        "emulation:scheme_edit emulation:scheme_close emulation:scheme_reopen emulation:rule_add emulation:rule_edit "
        "emulation:rule_delete emulation:school_detail emulation:score_adjust documents:score_sheet_xlsx "
        "documents:score_sheet_docx exports:start exports:job exports:download api:unit_detail units:school_merge",
    ),
    "team_report": (
        "P O E",
        "the team's report: the team, the officers above the school, and the school once it is sent to it",
        "evaluation_work:home evaluation_work:report documents:evaluation_report",
    ),
    "team_side": (
        "O E",
        "the team's reviews and agreed ratings: the team and the officers above the school",
        "evaluation_work:review evaluation_work:review_level4 evaluation_work:ratings",
    ),
    "team_member": (
        "E",
        "the team's own writing: its members, while the team works",
        "evaluation_work:ratings_copy evaluation_work:report_send evaluation_work:report_finalise "
        "evaluation_work:feedback_reply",
    ),
    "district_plan": (
        "P M O B",
        "the district's issued annual plan (school A is a target, a task is school A's): read by every school and "
        "officer of the district by design (planning/access.py), so principal B reads it too — but not school A's "
        "task progress (its file is in the 'school' group)",
        "planning:plan_detail documents:annual_plan planning:targets planning:goals planning:tasks "
        "planning:task_detail planning:reports documents:plan_report api:annual_plan",
    ),
    "issuing_body": (
        "",
        "the rule table's (recognition.authority, its own matrix in recognition/tests/test_authority_matrix.py): "
        "registrations are accepted by the district's Phòng or the Sở GD&ĐT, teams formed, results published and "
        "grades issued, corrected and revoked by the Sở, the 2018 national standard by the provincial People's "
        "Committee; the commune's officer (O) follows these pages but does none of it",
        "evaluation:registration_decide evaluation:team_establish evaluation:team_edit evaluation:member_assign "
        "evaluation:member_remove result:publish recognition:revoke recognition:correct "
        "recognition:delegation_end",
    ),
    "above": (
        "",
        "only for officers of the district, of the province or admins (none of the personas): the district plan's "
        "changes, the province's evaluator network, the dated changes of commune A (renamed, moved, dissolved, its "
        "schools moved: decided above it; units established or merged below it: a commune has none); withdrawing a "
        "publication that was never made; the API docs page (turned off)",
        "planning:plan_edit planning:plan_issue planning:plan_reopen planning:section_add planning:section_edit "
        "planning:section_delete planning:section_move planning:target_edit planning:target_remove "
        "planning:target_move planning:suggestions_accept planning:suggestion_dismiss planning:suggestion_restore "
        "planning:goal_add planning:goal_edit planning:goal_delete planning:task_add planning:task_edit "
        "planning:task_delete planning:report_add planning:report_edit planning:report_delete "
        "evaluation:evaluator_detail evaluation:evaluator_edit result:withdraw api:api-root units:change_rename "
        "units:change_move units:change_dissolve units:change_school_move units:change_establish units:change_merge",
    ),
}
CODES = {
    "P": "principal_a",
    "M": "member_a",
    "O": "officer_commune_a",
    "E": "evaluator_a",
    "X": "officer_other_province",
    "Y": "evaluator_other",
    "B": "principal_b",
    "anonymous": "anonymous",
}
GROUP_OF = {name: group for group, (_, _, names) in GROUPS.items() for name in names.split()}
# Pages whose body an outsider may see with school A's markers, by design (see the "district_plan" group).
SHARED_WITH_THE_DISTRICT = {"district_plan"}


def expected(persona: str, name: str) -> str:
    who = GROUPS[GROUP_OF[name]][0].split()
    return "allow" if persona in {CODES[c] for c in who} else "deny"


# --- The world ---------------------------------------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "application/pdf")


def _build(world, today: date) -> dict:
    """School A's data covering every object type a URL takes (and school B's team); returns the ids by kwarg."""
    from kiemdinh.documents.exports import district_export_request, run_unit_export
    from kiemdinh.emulation import services as emulation
    from kiemdinh.emulation.models import RuleKind
    from kiemdinh.evaluation.services import teams as evaluation
    from kiemdinh.evaluation.services import work as work
    from kiemdinh.evaluation.tests.helpers import evaluator, register, team_for
    from kiemdinh.evidence import imports as evidence_imports
    from kiemdinh.evidence.services import evidence_cite, evidence_create
    from kiemdinh.evidence.tests.test_imports import GOOD, xlsx
    from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
    from kiemdinh.improvement import services as improvement
    from kiemdinh.improvement.models import LineStatus
    from kiemdinh.oversight.models import SchoolLevel, VisitKind
    from kiemdinh.oversight.services.officers import officer_add
    from kiemdinh.oversight.services.participants import participants_add
    from kiemdinh.oversight.services.trainings import training_create
    from kiemdinh.oversight.services.visits import action_add, visit_create
    from kiemdinh.planning import services as planning
    from kiemdinh.planning.models import ReportKind, TaskStatus
    from kiemdinh.planning.tests.helpers import make_plan, percent_goal, recognise
    from kiemdinh.selfassessment.council.services import (
        council_member_create,
        plan_activity_create,
        working_group_create,
    )
    from kiemdinh.selfassessment.models import CouncilRole
    from kiemdinh.selfassessment.tests.builders import add_council, complete_dossier
    from kiemdinh.units.imports import batches as unit_imports
    from kiemdinh.units.tests.test_import import SCHOOL_HEADER, csv_file
    from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_submit

    principal, district = world.principal_a, world.officer_district

    # School A's self-assessment: council, group, plan, evidence with a file and a second citation, an import batch.
    cycle = cycle_open(actor=principal, school=world.school_a, school_year="2025-2026")
    add_council(cycle, principal)
    group = working_group_create(actor=principal, cycle=cycle, name=f"{MARKER}Nhóm công tác 1")
    council_member = council_member_create(
        actor=principal, cycle=cycle, full_name=f"{MARKER}Thành viên", role=CouncilRole.MEMBER, group=group
    )
    activity = plan_activity_create(actor=principal, cycle=cycle, title=f"{MARKER}Hoạt động", step=1)
    criteria = list(Criterion.objects.filter(version=cycle.framework).order_by("position"))
    link = evidence_create(
        actor=principal, cycle=cycle, criterion=criteria[0], name=f"{MARKER}Minh chứng", files=[_pdf("mc-a.pdf")]
    )
    evidence_cite(actor=principal, cycle_evidence=link, criterion=criteria[1])
    evidence_batch = evidence_imports.evidence_import_prepare(actor=principal, cycle=cycle, uploaded_file=xlsx(GOOD))
    # Everything a submission needs, with the improvement plan's line (issued with the dossier).
    complete_dossier(cycle, principal, lines=[{
        "code": criteria[0].code, "target": f"{MARKER}Kết quả cần đạt", "tasks": ["Lập kế hoạch"],
        "lead": "Hiệu trưởng", "starts_on": date(2025, 10, 1), "due_on": date(2026, 5, 31),
    }])  # fmt: skip
    cycle_submit(actor=principal, cycle=cycle)
    cycle_accept(actor=district, cycle=cycle)
    level4 = Level4Item.objects.filter(version=cycle.framework).exclude(confidence="missing").order_by("position")[0]

    # Its improvement plan: an issue, a line, a coverage note, a monitor, a recorded review.
    plan = improvement.plan_create(actor=principal, cycle=cycle)
    line = plan.lines.get()
    note = improvement.coverage_note_save(actor=principal, plan=plan, reason=f"{MARKER}Lý do", criterion=criteria[3])
    monitor = improvement.monitor_add(actor=principal, plan=plan, full_name=f"{MARKER}Giám sát viên")
    review = improvement.review_schedule(actor=principal, plan=plan, scheduled_on=date(2026, 1, 15))
    improvement.review_record(
        actor=principal, review=review, held_on=date(2026, 1, 15), summary=f"{MARKER}Sơ kết",
        entries={line.pk: improvement.EntryInput(status=LineStatus.IN_PROGRESS)},
    )  # fmt: skip

    # Priority issues exist only in TT57 plans: school A's next cycle (a draft) on TT57 has one.
    cycle57 = cycle_open(actor=principal, school=world.school_a, school_year="2026-2027")
    plan57 = improvement.plan_create(actor=principal, cycle=cycle57)
    criterion57 = Criterion.objects.filter(version=cycle57.framework).order_by("position")[0]
    issue = improvement.issue_create(
        actor=principal, plan=plan57, criterion=criterion57, limitation=f"{MARKER}Hạn chế cần cải tiến"
    )

    # External evaluation: A's registration and team (open today), its report sent to the school, the school's answer.
    registration = register(world, cycle, cohort_note=f"{MARKER}Khóa 2020-2025")
    evaluation.registration_decide(actor=district, registration=registration, accept=True)
    team = team_for(world, registration, start=today - timedelta(days=5), end=today + timedelta(days=30))
    leader = evaluator(world, "dgv_doan_a", "Phạm Văn Trưởng")
    leader_member = evaluation.member_add(
        actor=world.officer_province,
        team=team,
        evaluator=leader,
        role="leader",
        criteria=criteria,
        level4_items=[level4],
    )
    for criterion in criteria:
        work.rating_save(actor=leader.user, team=team, criterion=criterion, level=min(2, criterion.max_level))
    work.report_save(actor=leader.user, team=team, data=work.ReportInput(conclusions=f"{MARKER}Kết luận của đoàn"))
    work.report_send(actor=leader.user, team=team)
    feedback = work.feedback_add(actor=principal, team=team, text=f"{MARKER}Ý kiến của trường")

    # School B (a kindergarten): its accepted cycle, registration and team with another evaluator.
    cycle_b = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2025-2026")
    complete_dossier(cycle_b, world.principal_b)
    cycle_submit(actor=world.principal_b, cycle=cycle_b)
    cycle_accept(actor=district, cycle=cycle_b)
    registration_b = evaluation.registration_submit(
        actor=world.principal_b, cycle=cycle_b, wants_accreditation=True, wants_national_standard=False,
        recognition_round="first", cohort_completed=True, cohort_note="Trẻ 5 tuổi hoàn thành chương trình",
    )  # fmt: skip
    evaluation.registration_decide(actor=district, registration=registration_b, accept=True)
    team_b = team_for(world, registration_b, start=today - timedelta(days=5), end=today + timedelta(days=30))
    other = evaluator(world, "dgv_doan_b", "Trần Văn Khác", levels=("kindergarten",))
    evaluation.member_add(actor=world.officer_province, team=team_b, evaluator=other, role="leader")
    # … and its next cycle, a draft with an improvement plan: principal B may change it, so requests through it reach
    # the lookup of the objects their URL names.
    draft_b = cycle_open(
        actor=world.principal_b, school=world.school_b, school_year="2026-2027", framework=cycle_b.framework
    )
    improvement.plan_create(actor=world.principal_b, cycle=draft_b)

    # Recognition: a decision for school A; province P's People's Committee has its Sở enter its decisions.
    decision = recognise(world, world.school_a, level=3, decided_on=date(2024, 6, 1), note=f"{MARKER}Quyết định")
    from kiemdinh.recognition.services import DelegationInput, delegation_grant

    delegation = delegation_grant(
        actor=world.officer_committee,
        data=DelegationInput(
            unit=world.province, body="committee", delegate_unit=world.province, delegate_body="education",
            actions=("decision_enter",), document_number="25/UBND-VX", document_on=date(2024, 1, 10),
            valid_from=date(2024, 1, 10),
        ),
    )  # fmt: skip

    # The district's annual plan: a section, A as a target, a goal, a task for A with a report and its file, a
    # dismissed suggestion (school B: adding a target removes its own dismissal), a periodic report.
    annual = make_plan(world, period="2026")
    section = planning.section_save(actor=district, plan=annual, heading="Mục đích", body=f"{MARKER}Nội dung")
    target = planning.target_add(
        actor=district, plan=annual, school=world.school_a,
        data=planning.TargetInput(accreditation_grade=3, note=f"{MARKER}Mục tiêu"),
    )  # fmt: skip
    goal = percent_goal(annual, world)
    task = planning.task_save(
        actor=district, plan=annual,
        data=planning.TaskInput(agency="Trường TH An Bình", content=f"{MARKER}Nhiệm vụ", school=world.school_a),
    )  # fmt: skip
    update = planning.task_report(
        actor=district, task=task, status=TaskStatus.IN_PROGRESS, note=f"{MARKER}Tiến độ", upload=_pdf("tien-do.pdf")
    )
    dismissal = planning.suggestion_dismiss(actor=district, plan=annual, school=world.school_b, reason="Chưa đủ hồ sơ")
    plan_report = planning.report_save(
        actor=district, plan=annual,
        data=planning.ReportInput(kind=ReportKind.PERIODIC, reported_on=date(2026, 3, 31), title="Báo cáo quý I",
                                  body=f"{MARKER}Báo cáo"),
    )  # fmt: skip
    planning.plan_issue(actor=district, plan=annual)  # schools read issued plans only

    # Commune A's oversight: a visit of school A with an action, an officer in charge, a training with a participant.
    commune_officer, commune = world.officer_commune_a, world.commune_a
    visit = visit_create(
        actor=commune_officer, unit=commune, school=world.school_a, kind=VisitKind.CONSULTATION,
        visited_on=date(2026, 2, 10), findings=f"{MARKER}Kết quả kiểm tra",
    )  # fmt: skip
    action = action_add(actor=commune_officer, visit=visit, content=f"{MARKER}Việc cần làm")
    officer = officer_add(
        actor=commune_officer, unit=commune, school_level=SchoolLevel.PRIMARY, full_name=f"{MARKER}Cán bộ"
    )
    training = training_create(
        actor=commune_officer, unit=commune, title="Tập huấn tự đánh giá", starts_on=date(2026, 2, 20)
    )
    (participant,) = participants_add(
        actor=commune_officer, training=training, text=f"{MARKER}Người dự – Giáo viên – SA"
    )

    # Commune A's emulation scheme with a rule.
    scheme = emulation.scheme_create(actor=commune_officer, unit=commune, school_year="2025-2026", title="Thi đua")
    rule = emulation.rule_create(
        actor=commune_officer, scheme=scheme, kind=RuleKind.SA_ACCEPTED, label="Được chấp nhận", points=Decimal(10)
    )

    # Batches and jobs belong to whoever made them: the commune officer's school list, export of the commune.
    unit_batch = unit_imports.import_batch_prepare(
        actor=commune_officer, kind="schools",
        uploaded_file=csv_file([SCHOOL_HEADER, ["TH-A9", f"{MARKER}Trường mới", "TH", "", "P01-D1-A", "", "", ""]]),
    )  # fmt: skip
    job = district_export_request(actor=commune_officer, unit=commune)
    run_unit_export.call(job.pk)
    from kiemdinh.units.services.campuses import CampusInput, campus_save

    campus = campus_save(actor=None, school=world.school_a, data=CampusInput(f"{MARKER}Điểm lẻ thôn Đông"))

    return {
        "markers": [MARKER, SCHOOL_A_NAME],
        "evaluator_a": leader.user,
        "evaluator_other": other.user,
        "own": {
            "principal_b": {"cycle_id": draft_b.pk, "team_id": team_b.pk},
            "evaluator_other": {"team_id": team_b.pk},
        },
        "cycle_id": cycle.pk,
        "cycle57_id": cycle57.pk,
        "member_user_id": world.member_a.pk,
        "member_membership_id": world.member_a.memberships.get().pk,
        "school_id": world.school_a.pk,
        "unit_id": commune.pk,
        "code": criteria[0].code,
        "level4_code": level4.code,
        "framework_code": cycle.framework.code,
        "council_member_id": council_member.pk,
        "group_id": group.pk,
        "activity_id": activity.pk,
        "indicator_id": Indicator.objects.filter(criterion=criteria[0]).order_by("pk")[0].pk,
        "item_id": level4.pk,
        "link_id": link.pk,
        "file_id": link.version.files.get().pk,
        "criterion_id": criteria[1].pk,
        "evidence_batch_id": evidence_batch.pk,
        "unit_batch_id": unit_batch.pk,
        "line_id": line.pk,
        "issue_id": issue.pk,
        "note_id": note.pk,
        "monitor_id": monitor.pk,
        "review_id": review.pk,
        "registration_id": registration.pk,
        "team_id": team.pk,
        "team_member_id": leader_member.pk,
        "evaluator_id": leader.pk,
        "feedback_id": feedback.pk,
        "decision_id": decision.pk,
        "delegation_id": delegation.pk,
        "plan_id": annual.pk,
        "section_id": section.pk,
        "target_id": target.pk,
        "goal_id": goal.pk,
        "task_id": task.pk,
        "update_id": update.pk,
        "dismissal_id": dismissal.pk,
        "report_id": plan_report.pk,
        "visit_id": visit.pk,
        "action_id": action.pk,
        "officer_id": officer.pk,
        "training_id": training.pk,
        "participant_id": participant.pk,
        "scheme_id": scheme.pk,
        "rule_id": rule.pk,
        "job_id": job.pk,
        "campus_id": campus.pk,
    }


@pytest.fixture
def _media_in_tmp():
    """The files of the module's world stay in its own media directory (set by _matrix_world) for every test."""


@pytest.fixture(scope="module")
def _matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The personas (build_world) and the data of _build, once for the module; rolled back at its end."""
    from django.test import override_settings

    from kiemdinh.testing.world import build_world, load_frameworks, rolled_back

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with media, rolled_back(django_db_blocker):
        load_frameworks(only=("tt17-2018", "tt19-2018", "tt57-2026-pt"))  # school A (TH): TT17, TT57; B (MN): TT19
        world = build_world()
        yield world, _build(world, timezone.localdate())


# --- The URL patterns ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str
    kwargs: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def url_patterns(resolver=None, prefix="", namespaces=(), kwargs=()) -> list[Pattern]:
    """Every URL pattern of the project, with its full name and every kwarg of its route (included prefixes too)."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        names = (*kwargs, *_kwarg_names(entry))
        if isinstance(entry, URLResolver):
            found += url_patterns(
                entry, route, (*namespaces, entry.namespace) if entry.namespace else namespaces, names
            )
        elif isinstance(entry, URLPattern):
            found.append(Pattern(":".join((*namespaces, entry.name or f"<unnamed {route}>")), route, names))
    return found


def skip_reason(name: str) -> str | None:
    for key, reason in SKIPPED.items():
        if name == key or (key.endswith(":") and name.startswith(key)):
            return reason
    return None


class Fixed(str):
    """A literal kwarg value (not a key of the world's ids)."""


# Which of the world's ids fills a kwarg: (pattern name, kwarg), then (namespace, kwarg), then the kwarg alone.
KWARGS = {
    ("selfassessment", "member_id"): "council_member_id",
    ("improvement", "member_id"): "monitor_id",
    ("evaluation", "member_id"): "team_member_id",
    ("evidence", "batch_id"): "evidence_batch_id",
    ("units", "batch_id"): "unit_batch_id",
    ("frameworks", "code"): "framework_code",
    ("api:framework_detail", "code"): "framework_code",
    ("workflow:level4_form", "code"): "level4_code",
    ("workflow:level4_rate", "code"): "level4_code",
    ("workflow:level4_autosave", "code"): "level4_code",
    ("workflow:level4_history", "code"): "level4_code",
    ("evaluation_work:review_level4", "code"): "level4_code",
    ("improvement:issue_edit", "cycle_id"): "cycle57_id",
    ("improvement:issue_delete", "cycle_id"): "cycle57_id",
    ("improvement:result_to_evidence", "cycle_id"): "cycle57_id",  # a line of the previous year's plan
    ("workspace", "user_id"): "member_user_id",
    ("workspace", "membership_id"): "member_membership_id",
    ("documents", "kind"): Fixed("report"),
    ("units", "kind"): Fixed("truong"),
    "fmt": Fixed("docx"),
    "direction": Fixed("down"),
    **{
        name: name
        for name in [
            "cycle_id",
            "school_id",
            "unit_id",
            "campus_id",
            "code",
            "group_id",
            "activity_id",
            "indicator_id",
            "item_id",
            "link_id",
            "file_id",
            "criterion_id",
            "line_id",
            "issue_id",
            "note_id",
            "review_id",
            "registration_id",
            "team_id",
            "evaluator_id",
            "feedback_id",
            "decision_id",
            "delegation_id",
            "plan_id",
            "section_id",
            "target_id",
            "goal_id",
            "task_id",
            "update_id",
            "dismissal_id",
            "report_id",
            "visit_id",
            "action_id",
            "officer_id",
            "training_id",
            "participant_id",
            "scheme_id",
            "rule_id",
            "job_id",
        ]
    },
}


def kwarg_key(pattern: Pattern, kwarg: str):
    return next((KWARGS[k] for k in ((pattern.name, kwarg), (pattern.namespace, kwarg), kwarg) if k in KWARGS), None)


def concrete_url(pattern: Pattern, ids: dict, own: dict | None = None) -> str:
    """The pattern's URL with school A's objects (and, where `own` gives them, the requester's own containers)."""
    values = {}
    for kwarg in pattern.kwargs:
        if own and kwarg in own:
            values[kwarg] = own[kwarg]
            continue
        key = next((KWARGS[k] for k in ((pattern.name, kwarg), (pattern.namespace, kwarg), kwarg) if k in KWARGS), None)
        if key is None:
            pytest.fail(f"{pattern.name} ({pattern.route}): add a value for {kwarg} in the matrix (KWARGS)")
        values[kwarg] = key if isinstance(key, Fixed) else ids[key]
    return reverse(pattern.name, kwargs=values)


# --- Requests and their outcome --------------------------------------------------------------------------------------

METHODS = {"api:school_patch": "patch"}  # shares its path with api:school_detail (GET)


def _outcome(response) -> tuple[str, str]:
    """(what happened, "allow" or "deny")."""
    status = response.status_code
    if status in (301, 302, 303):
        path = response["Location"].split("?")[0]
        try:
            target = resolve(path)
        except Resolver404:
            return f"{status}→{path}", "allow"
        if target.view_name == settings.LOGIN_URL:
            return f"{status}→login", "deny"
        return f"{status}→{target.view_name}", "allow"
    if status in (401, 403, 404, 405):
        return str(status), "deny"
    if status in (400, 422):  # refused input: access was granted (or not yet checked, API)
        return str(status), "invalid"
    return str(status), "allow" if status < 300 else "error"


def request(client: Client, pattern: Pattern, url: str, method: str = "") -> dict:
    """GET (or the pattern's own method, or the one given); a POST-only view (405 to GET) is POSTed with empty data.
    In a savepoint rolled back after it, so nothing a request does is seen by the next; the audit log is counted
    before and after."""
    method = method or METHODS.get(pattern.name, "get")
    with transaction.atomic():
        before = AuditEvent.objects.count()
        if method == "patch":
            response = client.patch(url, data="{}", content_type="application/json")
        elif method == "post":
            response = client.post(url, data={})
        else:
            response = client.get(url)
            if response.status_code == 405:
                method = "post"
                response = client.post(url, data={})
        changed = AuditEvent.objects.count() - before
        transaction.set_rollback(True)
    got, decision = _outcome(response)
    body = response.content if response.status_code == 200 and not response.streaming else b""
    return {"method": method.upper(), "got": got, "decision": decision, "audit": changed, "body": body}


def _clients(world, ids) -> dict[str, Client]:
    users = {
        "principal_a": world.principal_a,
        "member_a": world.member_a,
        "officer_commune_a": world.officer_commune_a,
        "officer_other_province": world.officer_other_province,
        "evaluator_a": ids["evaluator_a"],
        "evaluator_other": ids["evaluator_other"],
        "principal_b": world.principal_b,
    }
    clients = {"anonymous": Client(raise_request_exception=False)}
    for persona, user in users.items():
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(user)
    return clients


def _table(rows: list[tuple]) -> str:
    header = ("pattern", "persona", "method", "got", "expected")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in (header, *rows))


# --- Tests -----------------------------------------------------------------------------------------------------------


def test_every_pattern_is_classified_and_every_skip_is_used():
    patterns = [p for p in url_patterns() if not skip_reason(p.name)]
    names = {p.name for p in patterns}
    unclassified = sorted(names - set(GROUP_OF))
    assert not unclassified, f"classify these new patterns in the matrix's GROUPS: {unclassified}"
    assert not sorted(set(GROUP_OF) - names), "patterns of GROUPS that no longer exist"
    missing = [
        f"{p.name}: add a value for {k} in the matrix (KWARGS)"
        for p in patterns
        for k in p.kwargs
        if not kwarg_key(p, k)
    ]
    assert not missing, "\n".join(missing)
    every = [p.name for p in url_patterns()]
    unused = [key for key in SKIPPED if not any(n == key or (key.endswith(":") and n.startswith(key)) for n in every)]
    assert not unused, f"SKIPPED entries that match no pattern: {unused}"
    counts = {}
    for group, (_, _, group_names) in GROUPS.items():
        for name in group_names.split():
            counts.setdefault(name, []).append(group)
    assert not {n: g for n, g in counts.items() if len(g) > 1}, "a pattern is in two groups"


def test_every_url_for_every_persona(_matrix_world):
    """Every pattern × every persona: the expected result, no refused POST recorded anything, and no page an outsider
    of school A opens shows school A's markers (its name, or the MARKER-A- strings put in its data)."""
    world, ids = _matrix_world
    clients = _clients(world, ids)
    mismatches, leaks, writes, checked, shown_to_principal = [], [], [], 0, 0
    for pattern in url_patterns():
        if skip_reason(pattern.name):
            continue
        url = concrete_url(pattern, ids)
        group = GROUP_OF.get(pattern.name)
        assert group, f"{pattern.name} ({pattern.route}): classify it in the matrix's GROUPS"
        for persona in PERSONAS:
            want = expected(persona, pattern.name)
            results = [request(clients[persona], pattern, url)]
            if want == "deny" and results[0]["method"] == "GET":  # a refused page refuses a form sent to it too
                results.append(request(clients[persona], pattern, url, "post"))
            for result in results:
                checked += 1
                got = "allow" if result["decision"] == "invalid" else result["decision"]
                row = (pattern.name, persona, result["method"])
                if got != want:
                    mismatches.append((*row, result["got"], want))
                if want == "deny" and result["audit"]:
                    writes.append((*row, f"{result['audit']} audit events", "none"))
                body = result["body"].decode("utf-8", "replace")
                found = [m for m in ids["markers"] if m in body]
                if persona in OUTSIDERS and group not in SHARED_WITH_THE_DISTRICT and found:
                    leaks.append((*row, f"shows {found}", "nothing of A"))
                if persona == "principal_a" and MARKER in body:
                    shown_to_principal += 1
    # The markers are there to be seen: school A's own principal sees them on many pages (so that their absence from
    # the outsiders' pages means something).
    assert shown_to_principal >= 20, shown_to_principal
    assert checked >= 200 * len(PERSONAS)
    problems = [
        ("Access differs from the matrix", mismatches),
        ("School A's data shown to an outsider", leaks),
        ("A refused request changed something", writes),
    ]
    report = "\n\n".join(f"{title} ({len(rows)}):\n{_table(rows)}" for title, rows in problems if rows)
    assert not report, report


# School A's objects that sit inside a container (a cycle, a team) in their URL.
LEAVES = {
    "file_id", "link_id", "council_member_id", "group_id", "activity_id", "line_id", "issue_id", "note_id",
    "monitor_id", "review_id", "evidence_batch_id", "feedback_id", "team_member_id",
}  # fmt: skip


def test_school_a_objects_through_an_outsiders_own_cycle_or_team(_matrix_world):
    """Principal B through school B's own (editable) cycle and team, the other evaluator through their own team: every
    object of school A named in the rest of the URL is refused (404/403), GET and POST, and nothing is recorded."""
    world, ids = _matrix_world
    clients = _clients(world, ids)
    found, checked = [], 0
    for persona, own in ids["own"].items():
        for pattern in url_patterns():
            if skip_reason(pattern.name) or not set(own) & set(pattern.kwargs):
                continue
            if not any(kwarg_key(pattern, k) in LEAVES for k in pattern.kwargs if k not in own):
                continue
            url = concrete_url(pattern, ids, own)
            results = [request(clients[persona], pattern, url)]
            if results[0]["method"] == "GET":
                results.append(request(clients[persona], pattern, url, "post"))
            for result in results:
                checked += 1
                body = result["body"].decode("utf-8", "replace")
                shown = [m for m in ids["markers"] if m in body]
                if result["decision"] != "deny" or result["audit"] or shown:
                    got = f"{result['got']}, {result['audit']} audit events, shows {shown}"
                    found.append((pattern.name, persona, result["method"], got, "deny"))
    assert checked >= 40, checked
    assert not found, "School A's objects reached through an outsider's own cycle or team:\n" + _table(found)
