"""Writes of the team's work: members' reviews, the agreed ratings, the report and its round with the school.

Keyword-only, one transaction, one audit event each. Every refusal is a ValidationError in Vietnamese and changes
nothing. The team writes only between its first and last working day (`Team.is_open`); nothing changes once the
report is final.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.evaluation.access import AGREEING_ROLES, can_answer_for_school
from kiemdinh.evaluation.models import (
    EvaluationReport,
    MemberReview,
    ReportStatus,
    SchoolFeedback,
    Team,
    TeamMember,
    TeamRating,
    TeamStatus,
)
from kiemdinh.frameworks.models import Criterion, Level4Item

REPORT_PARTS = ("introduction", "overview", "conclusions", "recommendations")
REVIEW_TEXTS = ("description_comments", "strengths", "weaknesses", "evidence_problems", "recommendations")


def _record(actor, event_type: Event, obj, team: Team, **data) -> None:
    school = team.registration.school
    audit.record(actor=actor, event_type=event_type, obj=obj, school=school, unit=school.unit, data=data)


def _lock_team(team: Team) -> Team:
    return (
        Team.objects.select_for_update(of=("self",))
        .select_related("registration__school__unit", "registration__cycle__framework")
        .get(pk=team.pk)
    )


def _report_status(team: Team) -> str:
    return EvaluationReport.objects.filter(team=team).values_list("status", flat=True).first() or ReportStatus.DRAFT


def _check_open(team: Team, today: date | None) -> None:
    today = today or timezone.localdate()
    if not team.is_open(today):
        raise ValidationError(
            f"Đoàn chỉ làm việc từ ngày {team.dossier_from:%d/%m/%Y} đến ngày {team.ends_on:%d/%m/%Y}; "
            "ngoài thời gian này không sửa được."
        )
    if _report_status(team) == ReportStatus.FINAL:
        raise ValidationError("Báo cáo đánh giá ngoài đã hoàn thành; không sửa được nữa.")


def _agreeing_member(actor, team: Team) -> TeamMember:
    member = TeamMember.objects.filter(team=team, evaluator__user=actor, role__in=AGREEING_ROLES).first()
    if actor is None or member is None:
        raise ValidationError("Chỉ trưởng đoàn hoặc thư ký đoàn được thực hiện việc này.")
    return member


def _start_work(team: Team) -> None:
    if team.status == TeamStatus.ESTABLISHED:
        team.status = TeamStatus.WORKING
        team.save(update_fields=["status"])


# --- Members' reviews ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    description_comments: str = ""
    strengths: str = ""
    weaknesses: str = ""
    evidence_problems: str = ""
    recommendations: str = ""
    proposed_level: int | None = None  # criteria: 0 (chưa đạt Mức 1) .. the criterion's highest level
    level4_achieved: bool | None = None  # Mức 4 items


@transaction.atomic
def review_save(
    *,
    actor,
    team: Team,
    member: TeamMember,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    data: ReviewInput,
    today: date | None = None,
) -> MemberReview:
    """A member writes (or rewrites) their review of one criterion or Mức 4 item assigned to them."""
    team = _lock_team(team)
    if (criterion is None) == (level4_item is None):
        raise ValidationError("Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4.")
    if member.team_id != team.pk:
        raise ValidationError("Thành viên không thuộc đoàn này.")
    if actor is None or member.evaluator.user_id != getattr(actor, "pk", None):
        raise ValidationError("Chỉ thành viên được phân công mới viết được phiếu đánh giá của mình.")
    _check_open(team, today)
    errors = {}
    if criterion is not None:
        if not member.criteria.filter(pk=criterion.pk).exists():
            raise ValidationError(f"Tiêu chí {criterion.code} không được phân công cho {member.evaluator.full_name}.")
        level = data.proposed_level
        if level is not None and not (0 <= level <= criterion.max_level):
            errors["proposed_level"] = f"Mức đề xuất của tiêu chí {criterion.code} phải từ 0 đến {criterion.max_level}."
        lookup = {"criterion": criterion}
        label = f"tiêu chí {criterion.code}"
    else:
        if not member.level4_items.filter(pk=level4_item.pk).exists():
            raise ValidationError(
                f"Tiêu chí Mức 4 số {level4_item.code} không được phân công cho {member.evaluator.full_name}."
            )
        lookup = {"level4_item": level4_item}
        label = f"tiêu chí Mức 4 số {level4_item.code}"
    if errors:
        raise ValidationError(errors)
    review = MemberReview.objects.filter(member=member, **lookup).first() or MemberReview(
        team=team, member=member, **lookup
    )
    for name in REVIEW_TEXTS:
        setattr(review, name, clean(getattr(data, name)))
    if criterion is not None:
        review.proposed_level = data.proposed_level
    else:
        review.level4_achieved = data.level4_achieved
    review.save()
    _start_work(team)
    _record(
        actor,
        Event.TEAM_REVIEW_SAVED,
        review,
        team,
        subject=label,
        level=data.proposed_level if criterion is not None else data.level4_achieved,
    )
    return review


# --- Agreed ratings --------------------------------------------------------------------------------------------------


def _rating_values(team: Team, criterion, level4_item, level, achieved) -> dict:
    framework_id = team.registration.cycle.framework_id
    if (criterion is None) == (level4_item is None):
        raise ValidationError("Hãy chọn một tiêu chí hoặc một tiêu chí Mức 4.")
    subject = criterion or level4_item
    if subject.version_id != framework_id:
        raise ValidationError("Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá.")
    if criterion is not None:
        if level is None:
            raise ValidationError({"level": f"Hãy chọn mức đoàn thống nhất cho tiêu chí {criterion.code}."})
        if not (0 <= int(level) <= criterion.max_level):
            raise ValidationError(
                {"level": f"Mức của tiêu chí {criterion.code} phải từ 0 (chưa đạt Mức 1) đến {criterion.max_level}."}
            )
        return {"criterion": criterion, "level": int(level)}
    if achieved is None:
        raise ValidationError({"achieved": f"Hãy ghi tiêu chí Mức 4 số {level4_item.code} đạt hay không đạt."})
    return {"level4_item": level4_item, "achieved": bool(achieved)}


def _store_rating(team: Team, values: dict, note: str | None) -> TeamRating:
    lookup = {k: values[k] for k in ("criterion", "level4_item") if k in values}
    rating = TeamRating.objects.filter(team=team, **lookup).first() or TeamRating(team=team, **lookup)
    rating.level = values.get("level")
    rating.achieved = values.get("achieved")
    if note is not None:
        rating.note = clean(note)
    rating.save()
    return rating


@transaction.atomic
def rating_save(
    *,
    actor,
    team: Team,
    criterion: Criterion | None = None,
    level4_item: Level4Item | None = None,
    level: int | None = None,
    achieved: bool | None = None,
    note: str = "",
    today: date | None = None,
) -> TeamRating:
    """The leader or secretary records the level the team agreed for a criterion (or whether a Mức 4 item is met)."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    values = _rating_values(team, criterion, level4_item, level, achieved)
    rating = _store_rating(team, values, note)
    _start_work(team)
    code = criterion.code if criterion is not None else f"muc4/{level4_item.code}"
    _record(actor, Event.TEAM_RATING_SAVED, rating, team, subject=code, level=level, achieved=achieved)
    return rating


def unanimous_proposals(team: Team) -> tuple[dict[int, int], dict[int, bool]]:
    """Criterion id → level and Mức 4 item id → achieved where every member who proposed something proposed the same
    (1 query)."""
    criteria: dict[int, set] = {}
    items: dict[int, set] = {}
    for criterion_id, item_id, level, achieved in MemberReview.objects.filter(team=team).values_list(
        "criterion_id", "level4_item_id", "proposed_level", "level4_achieved"
    ):
        if criterion_id and level is not None:
            criteria.setdefault(criterion_id, set()).add(level)
        elif item_id and achieved is not None:
            items.setdefault(item_id, set()).add(achieved)
    return (
        {k: next(iter(v)) for k, v in criteria.items() if len(v) == 1},
        {k: next(iter(v)) for k, v in items.items() if len(v) == 1},
    )


@transaction.atomic
def ratings_from_proposals(
    *, actor, team: Team, criterion_ids=(), level4_item_ids=(), today: date | None = None
) -> int:
    """Copy the members' proposals (only where they all agree) into the agreed ratings of the chosen criteria and
    items, keeping each rating's note; the number copied."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    levels, achieved = unanimous_proposals(team)
    chosen = {int(i) for i in criterion_ids}
    chosen_items = {int(i) for i in level4_item_ids}
    not_unanimous = (chosen - set(levels)) | (chosen_items - set(achieved))
    if not_unanimous:
        raise ValidationError("Chỉ lấy được mức đề xuất của các tiêu chí mà mọi thành viên đề xuất giống nhau.")
    if not (chosen or chosen_items):
        raise ValidationError("Hãy chọn ít nhất một tiêu chí để lấy mức đề xuất.")
    framework_id = team.registration.cycle.framework_id
    criteria = Criterion.objects.filter(version_id=framework_id, pk__in=chosen)
    items = Level4Item.objects.filter(version_id=framework_id, pk__in=chosen_items)
    copied = []
    for criterion in criteria:
        _store_rating(team, _rating_values(team, criterion, None, levels[criterion.pk], None), None)
        copied.append(criterion.code)
    for item in items:
        _store_rating(team, _rating_values(team, None, item, None, achieved[item.pk]), None)
        copied.append(f"muc4/{item.code}")
    _start_work(team)
    _record(actor, Event.TEAM_RATINGS_FROM_PROPOSALS, team, team, subjects=sorted(copied))
    return len(copied)


def unrated_codes(team: Team) -> list[str]:
    """Codes of the framework's criteria without an agreed level (1 query)."""
    rated = TeamRating.objects.filter(team=team, criterion__isnull=False, level__isnull=False).values("criterion_id")
    return list(
        Criterion.objects.filter(version_id=team.registration.cycle.framework_id)
        .exclude(pk__in=rated)
        .order_by("position")
        .values_list("code", flat=True)
    )


# --- The report ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    introduction: str = ""
    overview: str = ""
    conclusions: str = ""
    recommendations: str = ""


@transaction.atomic
def report_save(*, actor, team: Team, data: ReportInput, today: date | None = None) -> EvaluationReport:
    """The leader or secretary writes the narrative parts (while the report is a draft or is with the school)."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    report = EvaluationReport.objects.select_for_update().filter(team=team).first() or EvaluationReport(team=team)
    for name in REPORT_PARTS:
        setattr(report, name, clean(getattr(data, name)))
    created = report.pk is None
    report.save()
    _start_work(team)
    _record(actor, Event.TEAM_REPORT_SAVED, report, team, created=created)
    return report


def _locked_report(team: Team) -> EvaluationReport:
    report = EvaluationReport.objects.select_for_update().filter(team=team).first()
    if report is None:
        raise ValidationError("Báo cáo chưa được soạn; hãy viết và lưu các phần của báo cáo trước.")
    return report


@transaction.atomic
def report_send(*, actor, team: Team, today: date | None = None) -> EvaluationReport:
    """Send the draft to the school for its answers: every criterion must have an agreed level."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    report = _locked_report(team)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError("Dự thảo báo cáo đã được gửi trường.")
    missing = unrated_codes(team)
    if missing:
        raise ValidationError(
            f"Còn {len(missing)} tiêu chí chưa có mức đoàn thống nhất ({', '.join(missing)}); "
            "hãy thống nhất mức của mọi tiêu chí trước khi gửi dự thảo."
        )
    if not report.conclusions:
        raise ValidationError("Hãy viết phần kết luận của báo cáo trước khi gửi dự thảo cho trường.")
    report.status = ReportStatus.SENT
    report.sent_at = timezone.now()
    report.save(update_fields=["status", "sent_at"])
    team.status = TeamStatus.DRAFT_REPORT
    team.save(update_fields=["status"])
    _record(actor, Event.TEAM_REPORT_SENT, report, team)
    return report


@transaction.atomic
def feedback_add(*, actor, team: Team, text: str, criterion: Criterion | None = None) -> SchoolFeedback:
    """The school's answer to the draft, on one criterion or in general; kept as written (no edit)."""
    team = _lock_team(team)
    if not can_answer_for_school(actor, team):
        raise ValidationError("Chỉ hiệu trưởng hoặc thư ký hội đồng tự đánh giá của trường được gửi ý kiến.")
    report = _locked_report(team)
    if report.status != ReportStatus.SENT:
        raise ValidationError(
            "Trường chỉ gửi ý kiến khi đoàn đã gửi dự thảo báo cáo và chưa hoàn thành báo cáo chính thức."
        )
    text = clean(text)
    if not text:
        raise ValidationError({"text": "Hãy ghi ý kiến của trường."})
    if criterion is not None and criterion.version_id != team.registration.cycle.framework_id:
        raise ValidationError({"criterion": "Tiêu chí không thuộc bộ tiêu chuẩn của đợt tự đánh giá."})
    feedback = SchoolFeedback.objects.create(report=report, criterion=criterion, text=text, submitted_by=actor)
    _record(actor, Event.TEAM_FEEDBACK_ADDED, feedback, team, criterion=criterion.code if criterion else None)
    return feedback


@transaction.atomic
def feedback_reply(
    *, actor, team: Team, feedback: SchoolFeedback, reply: str, today: date | None = None
) -> SchoolFeedback:
    """The team answers one of the school's answers (the answer itself stays as the school wrote it)."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    report = _locked_report(team)
    if feedback.report_id != report.pk:
        raise ValidationError("Ý kiến này không thuộc báo cáo của đoàn.")
    if report.status != ReportStatus.SENT:
        raise ValidationError("Chỉ trả lời ý kiến của trường khi dự thảo đang chờ ý kiến.")
    reply = clean(reply)
    if not reply:
        raise ValidationError({"reply": "Hãy ghi ý kiến trả lời của đoàn."})
    feedback = SchoolFeedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.reply = reply
    feedback.replied_at = timezone.now()
    feedback.save(update_fields=["reply", "replied_at"])
    _record(actor, Event.TEAM_FEEDBACK_REPLIED, feedback, team)
    return feedback


@transaction.atomic
def report_finalise(*, actor, team: Team, today: date | None = None) -> EvaluationReport:
    """The official report: after the school's round, every answer replied; the team's work is done."""
    team = _lock_team(team)
    _agreeing_member(actor, team)
    _check_open(team, today)
    report = _locked_report(team)
    if report.status != ReportStatus.SENT:
        raise ValidationError("Chỉ hoàn thành báo cáo sau khi đã gửi dự thảo cho trường góp ý.")
    unanswered = report.feedback.filter(reply="").count()
    if unanswered:
        raise ValidationError(f"Còn {unanswered} ý kiến của trường chưa được đoàn trả lời.")
    missing = unrated_codes(team)
    if missing:
        raise ValidationError(f"Còn {len(missing)} tiêu chí chưa có mức đoàn thống nhất ({', '.join(missing)}).")
    report.status = ReportStatus.FINAL
    report.finalised_at = timezone.now()
    report.save(update_fields=["status", "finalised_at"])
    team.status = TeamStatus.DONE
    team.save(update_fields=["status"])
    _record(actor, Event.TEAM_REPORT_FINALISED, report, team)
    return report
