"""Screens of an authority's plan: the text, the list of schools (with suggestions), the targets and their live
progress, the agencies' tasks and the reports.

Each view: access → form → service → response. Every POST redirects (post/redirect/get) with a message; a refused
change re-renders the form with the service's Vietnamese errors and changes nothing.

A module per tab of the plan (the services' split, named in the singular so that no module hides a view of the
same name, such as ``targets``):
- plan.py: the plans of a unit and of the user, a plan's page, header, issue and reopen, the sections of its text;
- target.py: the schools it lists and the suggestions;
- goal.py: its targets (chỉ tiêu);
- task.py: the agencies' tasks and their progress;
- report.py: the plan's reports;
- common.py: the page context, the redirect back to a tab and the unit's schools the screens share.

The views are re-exported here for urls.py (``views.<name>``). The unit dashboard is dashboard_views.py.
"""

from kiemdinh.planning.views.goal import goal_delete, goal_form, goals
from kiemdinh.planning.views.plan import (
    plan_create,
    plan_detail,
    plan_edit,
    plan_index,
    plan_issue,
    plan_list,
    plan_reopen,
    section_delete,
    section_form,
    section_move,
)
from kiemdinh.planning.views.report import report_delete, report_form, reports
from kiemdinh.planning.views.target import (
    suggestion_dismiss,
    suggestion_restore,
    suggestions_accept,
    target_edit,
    target_move,
    target_remove,
    targets,
)
from kiemdinh.planning.views.task import task_delete, task_detail, task_form, task_update_file, tasks

__all__ = [
    "goal_delete",
    "goal_form",
    "goals",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_index",
    "plan_issue",
    "plan_list",
    "plan_reopen",
    "report_delete",
    "report_form",
    "reports",
    "section_delete",
    "section_form",
    "section_move",
    "suggestion_dismiss",
    "suggestion_restore",
    "suggestions_accept",
    "target_edit",
    "target_move",
    "target_remove",
    "targets",
    "task_delete",
    "task_detail",
    "task_form",
    "task_update_file",
    "tasks",
]
