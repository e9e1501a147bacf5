"""Loading a decision or a delegation for a request: only for those who may see it (404 otherwise, so existence does
not leak). Who may enter, issue, correct or revoke is the rule table's (recognition.authority)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from kiemdinh.accounts.access import user_scope
from kiemdinh.recognition.models import Decision, Delegation
from kiemdinh.units.access import access_school


def access_decision(user, decision_id) -> Decision:
    """The decision, for anyone who sees its school."""
    decision = get_object_or_404(
        Decision.objects.select_related("school__unit", "team__registration__cycle__framework", "created_by"),
        pk=decision_id,
    )
    access_school(user, decision.school_id)
    return decision


def access_delegation(user, delegation_id) -> Delegation:
    """A delegation (ủy quyền), for officers of its unit or above."""
    delegation = get_object_or_404(Delegation.objects.select_related("unit"), pk=delegation_id)
    if not user_scope(user).covers_path(delegation.unit.path):
        raise Http404("Không tìm thấy văn bản ủy quyền.")
    return delegation
