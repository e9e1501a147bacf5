"""The pages of a cycle that gather the self-assessment with the apps about it: `cycles` (list, open, overview,
transitions) and `forms` (a criterion form and its evidence citations)."""

from kiemdinh.workflow.views.cycles import (
    cycle_accept,
    cycle_detail,
    cycle_list,
    cycle_open_view,
    cycle_publish,
    cycle_return,
    cycle_submit,
)
from kiemdinh.workflow.views.forms import (
    criterion_autosave,
    criterion_form,
    criterion_history,
    criterion_rate,
    level4_autosave,
    level4_form,
    level4_history,
    level4_rate,
)

__all__ = [
    "criterion_autosave",
    "criterion_form",
    "criterion_history",
    "criterion_rate",
    "cycle_accept",
    "cycle_detail",
    "cycle_list",
    "cycle_open_view",
    "cycle_publish",
    "cycle_return",
    "cycle_submit",
    "level4_autosave",
    "level4_form",
    "level4_history",
    "level4_rate",
]
