"""The audit trail of actions: who did which action, to what, in which unit or school, and why (docs/decisions/
0004-audit-trail.md). Every service that changes data records one `Event` here, inside its transaction; the before
and after values of the rows themselves are django-simple-history's part.

The values are stored in AuditEvent.event_type: never change one (old rows keep it), add a member for a new action.
"""

from django.db.models import TextChoices

from kiemdinh.core.models import AuditEvent


class Event(TextChoices):
    """Every kind of action the trail records, grouped by the app that records it."""

    # accounts
    USER_CREATED = "user.created", "Tạo tài khoản"
    MEMBERSHIP_GRANTED = "membership.granted", "Giao vai trò"
    MEMBERSHIP_ENDED = "membership.ended", "Thôi giao vai trò"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", "Đổi vai trò"
    USER_INVITED = "user.invited", "Mời đặt mật khẩu"
    USER_PASSWORD_CHANGED = "user.password_changed", "Đổi mật khẩu"
    USER_TWO_FACTOR_ON = "user.two_factor_on", "Bật xác thực hai bước"
    USER_TWO_FACTOR_OFF = "user.two_factor_off", "Tắt xác thực hai bước"

    # units
    UNIT_CREATED = "unit.created", "Thêm đơn vị hành chính"
    SCHOOL_CREATED = "school.created", "Thêm trường"
    SCHOOL_UPDATED = "school.updated", "Sửa thông tin trường"
    UNIT_RENAMED = "unit.renamed", "Đổi tên đơn vị hành chính"
    UNIT_MOVED = "unit.moved", "Chuyển đơn vị sang đơn vị cấp trên khác"
    UNIT_DISSOLVED = "unit.dissolved", "Giải thể, sáp nhập đơn vị hành chính"
    SCHOOL_MOVED = "school.moved", "Chuyển trường sang đơn vị quản lý khác"
    SCHOOL_MERGED = "school.merged", "Sáp nhập trường"
    CAMPUS_SAVED = "campus.saved", "Ghi điểm trường"
    CAMPUS_DELETED = "campus.deleted", "Xóa điểm trường"
    IMPORT_PREPARED = "import.prepared", "Tải lên tệp danh sách đơn vị, trường (chờ xác nhận)"
    IMPORT_COMMITTED = "import.committed", "Nhập danh sách đơn vị, trường"
    IMPORT_DISCARDED = "import.discarded", "Hủy lô nhập danh sách đơn vị, trường"
    IMPORT_PURGED = "import.purged", "Xóa các lô nhập danh sách hết hạn"

    # frameworks
    FRAMEWORK_LOADED = "framework.loaded", "Nạp bộ tiêu chuẩn"

    # selfassessment: the cycle
    CYCLE_OPENED = "cycle.opened", "Mở đợt tự đánh giá"
    CYCLE_SUBMITTED = "cycle.submitted", "Nộp hồ sơ tự đánh giá"
    CYCLE_RETURNED = "cycle.returned", "Trả lại hồ sơ tự đánh giá"
    CYCLE_ACCEPTED = "cycle.accepted", "Chấp nhận hồ sơ tự đánh giá"
    CYCLE_PUBLISHED = "cycle.published", "Công bố kết quả tự đánh giá"
    CYCLE_STATUS_CHANGED = "cycle.status_changed", "Đổi trạng thái đợt tự đánh giá"
    CYCLE_RATINGS_RECORDED = "cycle.ratings_recorded", "Ghi kết quả đánh giá các chỉ báo"
    CRITERION_FORM_SAVED = "criterion_form.saved", "Lưu phiếu đánh giá tiêu chí"
    CRITERION_FORMS_CARRIED_OVER = "criterion_forms.carried_over", "Kế thừa phiếu đánh giá tiêu chí từ năm học trước"
    REPORT_TEXTS_SAVED = "report_texts.saved", "Lưu nội dung báo cáo tự đánh giá"
    SCHOOL_STATISTICS_SAVED = "school_statistics.saved", "Lưu số liệu của trường"
    # selfassessment: the council, its plan (the "plan." events without an annual plan) and the scope worksheet
    COUNCIL_DECISION_SAVED = "council.decision_saved", "Lưu quyết định thành lập hội đồng tự đánh giá"
    COUNCIL_MEMBER_ADDED = "council.member_added", "Thêm thành viên hội đồng"
    COUNCIL_MEMBER_UPDATED = "council.member_updated", "Sửa thành viên hội đồng"
    COUNCIL_MEMBER_REMOVED = "council.member_removed", "Xóa thành viên hội đồng"
    COUNCIL_GROUP_ADDED = "council.group_added", "Thêm nhóm công tác"
    COUNCIL_GROUP_UPDATED = "council.group_updated", "Sửa nhóm công tác"
    COUNCIL_GROUP_REMOVED = "council.group_removed", "Xóa nhóm công tác"
    COUNCIL_ASSIGNMENTS_SAVED = "council.assignments_saved", "Phân công tiêu chí"
    COUNCIL_COPIED = "council.copied", "Sao chép hội đồng từ năm học trước"
    PLAN_ACTIVITY_ADDED = "plan.activity_added", "Thêm hoạt động vào kế hoạch tự đánh giá"
    PLAN_ACTIVITY_UPDATED = "plan.activity_updated", "Sửa hoạt động của kế hoạch tự đánh giá"
    PLAN_ACTIVITY_REMOVED = "plan.activity_removed", "Xóa hoạt động của kế hoạch tự đánh giá"
    PLAN_TIMELINE_PROPOSED = "plan.timeline_proposed", "Lập thời gian biểu mẫu cho kế hoạch tự đánh giá"
    PLAN_COPIED = "plan.copied", "Sao chép kế hoạch tự đánh giá từ năm học trước"
    WORKSHEET_ROW_SAVED = "worksheet.row_saved", "Lưu phiếu xác định nội hàm"
    WORKSHEET_COPIED = "worksheet.copied", "Sao chép phiếu xác định nội hàm từ năm học trước"

    # evidence
    EVIDENCE_CREATED = "evidence.created", "Thêm minh chứng"
    EVIDENCE_RECORDED = "evidence.recorded", "Ghi minh chứng vào danh mục"
    EVIDENCE_UPDATED = "evidence.updated", "Sửa minh chứng"
    EVIDENCE_REMOVED = "evidence.removed", "Bỏ minh chứng khỏi đợt tự đánh giá"
    EVIDENCE_LINKED = "evidence.linked", "Dùng minh chứng đã có cho một tiêu chí"
    EVIDENCE_CITED = "evidence.cited", "Dẫn minh chứng"
    EVIDENCE_UNCITED = "evidence.uncited", "Bỏ dẫn minh chứng"
    EVIDENCE_FILE_ADDED = "evidence.file_added", "Thêm tệp minh chứng"
    EVIDENCE_FILE_REMOVED = "evidence.file_removed", "Xóa tệp minh chứng"
    EVIDENCE_CARRIED_OVER = "evidence.carried_over", "Kế thừa minh chứng từ năm học trước"
    EVIDENCE_IMPORT_PREPARED = "evidence.import_prepared", "Tải lên danh mục minh chứng (chờ xác nhận)"
    EVIDENCE_IMPORT_COMMITTED = "evidence.import_committed", "Nhập danh mục minh chứng"
    EVIDENCE_IMPORT_DISCARDED = "evidence.import_discarded", "Hủy lô nhập danh mục minh chứng"
    EVIDENCE_IMPORT_PURGED = "evidence.import_purged", "Xóa các lô nhập danh mục minh chứng hết hạn"

    # improvement
    IMPROVEMENT_PLAN_CREATED = "improvement.plan_created", "Lập kế hoạch cải tiến chất lượng"
    IMPROVEMENT_PLAN_UPDATED = "improvement.plan_updated", "Sửa kế hoạch cải tiến chất lượng"
    IMPROVEMENT_PLAN_ISSUED = "improvement.plan_issued", "Ban hành kế hoạch cải tiến chất lượng"
    IMPROVEMENT_PLAN_REOPENED = "improvement.plan_reopened", "Mở lại kế hoạch cải tiến chất lượng để sửa"
    IMPROVEMENT_LINE_ADDED = "improvement.line_added", "Thêm dòng kế hoạch cải tiến"
    IMPROVEMENT_LINE_UPDATED = "improvement.line_updated", "Sửa dòng kế hoạch cải tiến (trước khi ban hành)"
    IMPROVEMENT_LINE_ADJUSTED = "improvement.line_adjusted", "Điều chỉnh dòng kế hoạch cải tiến đã ban hành"
    IMPROVEMENT_LINE_DELETED = "improvement.line_deleted", "Xóa dòng kế hoạch cải tiến"
    IMPROVEMENT_LINES_CARRIED_OVER = (
        "improvement.lines_carried_over",
        "Chuyển tiếp các dòng kế hoạch cải tiến sang năm sau",
    )
    IMPROVEMENT_ISSUE_ADDED = "improvement.issue_added", "Thêm vấn đề ưu tiên"
    IMPROVEMENT_ISSUE_UPDATED = "improvement.issue_updated", "Sửa vấn đề ưu tiên"
    IMPROVEMENT_ISSUE_DELETED = "improvement.issue_deleted", "Xóa vấn đề ưu tiên"
    IMPROVEMENT_COVERAGE_NOTED = "improvement.coverage_noted", "Ghi lý do không lập dòng cho một điểm yếu"
    IMPROVEMENT_COVERAGE_NOTE_DELETED = "improvement.coverage_note_deleted", "Bỏ lý do không lập dòng cho một điểm yếu"
    IMPROVEMENT_MONITOR_ADDED = "improvement.monitor_added", "Thêm thành viên tổ giám sát"
    IMPROVEMENT_MONITOR_REMOVED = "improvement.monitor_removed", "Xóa thành viên tổ giám sát"
    IMPROVEMENT_REVIEW_SCHEDULED = "improvement.review_scheduled", "Lên lịch một đợt rà soát"
    IMPROVEMENT_REVIEWS_SCHEDULED = "improvement.reviews_scheduled", "Lên lịch rà soát theo lịch mẫu"
    IMPROVEMENT_REVIEW_RECORDED = "improvement.review_recorded", "Ghi kết quả rà soát"
    IMPROVEMENT_REVIEW_DELETED = "improvement.review_deleted", "Xóa đợt rà soát"

    # evaluation
    REGISTRATION_SUBMITTED = "registration.submitted", "Đăng ký đánh giá ngoài"
    REGISTRATION_ACCEPTED = "registration.accepted", "Chấp nhận đăng ký đánh giá ngoài"
    REGISTRATION_RETURNED = "registration.returned", "Trả lại đăng ký đánh giá ngoài"
    REGISTRATION_WITHDRAWN = "registration.withdrawn", "Rút đăng ký đánh giá ngoài"
    EVALUATOR_CREATED = "evaluator.created", "Thêm đánh giá viên vào mạng lưới"
    EVALUATOR_UPDATED = "evaluator.updated", "Sửa thông tin đánh giá viên"
    TEAM_ESTABLISHED = "team.established", "Thành lập đoàn đánh giá ngoài"
    TEAM_UPDATED = "team.updated", "Sửa quyết định thành lập đoàn"
    TEAM_MEMBER_ADDED = "team.member_added", "Thêm thành viên đoàn"
    TEAM_MEMBER_REMOVED = "team.member_removed", "Xóa thành viên đoàn"
    TEAM_CRITERIA_ASSIGNED = "team.criteria_assigned", "Phân công tiêu chí cho thành viên đoàn"
    TEAM_REVIEW_SAVED = "team.review_saved", "Lưu phiếu đánh giá của thành viên đoàn"
    TEAM_RATING_SAVED = "team.rating_saved", "Lưu mức đoàn thống nhất"
    TEAM_RATINGS_FROM_PROPOSALS = "team.ratings_from_proposals", "Lấy mức đề xuất của thành viên làm mức thống nhất"
    TEAM_REPORT_SAVED = "team.report_saved", "Lưu báo cáo đánh giá ngoài"
    TEAM_REPORT_SENT = "team.report_sent", "Gửi dự thảo báo cáo đánh giá ngoài cho trường"
    TEAM_FEEDBACK_ADDED = "team.feedback_added", "Trường góp ý dự thảo báo cáo"
    TEAM_FEEDBACK_REPLIED = "team.feedback_replied", "Đoàn trả lời ý kiến của trường"
    TEAM_REPORT_FINALISED = "team.report_finalised", "Hoàn thành báo cáo đánh giá ngoài chính thức"
    # evaluation: issuing decisions from a team's result, and publishing the result
    DECISIONS_ISSUED = "decisions.issued", "Ban hành quyết định công nhận từ kết quả đánh giá ngoài"
    PUBLICATION_PUBLISHED = "publication.published", "Công khai kết quả đánh giá ngoài"
    PUBLICATION_WITHDRAWN = "publication.withdrawn", "Gỡ công khai kết quả đánh giá ngoài"

    # recognition
    DECISION_RECORDED = "decision.recorded", "Ghi quyết định công nhận"
    DECISION_CORRECTED = "decision.corrected", "Đính chính quyết định công nhận"
    DECISION_REVOKED = "decision.revoked", "Thu hồi quyết định công nhận"
    DELEGATION_GRANTED = "delegation.granted", "Ủy quyền ra quyết định"
    DELEGATION_ENDED = "delegation.ended", "Chấm dứt ủy quyền"

    # planning: the authority's annual plan ("plan.updated" is also the self-assessment plan's: object_type tells)
    PLAN_CREATED = "plan.created", "Lập kế hoạch"
    PLAN_UPDATED = "plan.updated", "Sửa kế hoạch"
    PLAN_ISSUED = "plan.issued", "Ban hành kế hoạch"
    PLAN_REOPENED = "plan.reopened", "Mở lại kế hoạch để sửa"
    PLAN_SECTION_SAVED = "plan.section_saved", "Lưu một mục của kế hoạch"
    PLAN_SECTION_MOVED = "plan.section_moved", "Đổi thứ tự một mục của kế hoạch"
    PLAN_SECTION_DELETED = "plan.section_deleted", "Xóa một mục của kế hoạch"
    PLAN_TARGET_ADDED = "plan.target_added", "Thêm trường vào danh sách của kế hoạch"
    PLAN_TARGET_UPDATED = "plan.target_updated", "Sửa mục tiêu của một trường trong danh sách"
    PLAN_TARGET_MOVED = "plan.target_moved", "Đổi thứ tự một trường trong danh sách"
    PLAN_TARGET_REMOVED = "plan.target_removed", "Bỏ trường khỏi danh sách của kế hoạch"
    PLAN_SUGGESTIONS_ACCEPTED = "plan.suggestions_accepted", "Đưa các trường được gợi ý vào danh sách"
    PLAN_SUGGESTION_DISMISSED = "plan.suggestion_dismissed", "Bỏ qua một trường được gợi ý"
    PLAN_SUGGESTION_RESTORED = "plan.suggestion_restored", "Gợi ý lại một trường đã bỏ qua"
    PLAN_GOAL_SAVED = "plan.goal_saved", "Lưu chỉ tiêu"
    PLAN_GOAL_DELETED = "plan.goal_deleted", "Xóa chỉ tiêu"
    PLAN_TASK_SAVED = "plan.task_saved", "Lưu nhiệm vụ"
    PLAN_TASK_DELETED = "plan.task_deleted", "Xóa nhiệm vụ"
    PLAN_TASK_REPORTED = "plan.task_reported", "Cập nhật tiến độ nhiệm vụ"
    PLAN_REPORT_SAVED = "plan.report_saved", "Lưu báo cáo thực hiện kế hoạch"
    PLAN_REPORT_DELETED = "plan.report_deleted", "Xóa báo cáo thực hiện kế hoạch"

    # oversight
    OVERSIGHT_VISIT_CREATED = "oversight.visit_created", "Ghi đợt tư vấn, kiểm tra"
    OVERSIGHT_VISIT_UPDATED = "oversight.visit_updated", "Sửa đợt tư vấn, kiểm tra"
    OVERSIGHT_VISIT_DELETED = "oversight.visit_deleted", "Xóa đợt tư vấn, kiểm tra"
    OVERSIGHT_ACTION_ADDED = "oversight.action_added", "Thêm việc cần làm sau đợt tư vấn, kiểm tra"
    OVERSIGHT_ACTION_COMPLETED = "oversight.action_completed", "Đánh dấu việc cần làm đã xong"
    OVERSIGHT_ACTION_DELETED = "oversight.action_deleted", "Xóa việc cần làm"
    OVERSIGHT_OFFICER_ADDED = "oversight.officer_added", "Thêm cán bộ phụ trách cấp học"
    OVERSIGHT_OFFICER_UPDATED = "oversight.officer_updated", "Sửa cán bộ phụ trách cấp học"
    OVERSIGHT_OFFICER_DELETED = "oversight.officer_deleted", "Xóa cán bộ phụ trách cấp học"
    OVERSIGHT_TRAINING_CREATED = "oversight.training_created", "Ghi đợt tập huấn"
    OVERSIGHT_TRAINING_UPDATED = "oversight.training_updated", "Sửa đợt tập huấn"
    OVERSIGHT_TRAINING_DELETED = "oversight.training_deleted", "Xóa đợt tập huấn"
    OVERSIGHT_PARTICIPANTS_ADDED = "oversight.participants_added", "Thêm người dự tập huấn"
    OVERSIGHT_PARTICIPANT_ATTENDANCE = "oversight.participant_attendance", "Ghi việc tham dự tập huấn"
    OVERSIGHT_PARTICIPANT_DELETED = "oversight.participant_deleted", "Xóa người dự tập huấn"

    # emulation
    EMULATION_SCHEME_CREATED = "emulation.scheme_created", "Lập bảng điểm thi đua"
    EMULATION_SCHEME_UPDATED = "emulation.scheme_updated", "Sửa bảng điểm thi đua"
    EMULATION_SCHEME_CLOSED = "emulation.scheme_closed", "Chốt bảng điểm thi đua"
    EMULATION_SCHEME_REOPENED = "emulation.scheme_reopened", "Mở lại bảng điểm thi đua"
    EMULATION_RULE_ADDED = "emulation.rule_added", "Thêm nội dung chấm điểm"
    EMULATION_RULE_UPDATED = "emulation.rule_updated", "Sửa nội dung chấm điểm"
    EMULATION_RULE_DELETED = "emulation.rule_deleted", "Xóa nội dung chấm điểm"
    EMULATION_SCORE_ADJUSTED = "emulation.score_adjusted", "Điều chỉnh điểm thi đua"

    # documents
    EXPORT_REQUESTED = "export.requested", "Yêu cầu xuất báo cáo hàng loạt"


def record(*, actor, event_type: Event, obj=None, unit=None, school=None, data: dict | None = None) -> AuditEvent:
    """Record one audit event; called inside the service's transaction. Only an Event is accepted: a string, even a
    known value, is refused, so every event the code records is a member found by name."""
    if not isinstance(event_type, Event):
        raise TypeError(f"audit.record takes an audit.Event, not {event_type!r}")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        event_type=event_type,
        unit=unit,
        school=school,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
