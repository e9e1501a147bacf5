"""Screens of the improvement plan (kế hoạch cải tiến chất lượng) and its monitoring (giám sát).

Each view: access → form → service → response. Every POST redirects back (post/redirect/get) with a message; a
refused change re-renders the form with the service's Vietnamese errors and changes nothing.

- plan_page.py: the plan page, making the plan, its header, issuing and reopening, the coverage notes;
- lines.py: a line's form (with the edit conflict), deletion and history; TT57's priority issues;
- monitoring_page.py: the monitoring page, the monitoring team, the review schedule, recording a review;
- next_cycle.py: carrying the previous plan's unfinished lines over, its finished results as evidence;
- common.py: the base context, the redirect to the plan page, the overdue lines, the 404 without a plan.

The views are re-exported here, so urls.py names them ``views.<name>``.
"""

from kiemdinh.improvement.views.lines import (
    issue_add,
    issue_delete,
    issue_edit,
    line_add,
    line_delete,
    line_edit,
    line_history,
)
from kiemdinh.improvement.views.monitoring_page import (
    monitor_add,
    monitor_remove,
    monitoring,
    review_delete,
    review_record,
    review_schedule,
)
from kiemdinh.improvement.views.next_cycle import carry_over, result_to_evidence
from kiemdinh.improvement.views.plan_page import (
    coverage_note,
    coverage_note_delete,
    plan,
    plan_create,
    plan_header,
    plan_issue,
    plan_reopen,
)

__all__ = [
    "carry_over",
    "coverage_note",
    "coverage_note_delete",
    "issue_add",
    "issue_delete",
    "issue_edit",
    "line_add",
    "line_delete",
    "line_edit",
    "line_history",
    "monitor_add",
    "monitor_remove",
    "monitoring",
    "plan",
    "plan_create",
    "plan_header",
    "plan_issue",
    "plan_reopen",
    "result_to_evidence",
    "review_delete",
    "review_record",
    "review_schedule",
]
