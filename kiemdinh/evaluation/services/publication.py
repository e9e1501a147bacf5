"""Publishing an external evaluation's result summary on the public pages (and withdrawing it). Keyword-only, one
transaction, one audit event each. The self-assessment is published by workflow.services.cycle_publish and the
decisions by their `published` flag."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean
from kiemdinh.evaluation.models import EvaluationReport, Publication, ReportStatus, Team
from kiemdinh.recognition import authority
from kiemdinh.recognition.authority import Action


def _require_publisher(actor, team: Team) -> None:
    """The body that publishes the team's result: the rule table's (the Sở GD&ĐT, which organises the evaluation)."""
    registration = team.registration
    authority.require(
        actor, action=Action.RESULT_PUBLISH, school=registration.school, regime=registration.cycle.framework.regime
    )


@transaction.atomic
def publication_publish(*, actor, team: Team, summary: str) -> Publication:
    """Publish (or publish again, with a new text) the summary of the team's result; only from the final report."""
    team = (
        Team.objects.select_for_update(of=("self",))
        .select_related("registration__school__unit", "registration__cycle__framework")
        .get(pk=team.pk)
    )
    _require_publisher(actor, team)
    school = team.registration.school
    summary = clean(summary or "")
    errors = {}
    if not summary:
        errors["summary"] = "Hãy ghi nội dung tóm tắt được công khai."
    if not EvaluationReport.objects.filter(team=team, status=ReportStatus.FINAL).exists():
        errors["__all__"] = "Chỉ công khai kết quả khi báo cáo đánh giá ngoài đã là bản chính thức."
    if errors:
        raise ValidationError(errors)
    publication = Publication.objects.filter(team=team).first()
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    if publication is None:
        publication = Publication.objects.create(school=school, team=team, summary=summary, published_by=by)
    else:
        publication.summary = summary
        publication.published_at = now
        publication.published_by = by
        publication.withdrawn_at = None
        publication.save(update_fields=["summary", "published_at", "published_by", "withdrawn_at"])
    audit.record(
        actor=actor,
        event_type=Event.PUBLICATION_PUBLISHED,
        obj=publication,
        school=school,
        unit=school.unit,
        data={"team": team.pk, "summary": summary[:200]},
    )
    return publication


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication) -> Publication:
    """Take the summary off the public pages (it stays recorded)."""
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("school__unit", "team__registration__school__unit", "team__registration__cycle__framework")
        .get(pk=publication.pk)
    )
    if publication.team_id:
        _require_publisher(actor, publication.team)
    if publication.withdrawn_at:
        raise ValidationError("Nội dung này đã được gỡ khỏi trang công khai.")
    publication.withdrawn_at = timezone.now()
    publication.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        event_type=Event.PUBLICATION_WITHDRAWN,
        obj=publication,
        school=publication.school,
        unit=publication.school.unit,
        data={"team": publication.team_id},
    )
    return publication
