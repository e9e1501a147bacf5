"""The four authority plans of the seeds (Hương Trà 2024, Cao Lộc 2024, Tân Thành 2023, Hóc Môn 2019-2020): their
headers and school lists here, their text, goals and tasks in data/authority_plans.yaml, entered and issued through
the planning services."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import nfc
from kiemdinh.devtools.demo.places import (
    HOC_MON_EXTERNAL_ONLY,
    HUONG_TRA_2024_LIST,
    parse_integrated_target,
    parse_recognition_round,
)
from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.planning.models import AnnualPlan, PlanStatus
from kiemdinh.planning.services import (
    GoalInput,
    PlanInput,
    TargetInput,
    TaskInput,
    goal_save,
    plan_create,
    plan_update,
    section_save,
    target_add,
    task_save,
)
from kiemdinh.recognition.models import RecognitionRound


@dataclass(frozen=True)
class TargetSeed:
    school: str
    accreditation_grade: int | None = None
    national_standard_level: int | None = None
    recognition_round: str = ""
    external_evaluation: bool = True
    note: str = ""


@dataclass(frozen=True)
class PlanSeed:
    """A plan's natural key (unit, number, title), its header and its list of schools; the text, signature, targets
    (chỉ tiêu) and agency tasks are in data/authority_plans.yaml under the same key."""

    unit: str
    issuer: str
    number: str
    issued_on: date | None
    place: str
    title: str
    period: str
    targets: tuple[TargetSeed, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.number, self.title)


def huong_tra_target(code: str, listed_name: str, label: str, note: str) -> TargetSeed:
    grade, level = parse_integrated_target(label)
    return TargetSeed(code, grade, level, parse_recognition_round(note))


PLANS = (
    PlanSeed(
        unit="46-HT",
        issuer="UBND thị xã Hương Trà",
        number="20/KH-UBND",
        issued_on=date(2024, 1, 4),
        place="Hương Trà",
        title=(
            "Công tác kiểm định chất lượng giáo dục và xây dựng trường đạt chuẩn quốc gia trên địa bàn "
            "thị xã Hương Trà, năm 2024"
        ),
        period="2024",
        targets=tuple(huong_tra_target(*row) for row in HUONG_TRA_2024_LIST),
    ),
    # "Số: /KH-UBND" and "ngày tháng năm 2024": the number and the date were never filled in.
    PlanSeed(
        unit="20-CL",
        issuer="UBND huyện Cao Lộc",
        number="",
        issued_on=None,
        place="Cao Lộc",
        title="Triển khai, thực hiện nhiệm vụ trọng tâm năm 2024 (Lĩnh vực Giáo dục và Đào tạo)",
        period="2024",
        # "Xây dựng 02 trường học đạt chuẩn quốc gia … mức độ I": new recognitions, national standard only.
        targets=(
            TargetSeed("20-CL-BL-THTHCS", None, 1, RecognitionRound.FIRST),
            TargetSeed("20-CL-TH-MN", None, 1, RecognitionRound.FIRST),
        ),
    ),
    # "Số: /KH-UBND" again: no number.
    PlanSeed(
        unit="20-HL-TT",
        issuer="UBND xã Tân Thành",
        number="",
        issued_on=date(2023, 2, 28),
        place="Tân Thành",
        title=(
            "Thực hiện nhiệm vụ trọng tâm của Ban Thường vụ Huyện ủy lĩnh vực giáo dục và đào tạo năm 2023 (Nhiệm vụ 8)"
        ),
        period="2023",
        targets=(
            TargetSeed(
                "20-HL-TT-MN1",
                recognition_round=RecognitionRound.AGAIN,
                note="Công nhận lại trường đạt chuẩn quốc gia (kế hoạch không ghi mức độ)",
            ),
        ),
    ),
    # The Hóc Môn plan has no number, date or place in the seed.
    PlanSeed(
        unit="79-HM",
        issuer="Phòng GD&ĐT huyện Hóc Môn",
        number="",
        issued_on=None,
        place="",
        title="Công tác kiểm định chất lượng giáo dục năm học 2019 - 2020",
        period="2019-2020",
        targets=(
            TargetSeed("79-HM-MN-2-9", note="Đánh giá ngoài và công nhận chuẩn Quốc gia"),
            *(TargetSeed(code, note="Đánh giá ngoài") for code in HOC_MON_EXTERNAL_ONLY),
        ),
    ),
)

PLANS_FILE = Path(__file__).resolve().parent / "data" / "authority_plans.yaml"
# The fields a plan entered before the plans carried their text has all empty; such a plan gets the text once.
PLAN_DOCUMENT_FIELDS = ("preamble", "purpose", "requirements", "closing", "recipients")


@cache
def plan_documents() -> dict[tuple[str, str, str], dict]:
    """The plans' text, goals and tasks from data/authority_plans.yaml, by natural key (unit, number, title)."""
    data = yaml.safe_load(PLANS_FILE.read_text(encoding="utf-8"))
    return {(d["unit"], d["number"], nfc(d["title"])): d for d in data["plans"]}


def plan_input(seed: PlanSeed, doc: dict) -> PlanInput:
    return PlanInput(
        kind=doc["kind"],
        period=seed.period,
        title=seed.title,
        issuer=seed.issuer,
        number=seed.number,
        issued_on=seed.issued_on,
        place=seed.place,
        preamble=nfc(doc.get("preamble") or ""),
        purpose=nfc(doc.get("purpose") or ""),
        requirements=nfc(doc.get("requirements") or ""),
        closing=nfc(doc.get("closing") or ""),
        recipients=nfc(doc.get("recipients") or ""),
        signer_title=nfc(doc.get("signer_title") or ""),
        signer_name=nfc(doc.get("signer_name") or ""),
        report_every_months=doc.get("report_every_months"),
    )


def goal_input(goal: dict) -> GoalInput:
    return GoalInput(
        text=nfc(goal["text"]),
        metric=goal["metric"],
        measure=goal["measure"],
        target_value=Decimal(str(goal["target_value"])),
        scope=goal.get("scope", "unit"),
        school_types=tuple(t for t in (goal.get("school_types") or "").split(",") if t),
        level=goal.get("level"),
        school_year=goal.get("school_year", ""),
        deadline=goal.get("deadline"),
    )


def task_input(task: dict, schools) -> TaskInput:
    return TaskInput(
        agency=nfc(task["agency"]),
        content=nfc(task["content"]),
        lead_official=nfc(task.get("lead_official") or ""),
        cooperating=nfc(task.get("cooperating") or ""),
        deadline=nfc(task.get("deadline") or ""),
        school=schools[task["school"]] if task.get("school") else None,
    )


def ensure_plan(actor, build: DemoBuild, seed: PlanSeed, units, schools) -> AnnualPlan:
    """The plan as issued, through the planning services. A plan entered before the plans carried their text (only
    its header and list) gets the text once; sections, schools, goals and tasks are added where missing."""
    doc = plan_documents()[seed.key]
    unit = units[seed.unit]
    data = plan_input(seed, doc)
    plan = AnnualPlan.objects.filter(unit=unit, number=seed.number, title=seed.title).first()
    filled = plan is None or not any(getattr(plan, name) for name in PLAN_DOCUMENT_FIELDS)
    if plan is None:
        # plan_create takes a dissolved district's plans for periods before its dissolution, as all four are.
        plan = plan_create(actor=actor, unit=unit, data=data)
        build.add("kế hoạch")
    elif filled:
        plan = plan_update(actor=actor, plan=plan, data=data)
        build.add("nội dung kế hoạch")

    headings = set(plan.sections.values_list("heading", flat=True))
    for section in doc.get("sections", ()):
        if nfc(section["heading"]) not in headings:
            section_save(actor=actor, plan=plan, heading=nfc(section["heading"]), body=nfc(section["body"]))
            build.add("mục kế hoạch")

    listed = set(plan.targets.values_list("school_id", flat=True))
    for target in seed.targets:
        school = schools[target.school]
        if school.pk in listed:
            continue
        target_add(
            actor=actor,
            plan=plan,
            school=school,
            data=TargetInput(
                accreditation_grade=target.accreditation_grade,
                national_standard_level=target.national_standard_level,
                external_evaluation=target.external_evaluation,
                recognition_round=target.recognition_round,
                note=target.note,
            ),
        )
        build.add("trường trong kế hoạch")

    goals = set(plan.goals.values_list("text", flat=True))
    for goal in doc.get("goals", ()):
        data_goal = goal_input(goal)
        if data_goal.text not in goals:
            goal_save(actor=actor, plan=plan, data=data_goal)
            build.add("chỉ tiêu")

    tasks = set(plan.tasks.values_list("agency", "school_id", "content"))
    for task in doc.get("tasks", ()):
        data_task = task_input(task, schools)
        key = (data_task.agency, data_task.school.pk if data_task.school else None, data_task.content.strip())
        if key not in tasks:
            task_save(actor=actor, plan=plan, data=data_task)
            build.add("nhiệm vụ")

    if filled and plan.status != PlanStatus.ISSUED:
        # The seeds are the issued texts, so the demo's plans are issued. Not through plan_issue: Cao Lộc and Hóc Môn
        # were issued without a number or a date (and Hóc Môn without a signature), which it rightly refuses for a
        # plan made in the system. Only a plan created or filled here is marked; one reopened later stays reopened.
        plan.status = PlanStatus.ISSUED
        plan.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            event_type=Event.PLAN_ISSUED,
            obj=plan,
            unit=unit,
            data={"source": "seed_demo", "seed": doc["source"]},
        )
    return plan
