"""Reads of plans: suggested schools, live progress of targets, each school's place in the pipeline.

Every function here runs a fixed number of queries whatever the number of schools (asserted in the tests).

- suggested_schools.py: the schools worth listing in a plan (``suggestions``);
- goals.py: the targets (chỉ tiêu) and their live progress;
- stages.py: where each school stands in this year's work (``Stage``, ``pipeline``);
- plans.py: the plans that concern a unit, the plans still live;
- reports.py: periodic reports (period, starting text, next due date);
- text.py: the plan's printed text (section numerals, signer lines, short name);
- common.py: dates and decisions as the texts write them.

The public names are re-exported here: ``kiemdinh.planning.selectors`` is the app's read API, imported whole
(``from kiemdinh.planning import selectors as sel``) by the planning views and by other apps. Not re-exported:
``decision_text`` and ``plus_months`` of common.py, private helpers before the split.
"""

from kiemdinh.planning.selectors.common import fmt_date
from kiemdinh.planning.selectors.goals import GoalProgress, goal_schools, goals_progress
from kiemdinh.planning.selectors.plans import ENDED_PLAN_DAYS, live_plans, plans_for_unit
from kiemdinh.planning.selectors.reports import next_report_due, period_label, report_draft, report_period
from kiemdinh.planning.selectors.stages import (
    OPEN_REGISTRATION,
    SchoolPosition,
    Stage,
    live_registrations,
    pipeline,
    plan_targets_with_positions,
)
from kiemdinh.planning.selectors.suggested_schools import Suggestion, accepted_results, national_level_for, suggestions
from kiemdinh.planning.selectors.text import ROMAN_NUMERALS, numbered_sections, plan_short_name, signer_lines

__all__ = [
    "ENDED_PLAN_DAYS",
    "OPEN_REGISTRATION",
    "ROMAN_NUMERALS",
    "GoalProgress",
    "SchoolPosition",
    "Stage",
    "Suggestion",
    "accepted_results",
    "fmt_date",
    "goal_schools",
    "goals_progress",
    "live_plans",
    "live_registrations",
    "national_level_for",
    "next_report_due",
    "numbered_sections",
    "period_label",
    "pipeline",
    "plan_short_name",
    "plan_targets_with_positions",
    "plans_for_unit",
    "report_draft",
    "report_period",
    "signer_lines",
    "suggestions",
]
