"""Constants of the council, the plan and the nội hàm worksheet, shared by their selectors, services, forms and views:
the seven steps of self-assessment, the text fields of the plan and of a worksheet row, and the worksheet's Mức 4 page.
Other apps read the steps through `council.selectors`, which re-exports them."""

# The seven steps of self-assessment, Điều 23 of TT17/TT18/TT19 2018 (regulations.md §4.1), in order: step n is
# SEVEN_STEPS[n - 1].
SEVEN_STEPS: tuple[str, ...] = (
    "Thành lập hội đồng tự đánh giá",
    "Lập kế hoạch tự đánh giá",
    "Thu thập, xử lý và phân tích các minh chứng",
    "Đánh giá các mức đạt được theo từng tiêu chí",
    "Viết báo cáo tự đánh giá",
    "Công bố báo cáo tự đánh giá",
    "Triển khai các hoạt động sau khi hoàn thành báo cáo tự đánh giá",
)

PLAN_TEXT_FIELDS = ("purpose", "scope", "tools", "resources", "hired_experts", "evidence_collection")
SCOPE_TEXT_FIELDS = ("meaning", "questions", "evidence_needed", "sources")
# The worksheet page listing the Mức 4 items (Phụ lục 3), as the `tieu-chuan` query parameter gives it.
LEVEL4_PAGE = "muc-4"
