"""An illustrative self-assessment filled up to a school level (Mức 1–3) through the real services, ready to submit:
council, plan, one evidence item per criterion, every form, the ratings and the rest of the dossier."""

from datetime import date

from django.utils import timezone

from kiemdinh.accounts.models import User
from kiemdinh.devtools.demo.evaluation_seeds import MARK, illustrative_number
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import services as improvement
from kiemdinh.improvement.selectors import coverage as improvement_coverage
from kiemdinh.selfassessment.council.services import council_decision_save, council_member_create
from kiemdinh.selfassessment.council.services import plan_update as assessment_plan_update
from kiemdinh.selfassessment.models import CouncilRole, Cycle, indicator_key
from kiemdinh.selfassessment.selectors import report_sections
from kiemdinh.selfassessment.services import (
    criterion_form_save,
    cycle_record_ratings,
    report_texts_save,
    school_statistics_save,
)
from kiemdinh.selfassessment.statistics import cycle_definitions

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
    council_decision_save(actor=principal, cycle=cycle, number=illustrative_number("12/QĐ-Tr"), issued_on=signed)
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
    improvement.plan_update(actor=principal, plan=plan, issued_on=signed, number=illustrative_number("20/KH-Tr"))
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
