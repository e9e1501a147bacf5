"""Build cycles in a given state through the real services (tests only)."""

from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.council import council_member_create
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
