"""Build cycles in a given state through the real services (tests only)."""

from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.council.services import council_member_create
from kiemdinh.selfassessment.models import CouncilRole, CriterionForm, indicator_key
from kiemdinh.selfassessment.services import criterion_form_save, cycle_record_ratings


def add_council(cycle, actor, *, size=7):
    """A valid council: one chair, one secretary, the rest members (size odd, at least 7)."""
    roles = [CouncilRole.CHAIR, CouncilRole.SECRETARY] + [CouncilRole.MEMBER] * (size - 2)
    return [
        council_member_create(actor=actor, cycle=cycle, full_name=f"Thành viên {i + 1}", role=role)
        for i, role in enumerate(roles)
    ]


def fill_forms(cycle, actor, *, achieved=True, criteria=None):
    """Every criterion (or those given): one evidence item, every indicator described citing it, texts, ratings."""
    ratings = {}
    for criterion in (
        Criterion.objects.filter(version=cycle.framework).prefetch_related("indicators").order_by("position")
    ):
        if criteria is not None and criterion.code not in criteria:
            continue
        link = evidence_create(actor=actor, cycle=cycle, criterion=criterion, name=f"Hồ sơ tiêu chí {criterion.code}")
        keys = [(i.level, i.letter) for i in criterion.indicators.all()]
        form = CriterionForm.objects.filter(cycle=cycle, criterion=criterion).first()
        criterion_form_save(
            actor=actor,
            cycle=cycle,
            criterion=criterion,
            base_version=form.version if form else 0,
            descriptions={indicator_key(lv, lt): f"Nhà trường thực hiện đầy đủ {link.code}." for lv, lt in keys},
            strengths="Điểm mạnh rõ.",
            weaknesses="Chưa có điểm yếu đáng kể.",
            improvement="Tiếp tục duy trì.",
        )
        levels = {}
        for lv, lt in keys:
            levels.setdefault(lv, {})[lt] = achieved
        ratings[criterion.code] = levels
    cycle_record_ratings(actor=actor, cycle=cycle, indicators=ratings, level4={})
    return cycle


def level4_items(cycle):
    return list(Level4Item.objects.filter(version=cycle.framework).exclude(confidence="missing"))


def complete_dossier(cycle, actor, *, achieved=True, lines=None):
    """A dossier with nothing missing for submission: a council and the decision forming it, every form filled and
    rated, every report section written, Phần I figures, and an issued improvement plan (one line, or `lines`: the
    keyword arguments of improvement.services.line_create for each, a `code` naming its criterion)."""
    if not cycle.council_members.exists():
        add_council(cycle, actor)
    fill_forms(cycle, actor, achieved=achieved)
    return complete_report(cycle, actor, lines=lines)


def complete_report(cycle, actor, *, lines=None):
    """The parts of a dossier besides the council and the criterion forms: the decision forming the council (unless
    entered), every report section, Phần I figures and an issued improvement plan (see complete_dossier)."""
    from datetime import date

    from django.utils import timezone

    from kiemdinh.improvement.services import issue_create, line_create, plan_create, plan_issue
    from kiemdinh.improvement.services import plan_update as improvement_plan_update
    from kiemdinh.selfassessment.council.services import council_decision_save
    from kiemdinh.selfassessment.models import CouncilDecision
    from kiemdinh.selfassessment.selectors import report_sections
    from kiemdinh.selfassessment.services import report_texts_save, school_statistics_save
    from kiemdinh.selfassessment.statistics import cycle_definitions

    signed = min(date(int(cycle.school_year[:4]), 9, 15), timezone.localdate())
    if not CouncilDecision.objects.filter(cycle=cycle).exists():
        council_decision_save(actor=actor, cycle=cycle, number="45/QĐ-TH", issued_on=signed)
    report_texts_save(
        actor=actor, cycle=cycle, texts={s.key: f"Nội dung phần “{s.title}”." for s in report_sections(cycle)}
    )
    tables, years = cycle_definitions(cycle)
    for table in tables:
        school_statistics_save(
            actor=actor, cycle=cycle, table=table.key, values={table.input_rows[0].key: {years[-1]: "12"}}
        )
    plan = plan_create(actor=actor, cycle=cycle)
    improvement_plan_update(actor=actor, plan=plan, issued_on=signed, number="17/KH-TH")
    first = Criterion.objects.filter(version=cycle.framework).order_by("position").first().code
    default = {"target": "Duy trì kết quả đạt được", "tasks": ["Rà soát hằng năm"], "lead": "Hiệu trưởng"}
    for values in lines or [{**default, "code": first, "time_text": "Cả năm học"}]:
        values = dict(values)
        criterion = Criterion.objects.get(version=cycle.framework, code=values.pop("code"))
        if cycle.framework.regime == "tt57":  # TT57 (Biểu 2): an action answers a priority issue of the criterion
            issue = issue_create(actor=actor, plan=plan, criterion=criterion, limitation="Cần duy trì, nâng cao")
            line_create(actor=actor, plan=plan, issue=issue, **values)
        else:
            line_create(actor=actor, plan=plan, criterion=criterion, **values)
    plan_issue(actor=actor, plan=plan)
    return cycle
