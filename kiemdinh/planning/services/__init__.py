"""Writes of an authority's plans. Keyword-only, one transaction, one audit event each.

- plans.py: the plan itself (header, text, issue, reopen) and the sections of its body;
- targets.py: the schools it lists and the suggestions set aside;
- goals.py: its targets (chỉ tiêu);
- tasks.py: the agencies' tasks and their progress reports;
- reports.py: the plan's reports;
- common.py: the audit record, list positions and the plan's row lock they share.

The public names are re-exported here: ``kiemdinh.planning.services`` is the app's write API, imported whole
(``from kiemdinh.planning import services as svc``) by the planning views and forms, the demo, the benchmark and the
tests of several apps. The helpers of common.py are not.
"""

from kiemdinh.planning.services.goals import LEVEL_METRICS, SELF_ASSESSMENT_METRICS, GoalInput, goal_delete, goal_save
from kiemdinh.planning.services.plans import (
    PLAN_TEXT_FIELDS,
    PlanInput,
    issue_problems,
    plan_create,
    plan_issue,
    plan_reopen,
    plan_update,
    section_delete,
    section_move,
    section_save,
)
from kiemdinh.planning.services.reports import ReportInput, report_delete, report_save
from kiemdinh.planning.services.targets import (
    TargetInput,
    suggestion_dismiss,
    suggestion_restore,
    target_add,
    target_move,
    target_remove,
    target_update,
    targets_accept,
)
from kiemdinh.planning.services.tasks import TaskInput, task_delete, task_report, task_save

__all__ = [
    "LEVEL_METRICS",
    "PLAN_TEXT_FIELDS",
    "SELF_ASSESSMENT_METRICS",
    "GoalInput",
    "PlanInput",
    "ReportInput",
    "TargetInput",
    "TaskInput",
    "goal_delete",
    "goal_save",
    "issue_problems",
    "plan_create",
    "plan_issue",
    "plan_reopen",
    "plan_update",
    "report_delete",
    "report_save",
    "section_delete",
    "section_move",
    "section_save",
    "suggestion_dismiss",
    "suggestion_restore",
    "target_add",
    "target_move",
    "target_remove",
    "target_update",
    "targets_accept",
    "task_delete",
    "task_report",
    "task_save",
]
