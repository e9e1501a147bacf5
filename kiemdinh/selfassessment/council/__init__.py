"""The self-assessment council (hội đồng tự đánh giá), its plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục 2/3).

Other code imports the reads from `council.selectors` and the writes from `council.services`; the screens are
`council.views` (routed by `council.urls`, included by the app's urls), their forms `council.forms`, and what these
share `council.constants`. This package itself exports nothing else.
"""

# temporary: readiness and cycle_open move to workflow. Until then they import these names from the package itself.
from kiemdinh.selfassessment.council.selectors import SEVEN_STEPS, council_problems, plan_step_schedule
from kiemdinh.selfassessment.council.services import council_copy, plan_copy, worksheet_copy

__all__ = ["SEVEN_STEPS", "council_copy", "council_problems", "plan_copy", "plan_step_schedule", "worksheet_copy"]
