"""Helpers shared by the improvement tests."""

from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.selfassessment.services import criterion_form_save


def crit(cycle, code: str) -> Criterion:
    return Criterion.objects.get(version_id=cycle.framework_id, code=code)


def item(cycle, code: str) -> Level4Item:
    return Level4Item.objects.get(version_id=cycle.framework_id, code=code)


def save_form(cycle, actor, *, code=None, level4=None, weaknesses="", improvement=""):
    """Save a criterion (or Mức 4) form's texts, as the council does in step 5."""
    criterion = crit(cycle, code) if code else None
    level4_item = item(cycle, level4) if level4 else None
    form = CriterionForm.objects.filter(cycle=cycle, criterion=criterion, level4_item=level4_item).first()
    return criterion_form_save(
        actor=actor,
        cycle=cycle,
        criterion=criterion,
        level4_item=level4_item,
        base_version=form.version if form else 0,
        descriptions={},
        weaknesses=weaknesses,
        improvement=improvement,
    )
