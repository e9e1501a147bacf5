"""seed_demo: the four authority plans reproduce their seed documents word for word, with live targets (chỉ tiêu),
agency tasks, the recognition history they imply and schools at work; idempotently, also over an older demo."""

import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from kiemdinh.devtools.demo.build import build_demo
from kiemdinh.devtools.demo.plans import PLANS, plan_documents
from kiemdinh.devtools.demo.prior_decisions import PRIOR_DECISIONS
from kiemdinh.planning.models import (
    ROMAN,
    AnnualPlan,
    DeadlineKind,
    PlanGoal,
    PlanKind,
    PlanSection,
    PlanStatus,
    PlanTarget,
    PlanTask,
)
from kiemdinh.recognition.models import Decision, DecisionKind
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.units.models import AdministrativeUnit, School

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "reference" / "seed-documents"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/reference is not beside this checkout")

HUONG_TRA, CAO_LOC, TAN_THANH, HOC_MON = "46-HT", "20-CL", "20-HL-TT", "79-HM"
# The frame of section I, which the plan keeps as two fields (purpose, requirements) and does not store as text.
SECTION_I_FRAME = re.compile(r"^(I\. MỤC ĐÍCH,? YÊU CẦU|1\. Mục đích|2\. Yêu cầu)$")


def plan_of(unit_code: str) -> AnnualPlan:
    return AnnualPlan.objects.get(unit__code=unit_code)


def doc_of(unit_code: str) -> dict:
    seed = next(p for p in PLANS if p.unit == unit_code)
    return plan_documents()[seed.key]


# --- Reading a seed ------------------------------------------------------------------------------------------------


def clean(line: str) -> str:
    """A seed line without what the text extraction added: markdown marks, "- +" for "+", a brace's "|"."""
    line = re.sub(r"^#+\s*", "", line.strip()).replace("**", "")
    line = re.sub(r"(?<!\w)\*(.+?)\*", r"\1", line)
    line = re.sub(r"^- \+ ", "+ ", line).replace(" |", "")
    return " ".join(line.split())


def seed_parts(unit_code: str) -> tuple[list[str], list[str]]:
    """The seed's body (from the first "Căn cứ"/"Thực hiện" paragraph after the title to "Nơi nhận:") and its
    "Nơi nhận" lines, one paragraph each, as printed. A page break leaves a paragraph in two pieces, kept as they are."""
    lines = [clean(line) for line in (SEEDS / doc_of(unit_code)["source"]).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    title = lines.index("KẾ HOẠCH") + 2  # the title takes one line or more ("Thực hiện nhiệm vụ…" in Tân Thành)
    start = next(i for i in range(title, len(lines)) if lines[i].startswith(("Căn cứ", "Thực hiện")))
    stop = lines.index("Nơi nhận:")
    recipients = []
    for line in lines[stop + 1 :]:
        if not line.startswith("-"):
            break
        recipients.append(line)
    return lines[start:stop], recipients


def plan_paragraphs(plan: AnnualPlan) -> list[str]:
    """Everything the plan holds of the body, one paragraph each, with the section numbers it is shown with."""
    paragraphs = [*plan.preamble.splitlines(), *plan.purpose.splitlines(), *plan.requirements.splitlines()]
    for number, section in enumerate(plan.sections.order_by("position"), start=2):
        paragraphs.append(f"{ROMAN[number - 1]}. {section.heading}")
        paragraphs.extend(section.body.splitlines())
    paragraphs.append(plan.closing)
    return paragraphs


def spaces(text: str) -> str:
    return " ".join(text.split())


# --- The text ------------------------------------------------------------------------------------------------------


@needs_seeds
@pytest.mark.parametrize("unit_code", [HUONG_TRA, CAO_LOC, TAN_THANH, HOC_MON])
def test_plan_text_is_the_seed_word_for_word(demo, unit_code):
    plan = plan_of(unit_code)
    body, recipients = seed_parts(unit_code)
    ours = [spaces(p) for p in plan_paragraphs(plan)]
    assert all(ours), "no empty paragraph"
    # every paragraph of the plan is in the seed, in the seed's order (a paragraph cut by a page break is whole here)
    flat = spaces(" ".join(line for line in body if not SECTION_I_FRAME.match(line)))
    position = 0
    for paragraph in ours:
        found = flat.find(paragraph, position)
        assert found >= 0, paragraph
        position = found + len(paragraph)
    # every paragraph of the seed is in the plan (or is section I's frame, which the plan shows from its fields)
    for line in body:
        if SECTION_I_FRAME.match(line) and (plan.purpose or plan.requirements):
            continue
        assert any(line in paragraph for paragraph in ours), line
    assert plan.recipients.splitlines() == recipients
    assert plan.closing == body[-1]
    for text in (*ours, plan.recipients, plan.signer_title, plan.signer_name):
        assert unicodedata.is_normalized("NFC", text)


@needs_seeds
def test_the_yaml_names_each_plans_seed_and_the_seeds_agree():
    for seed in PLANS:
        doc = plan_documents()[seed.key]
        lines = (SEEDS / doc["source"]).read_text(encoding="utf-8").splitlines()
        text = spaces(" ".join(clean(line) for line in lines))
        # the key's title is the seed's ("2019 -2020" is typed "2019 - 2020" in the key, as before)
        assert seed.title in text.replace("2019 -2020", "2019 - 2020"), doc["source"]
        if doc["signer_name"]:
            assert f"{doc['signer_title'].replace(' / ', ' ')} {doc['signer_name']}" in text


def test_header_signature_kind_period_and_status(demo):
    expected = {
        HUONG_TRA: (PlanKind.YEAR, date(2024, 1, 1), date(2024, 12, 31), "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Đỗ Ngọc An", None),
        CAO_LOC: (PlanKind.YEAR, date(2024, 1, 1), date(2024, 12, 31), "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Nguyễn Văn Thịnh", 3),
        TAN_THANH: (PlanKind.YEAR, date(2023, 1, 1), date(2023, 12, 31), "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Phan Quang Vinh", None),
        HOC_MON: (PlanKind.SCHOOL_YEAR, date(2019, 8, 1), date(2020, 7, 31), "", "", None),
    }  # fmt: skip
    for unit_code, row in expected.items():
        plan = plan_of(unit_code)
        got = (plan.kind, plan.starts_on, plan.ends_on, plan.signer_title, plan.signer_name, plan.report_every_months)
        assert got == row, unit_code
        # the seeds are issued documents, even those without a number or a date
        assert plan.status == PlanStatus.ISSUED
    assert plan_of(HOC_MON).requirements == "" and plan_of(HOC_MON).purpose.startswith("1. Chú trọng tự đánh giá")
    assert [s.heading for s in plan_of(HUONG_TRA).sections.all()] == [
        "MỤC TIÊU, CHỈ TIÊU",
        "NHIỆM VỤ, GIẢI PHÁP",
        "TỔ CHỨC THỰC HIỆN",
    ]
    assert [s.heading for s in plan_of(TAN_THANH).sections.all()] == [
        "NỘI DUNG",
        "THỜI GIAN HOÀN THÀNH",
        "TỔ CHỨC THỰC HIỆN",
    ]
    assert "trước ngày 31/01/2024." in plan_of(HUONG_TRA).sections.get(heading="MỤC TIÊU, CHỈ TIÊU").body


# --- Targets (chỉ tiêu) and tasks ----------------------------------------------------------------------------------


def test_goals_carry_live_metrics(demo):
    rows = [
        (
            g.plan.unit.code,
            g.metric,
            g.scope,
            g.school_types,
            g.measure,
            g.target_value,
            g.level,
            g.school_year,
            g.deadline,
        )
        for g in PlanGoal.objects.select_related("plan__unit").order_by("plan__unit__code", "position")
    ]
    assert sorted(rows, key=lambda r: r[0]) == sorted(
        [
            (HUONG_TRA, "sa_submitted", "unit", "", "percent", Decimal(100), None, "2023-2024", date(2024, 1, 31)),
            (HUONG_TRA, "targets_reached", "targets", "", "percent", Decimal(100), None, "", None),
            (CAO_LOC, "national_standard", "targets", "", "count", Decimal(2), 1, "", None),
            (TAN_THANH, "national_standard", "targets", "", "count", Decimal(1), None, "", date(2023, 12, 31)),
            (HOC_MON, "accredited", "unit", "MN,TH,THCS", "percent", Decimal(35), None, "", None),
            (HOC_MON, "sa_accepted", "unit", "MN,TH,THCS", "percent", Decimal(100), None, "2019-2020", None),
        ],
        key=lambda r: r[0],
    )
    # each goal's text is a sentence of its plan, as printed
    for goal in PlanGoal.objects.select_related("plan"):
        assert any(goal.text in section.body for section in goal.plan.sections.all()), goal.text
    assert plan_of(HOC_MON).goals.first().text.startswith("Phản đấu trong năm học 2019-2020 có 35%")


def test_tasks_with_agencies_leads_deadlines_and_schools(demo):
    cao_loc = plan_of(CAO_LOC)
    tasks = list(cao_loc.tasks.select_related("school"))
    assert [t.agency for t in tasks] == [
        "Phòng Giáo dục và Đào tạo",
        "Phòng Tài chính - Kế hoạch",
        "Phòng Nội vụ",
        "Phòng Tài nguyên và Môi trường",
        "Ban Quản lý Dự án đầu tư xây dựng huyện",
        "Trung tâm Phát triển quỹ đất",
        "Trung tâm Văn hóa, Thể thao và Truyền thông",
        "UBND các xã, thị trấn",
        "Trường Mầm non xã Thụy Hùng",
        "Trường Tiểu học và Trung học cơ sở xã Bảo Lâm",
    ]
    assert {t.lead_official for t in tasks} == {"Đồng chí Nguyễn Văn Thịnh - Phó Chủ tịch UBND huyện"}
    assert tasks[0].cooperating.startswith("Phòng Tài chính - Kế hoạch; Ban Quản lý Dự án đầu tư xây dựng huyện;")
    assert tasks[0].content.endswith("khi có việc đột xuất hoặc những khó khăn, vướng mắc xảy ra.")
    assert len(tasks[0].content.splitlines()) == 5
    land = cao_loc.tasks.get(agency="Phòng Tài nguyên và Môi trường")
    assert (land.deadline_kind, land.due_on, land.deadline_label) == (
        DeadlineKind.QUARTER,
        date(2024, 6, 30),
        "quý II năm 2024",
    )
    due = {t.agency: t.deadline_label for t in tasks if t.due_on}
    assert due == {
        "Phòng Tài nguyên và Môi trường": "quý II năm 2024",
        "Trung tâm Phát triển quỹ đất": "quý II năm 2024",
        "Trường Mầm non xã Thụy Hùng": "quý II năm 2024",
        "Trường Tiểu học và Trung học cơ sở xã Bảo Lâm": "quý II năm 2024",
    }
    assert [(t.school.code if t.school else None) for t in tasks[-3:]] == [None, "20-CL-TH-MN", "20-CL-BL-THTHCS"]
    assert "Thời gian hoàn thành" not in cao_loc.tasks.get(agency="Phòng Nội vụ").content
    assert "nghề nghiệp viên chức trong" in cao_loc.tasks.get(agency="Phòng Nội vụ").content  # the page break healed

    huong_tra = plan_of(HUONG_TRA)
    schools_due = [
        (t.deadline_kind, t.due_on) for t in huong_tra.tasks.filter(agency="Cơ sở giáo dục").order_by("position")
    ]
    assert schools_due == [(DeadlineKind.DATE, date(2024, 1, 20)), (DeadlineKind.DATE, date(2024, 12, 20))]
    assert huong_tra.tasks.count() == 9
    assert huong_tra.tasks.get(agency="Phòng Nội vụ").cooperating == "Phòng GD&ĐT thị xã"

    (school_task, *others) = plan_of(TAN_THANH).tasks.select_related("school")
    assert (school_task.school.code, school_task.deadline_kind, school_task.due_on, school_task.deadline_label) == (
        "20-HL-TT-MN1",
        DeadlineKind.MONTH,
        date(2023, 12, 31),
        "tháng 12/2023",
    )
    assert [t.agency for t in others] == ["Công chức Tài chính – Kế toán ngân sách xã", "Công chức Địa chính NNXD&MT"]

    hoc_mon = list(plan_of(HOC_MON).tasks.all())
    assert [t.agency for t in hoc_mon] == ["Phòng GD&ĐT", "Nhóm mạng lưới KĐCLGD của Phòng GD&ĐT"]
    assert "Bà Lý Mỹ Liên" in hoc_mon[0].content and not any(t.due_on for t in hoc_mon)


@needs_seeds
def test_every_task_is_the_seeds_wording(demo):
    for task in PlanTask.objects.select_related("plan__unit"):
        body, _ = seed_parts(task.plan.unit.code)
        flat = spaces(" ".join(body))
        for paragraph in task.content.splitlines():
            assert spaces(paragraph) in flat, paragraph
        for text in (task.agency, task.lead_official, task.cooperating):
            assert unicodedata.is_normalized("NFC", text)


# --- Recognition history and schools at work -----------------------------------------------------------------------


def test_prior_decisions_lapse_in_the_plans_year(demo):
    # the decisions issued from the illustrative external evaluations are tested in test_demo_evaluation
    decisions = list(
        Decision.objects.filter(team__isnull=True).select_related("school").order_by("school__code", "kind")
    )
    assert len(decisions) == len(PRIOR_DECISIONS) == 15 * 2 + 1
    again = set(plan_of(HUONG_TRA).targets.filter(recognition_round="again").values_list("school__code", flat=True))
    huong_tra = [d for d in decisions if d.school.code.startswith("46-HT")]
    assert {d.school.code for d in huong_tra} == again and len(again) == 15
    assert {(d.decided_on, d.valid_until, d.number) for d in huong_tra} == {(date(2019, 1, 15), date(2024, 1, 15), "")}
    assert {d.issuer for d in huong_tra if d.kind == DecisionKind.ACCREDITATION} == {"Sở GD&ĐT Thừa Thiên Huế"}
    assert {d.issuer for d in huong_tra if d.kind == DecisionKind.NATIONAL_STANDARD} == {"UBND tỉnh Thừa Thiên Huế"}
    labels = {(d.school.code, d.label) for d in huong_tra}
    assert {label for code, label in labels if code == "46-HT-TH-SO2TUHA"} == {"CĐ3", "MĐ2"}
    assert {label for code, label in labels if code != "46-HT-TH-SO2TUHA"} == {"CĐ2", "MĐ1"}
    (tan_thanh,) = [d for d in decisions if d.school.code == "20-HL-TT-MN1"]
    assert (tan_thanh.label, tan_thanh.decided_on, tan_thanh.valid_until) == (
        "MĐ1",
        date(2018, 12, 20),
        date(2023, 12, 20),
    )
    assert all(d.note.startswith("Minh họa: kế hoạch gốc chỉ ghi “") for d in decisions)
    # nothing else is recorded from paper: later decisions come only from the (illustrative) external evaluations
    assert not Decision.objects.filter(team__isnull=True, decided_on__year__gte=2020).exists()


def test_five_huong_tra_schools_are_at_work_on_2023_2024(demo):
    kindergartens = [
        "46-HT-MN-HUONGXUAN",
        "46-HT-MN-BINHTHANH",
        "46-HT-MN-HONGTIEN",
        "46-HT-MN-TUHA",
        "46-HT-MN-HUONGBINH",
    ]
    cycles = list(
        Cycle.objects.filter(school_year="2023-2024", school__code__in=kindergartens).select_related(
            "school", "framework"
        )
    )
    assert sorted(c.school.code for c in cycles) == sorted(kindergartens)
    # MN Tứ Hạ's is carried through to its (illustrative) external evaluation: test_demo_evaluation
    at_work = {(c.framework.code, c.status) for c in cycles if c.school.code != "46-HT-MN-TUHA"}
    assert at_work == {("tt19-2018", CycleStatus.IN_PROGRESS)}


# --- Idempotency ---------------------------------------------------------------------------------------------------


def test_first_build_created_everything_through_the_services(demo):
    assert demo.created["kế hoạch"] == 4
    assert demo.created["trường trong kế hoạch"] == 20 + 2 + 1 + 8
    assert demo.created["mục kế hoạch"] == 3 + 2 + 3 + 2 == PlanSection.objects.count()
    assert demo.created["chỉ tiêu"] == 6 == PlanGoal.objects.count()
    assert demo.created["nhiệm vụ"] == 9 + 10 + 3 + 2 == PlanTask.objects.count()
    assert demo.created["quyết định công nhận"] == 31
    assert "nội dung kế hoạch" not in demo.created


def test_second_build_creates_nothing(demo):
    counts = {m: m.objects.count() for m in (AnnualPlan, PlanSection, PlanTarget, PlanGoal, PlanTask, Decision, Cycle)}
    build = build_demo()
    assert dict(build.created) == {}
    assert {m: m.objects.count() for m in counts} == counts


def test_a_demo_seeded_before_the_plans_had_text_gets_it(demo):
    # as seed_demo wrote the plans before: the header and the list only, through the models, left as drafts
    old = {}
    for seed in PLANS:
        AnnualPlan.objects.filter(unit__code=seed.unit, number=seed.number, title=seed.title).delete()
        plan = AnnualPlan.objects.create(
            unit=AdministrativeUnit.objects.get(code=seed.unit),
            issuer=seed.issuer,
            number=seed.number,
            issued_on=seed.issued_on,
            place=seed.place,
            title=seed.title,
            period=seed.period,
            signer_name=doc_of(seed.unit)["signer_name"],
            signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" if doc_of(seed.unit)["signer_name"] else "",
        )
        schools = {s.code: s for s in School.objects.filter(code__in=[t.school for t in seed.targets])}
        PlanTarget.objects.bulk_create(
            PlanTarget(
                plan=plan,
                school=schools[t.school],
                position=position,
                accreditation_grade=t.accreditation_grade,
                national_standard_level=t.national_standard_level,
                external_evaluation=t.external_evaluation,
                recognition_round=t.recognition_round,
                note=t.note,
            )
            for position, t in enumerate(seed.targets, start=1)
        )
        old[seed.unit] = plan.pk
    assert not PlanSection.objects.exists() and not PlanTask.objects.exists()

    build = build_demo()
    assert build.created["nội dung kế hoạch"] == 4
    assert "kế hoạch" not in build.created and "trường trong kế hoạch" not in build.created
    assert build.created["nhiệm vụ"] == 24 and build.created["chỉ tiêu"] == 6 and build.created["mục kế hoạch"] == 10
    assert "quyết định công nhận" not in build.created and "đợt tự đánh giá" not in build.created
    assert PlanTarget.objects.count() == 31 and AnnualPlan.objects.count() == 4
    huong_tra = plan_of(HUONG_TRA)
    assert huong_tra.pk == old[HUONG_TRA]
    assert huong_tra.preamble.startswith("Căn cứ các Thông tư số 17/2018/TT-BGDĐT")
    assert huong_tra.signer_title == "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert (huong_tra.kind, huong_tra.starts_on, huong_tra.status) == (PlanKind.YEAR, date(2024, 1, 1), "issued")
    assert plan_of(HOC_MON).kind == PlanKind.SCHOOL_YEAR and plan_of(CAO_LOC).report_every_months == 3

    # and once filled, a run adds only what went missing, never twice
    plan_of(CAO_LOC).tasks.get(agency="Phòng Nội vụ").delete()
    plan_of(TAN_THANH).sections.get(heading="THỜI GIAN HOÀN THÀNH").delete()
    build = build_demo()
    assert dict(build.created) == {"mục kế hoạch": 1, "nhiệm vụ": 1}
    assert dict(build_demo().created) == {}
    assert PlanTask.objects.count() == 24 and PlanSection.objects.count() == 10


def test_hoc_mon_officers_in_charge_are_shown_to_its_schools(demo):
    from kiemdinh.oversight.models import OfficerInCharge
    from kiemdinh.oversight.selectors import officers_for_school
    from kiemdinh.units.models import School

    school = School.objects.select_related("unit").get(code="79-HM-TH-TANHIEP")
    # since 1/7/2025 the school is xã Hóc Môn's: the commune's officer in charge, not the ended district's
    officers = {(o.full_name, o.email, o.unit.name) for o in officers_for_school(school)}
    assert officers == {("Nguyễn Thanh Long", "", "xã Hóc Môn")}
    # the district's list, as its 2019–2020 plan printed it, stays on the district
    district = {(o.full_name, o.email) for o in OfficerInCharge.objects.filter(unit__code=HOC_MON)}
    assert {
        ("Nguyễn Thị Ngọc Sương", "cvgdth2.hocmon@moet.edu.vn"),
        ("Nguyễn Thanh Long", "cvgdthcs1.hocmon@moet.edu.vn"),
    } <= district
