"""Writes of the council (hội đồng tự đánh giá), the self-assessment plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục
2/3). Each service is `<entity>_<verb>`, keyword-only, atomic, with one audit event; the reads are in
`council.selectors`. The parts: the council itself (`council`), the plan (`plan`), a worksheet row (`worksheet`) and
carrying one cycle's work over to a later cycle (`carry_over`); this module re-exports every service so that callers
import them from `council.services`.
"""

from kiemdinh.selfassessment.council.services.carry_over import CopyReport, council_copy, plan_copy, worksheet_copy
from kiemdinh.selfassessment.council.services.council import (
    council_decision_save,
    council_member_account_create,
    council_member_create,
    council_member_delete,
    council_member_update,
    criterion_assignments_save,
    working_group_create,
    working_group_delete,
    working_group_update,
)
from kiemdinh.selfassessment.council.services.plan import (
    plan_activities_propose,
    plan_activity_create,
    plan_activity_delete,
    plan_activity_update,
    plan_update,
)
from kiemdinh.selfassessment.council.services.worksheet import scope_analysis_save

__all__ = [
    "CopyReport",
    "council_copy",
    "council_decision_save",
    "council_member_account_create",
    "council_member_create",
    "council_member_delete",
    "council_member_update",
    "criterion_assignments_save",
    "plan_activities_propose",
    "plan_activity_create",
    "plan_activity_delete",
    "plan_activity_update",
    "plan_copy",
    "plan_update",
    "scope_analysis_save",
    "working_group_create",
    "working_group_delete",
    "working_group_update",
    "worksheet_copy",
]
