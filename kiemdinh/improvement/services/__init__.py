"""Writes of the improvement plan and its monitoring. Keyword-only, one transaction, one audit event each.

The plan is the school's work after the report (step 7): it stays editable after the cycle is submitted or accepted.
Once the plan is issued (ban hành), a change of a line is an adjustment (điều chỉnh) and needs a reason, which the
line's history keeps.

- plan.py: the plan itself (starting texts, header, issue, reopen) and the reasons a weakness gets no line;
- lines.py: the plan's lines and TT57's priority issues, their adjustments and the edit conflict (LineConflict);
- monitoring.py: the monitoring team, the schedule of reviews and the recording of a review;
- next_cycle.py: carrying unfinished lines over to the next year's plan, a finished line's result as evidence;
- common.py: the field lists and limits, the audit record, the plan's row lock and the cleaning they share.

The public names are re-exported here: ``kiemdinh.improvement.services`` is the app's write API, imported whole
(``from kiemdinh.improvement import services as svc``) by the improvement views, the documents, the demo and the tests
of several apps. The helpers of common.py that were private before the split are not.
"""

from kiemdinh.improvement.services.common import (
    LABELS,
    LINE_FIELDS,
    LINE_TEXT_FIELDS,
    MAX_LENGTHS,
    PLAN_TEXT_FIELDS,
    clean_cost,
    clean_tasks,
    cost_label,
    is_tt57,
    month_end,
    month_start,
    time_label,
)
from kiemdinh.improvement.services.lines import (
    LineConflict,
    issue_create,
    issue_delete,
    issue_update,
    line_create,
    line_delete,
    line_update,
)
from kiemdinh.improvement.services.monitoring import (
    EntryInput,
    monitor_add,
    monitor_remove,
    preset_dates,
    review_delete,
    review_record,
    review_schedule,
    review_schedule_preset,
)
from kiemdinh.improvement.services.next_cycle import CarryReport, line_result_to_evidence, lines_carry_over
from kiemdinh.improvement.services.plan import (
    UNCHANGED,
    coverage_note_delete,
    coverage_note_save,
    default_texts,
    issue_problems,
    plan_create,
    plan_issue,
    plan_reopen,
    plan_update,
)

__all__ = [
    "LABELS",
    "LINE_FIELDS",
    "LINE_TEXT_FIELDS",
    "MAX_LENGTHS",
    "PLAN_TEXT_FIELDS",
    "UNCHANGED",
    "CarryReport",
    "EntryInput",
    "LineConflict",
    "clean_cost",
    "clean_tasks",
    "cost_label",
    "coverage_note_delete",
    "coverage_note_save",
    "default_texts",
    "is_tt57",
    "issue_create",
    "issue_delete",
    "issue_problems",
    "issue_update",
    "line_create",
    "line_delete",
    "line_result_to_evidence",
    "line_update",
    "lines_carry_over",
    "monitor_add",
    "monitor_remove",
    "month_end",
    "month_start",
    "plan_create",
    "plan_issue",
    "plan_reopen",
    "plan_update",
    "preset_dates",
    "review_delete",
    "review_record",
    "review_schedule",
    "review_schedule_preset",
    "time_label",
]
