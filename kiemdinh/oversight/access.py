"""Who may see and change visits, officers in charge and trainings.

Officers manage what their unit (or a unit below it) organised. A visit is read by everyone who sees its school: the
officers above the school and the school's own people (principal, council, staff), who also report its follow-up
actions done. Officers in charge and trainings belong to the authority: only officers covering the unit open them.
Whatever the user may not see is a 404, so existence does not leak; what they see but may not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kiemdinh.accounts.access import user_scope
from kiemdinh.oversight.models import OfficerInCharge, Training, TrainingParticipant, Visit, VisitAction
from kiemdinh.units.access import access_unit
from kiemdinh.units.models import AdministrativeUnit


def can_manage_unit(user, unit: AdministrativeUnit) -> bool:
    return user_scope(user).covers_path(unit.path)


def can_read_visit(user, visit: Visit) -> bool:
    scope = user_scope(user)
    return scope.covers_path(visit.school.unit.path) or bool(scope.roles_at_school(visit.school_id))


def can_manage_visit(user, visit: Visit) -> bool:
    return user_scope(user).covers_path(visit.unit.path)


def can_complete_action(user, visit: Visit) -> bool:
    """The visit's officers and every person of the school report follow-up actions done."""
    return can_manage_visit(user, visit) or bool(user_scope(user).roles_at_school(visit.school_id))


def access_oversight_unit(user, unit_id) -> AdministrativeUnit:
    """The unit whose visits, officers and trainings the user manages (404 outside the user's scope)."""
    return access_unit(user, unit_id)


def access_visit(user, visit_id, *, manage: bool = False) -> Visit:
    try:
        visit = Visit.objects.select_related("unit", "school__unit", "plan", "created_by").get(pk=visit_id)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đợt kiểm tra, tư vấn.") from None
    if not can_read_visit(user, visit):
        raise Http404("Không tìm thấy đợt kiểm tra, tư vấn.")
    if manage and not can_manage_visit(user, visit):
        raise PermissionDenied("Chỉ cán bộ của đơn vị tổ chức đoàn được sửa đợt kiểm tra, tư vấn này.")
    return visit


def access_action(user, visit: Visit, action_id, *, complete: bool = False, manage: bool = False) -> VisitAction:
    """A follow-up action of a visit the caller already loaded through access_visit."""
    try:
        action = visit.actions.get(pk=action_id)
    except (VisitAction.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy việc cần thực hiện.") from None
    action.visit = visit
    if manage and not can_manage_visit(user, visit):
        raise PermissionDenied("Chỉ cán bộ của đơn vị tổ chức đoàn được xóa việc cần thực hiện.")
    if complete and not can_complete_action(user, visit):
        raise PermissionDenied("Chỉ nhà trường và cán bộ của đơn vị tổ chức đoàn được ghi kết quả thực hiện.")
    return action


def access_officer(user, officer_id) -> OfficerInCharge:
    try:
        officer = OfficerInCharge.objects.select_related("unit", "user").get(pk=officer_id)
    except (OfficerInCharge.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy cán bộ phụ trách.") from None
    if not can_manage_unit(user, officer.unit):
        raise Http404("Không tìm thấy cán bộ phụ trách.")
    return officer


def access_training(user, training_id) -> Training:
    try:
        training = Training.objects.select_related("unit", "created_by").get(pk=training_id)
    except (Training.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đợt tập huấn.") from None
    if not can_manage_unit(user, training.unit):
        raise Http404("Không tìm thấy đợt tập huấn.")
    return training


def access_participant(training: Training, participant_id) -> TrainingParticipant:
    """A participant of a training the caller already loaded through access_training."""
    try:
        participant = training.participants.select_related("school").get(pk=participant_id)
    except (TrainingParticipant.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy người tham dự.") from None
    participant.training = training
    return participant
