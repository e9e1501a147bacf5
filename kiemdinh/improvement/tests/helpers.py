"""Helpers shared by the improvement tests."""

from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.testing.world import form_saved


def crit(cycle, code: str) -> Criterion:
    return Criterion.objects.get(version_id=cycle.framework_id, code=code)


def item(cycle, code: str) -> Level4Item:
    return Level4Item.objects.get(version_id=cycle.framework_id, code=code)


def save_form(cycle, actor, *, code=None, level4=None, weaknesses="", improvement=""):
    """Save a criterion (or Mức 4) form's texts, as the council does in step 5."""
    return form_saved(cycle, actor, code=code, level4=level4, weaknesses=weaknesses, improvement=improvement)
