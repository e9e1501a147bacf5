"""Screens of visits (kiểm tra, tư vấn), officers in charge (cán bộ phụ trách) and trainings (tập huấn).

Each view: access → form → service → response. A POST redirects (post/redirect/get) with a message; htmx requests to
the officers section get the section back. Refused input re-renders the form with the Vietnamese errors and changes
nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.bounds import as_id
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.oversight import selectors as sel
from kiemdinh.oversight.access import (
    access_action,
    access_officer,
    access_oversight_unit,
    access_participant,
    access_training,
    access_visit,
    can_complete_action,
    can_manage_unit,
    can_manage_visit,
)
from kiemdinh.oversight.exports import XLSX_CONTENT_TYPE, participant_list, participants_xlsx
from kiemdinh.oversight.forms import (
    ActionDoneForm,
    ActionForm,
    OfficerForm,
    ParticipantsForm,
    TrainingForm,
    VisitForm,
)
from kiemdinh.oversight.models import VisitKind
from kiemdinh.oversight.services import officers as officer_services
from kiemdinh.oversight.services import participants as participant_services
from kiemdinh.oversight.services import trainings as training_services
from kiemdinh.oversight.services import visits as visit_services
from kiemdinh.units.access import access_school, schools_visible, units_visible
from kiemdinh.units.models import AdministrativeUnit

INDEX = "oversight/index.html"
OVERVIEW = "oversight/unit_overview.html"
VISIT_FORM = "oversight/visit_form.html"
VISIT = "oversight/visit_detail.html"
OFFICER_FORM = "oversight/officer_form.html"
TRAINING_FORM = "oversight/training_form.html"
TRAINING = "oversight/training_detail.html"
SCHOOL = "oversight/school.html"


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _with_anchor(url: str, anchor: str) -> str:
    return f"{url}#{anchor}" if anchor else url


# --- index ------------------------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where the work starts: the units the officer manages and the schools the user belongs to."""
    scope = user_scope(request.user)
    if scope.is_admin:
        units = list(AdministrativeUnit.objects.filter(parent__isnull=True))
    else:
        units = list(units_visible(request.user).filter(path__in=scope.unit_paths))
    schools = list(schools_visible(request.user).filter(pk__in=scope.school_ids).select_related("unit"))
    if len(units) + len(schools) == 1:
        if units:
            return redirect("oversight:unit", unit_id=units[0].pk)
        return redirect("oversight:school", school_id=schools[0].pk)
    return render(request, INDEX, {"units": units, "schools": schools})


# --- the unit's overview ----------------------------------------------------------------------------------------------


def _officers_context(request, unit, *, add_form=None, editing=None, edit_form=None) -> dict:
    return {
        "unit": unit,
        "officers": sel.unit_officers(unit),
        "officer_form": add_form or OfficerForm(unit=unit),
        "editing": editing,
        "edit_form": edit_form,
    }


def _overview_context(request, unit) -> dict:
    overview = sel.unit_overview(
        unit,
        kind=request.GET.get("loai", ""),
        school_id=request.GET.get("truong"),
        page=request.GET.get("trang", 1),
    )
    context = {"overview": overview, "kinds": VisitKind.choices, "today": timezone.localdate()}
    context.update(_officers_context(request, unit))
    context["officers"] = overview.officers
    editing_id = request.GET.get("sua_can_bo", "")
    editing = next((o for o in overview.officers if str(o.pk) == editing_id), None)
    if editing is not None:
        context.update(editing=editing, edit_form=OfficerForm(initial=OfficerForm.initial_for(editing), unit=unit))
    return context


@login_required
def unit_overview(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_oversight_unit(request.user, unit_id)
    return render(request, OVERVIEW, _overview_context(request, unit))


# --- visits -----------------------------------------------------------------------------------------------------------


def _visit_values(form: VisitForm) -> dict:
    return {name: form.cleaned_data[name] for name in ("school", "kind", "visited_on", "plan", "members", "findings")}


@login_required
def visit_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_oversight_unit(request.user, unit_id)
    if request.method == "POST":
        form = VisitForm(request.POST, unit=unit)
        if form.is_valid():
            try:
                visit = visit_services.visit_create(actor=request.user, unit=unit, **_visit_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã ghi đợt kiểm tra, tư vấn. Hãy thêm các việc nhà trường cần thực hiện.")
                return redirect("oversight:visit", visit_id=visit.pk)
    else:
        initial = {"visited_on": timezone.localdate()}
        if as_id(request.GET.get("truong", "")):
            initial["school"] = as_id(request.GET["truong"])
        if request.GET.get("loai") in VisitKind.values:
            initial["kind"] = request.GET["loai"]
        form = VisitForm(initial=initial, unit=unit)
    return render(request, VISIT_FORM, {"unit": unit, "form": form, "visit": None})


@login_required
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id, manage=True)
    if request.method == "POST":
        form = VisitForm(request.POST, unit=visit.unit)
        if form.is_valid():
            try:
                visit_services.visit_update(actor=request.user, visit=visit, **_visit_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu đợt kiểm tra, tư vấn.")
                return redirect("oversight:visit", visit_id=visit.pk)
    else:
        form = VisitForm(initial=VisitForm.initial_for(visit), unit=visit.unit)
    return render(request, VISIT_FORM, {"unit": visit.unit, "form": form, "visit": visit})


@login_required
@require_POST
def visit_delete(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id, manage=True)
    unit_id = visit.unit_id
    visit_services.visit_delete(actor=request.user, visit=visit)
    messages.success(request, "Đã xóa đợt kiểm tra, tư vấn.")
    return redirect(_with_anchor(reverse("oversight:unit", args=[unit_id]), "kiem-tra"))


def _visit_context(request, visit, *, action_form=None) -> dict:
    manage = can_manage_visit(request.user, visit)
    return {
        "visit": visit,
        "actions": sel.visit_actions(visit),
        "can_manage": manage,
        "can_complete": can_complete_action(request.user, visit),
        "action_form": action_form or (ActionForm() if manage else None),
        "today": timezone.localdate(),
    }


@login_required
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id)
    return render(request, VISIT, _visit_context(request, visit))


@login_required
@require_POST
def action_add(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id, manage=True)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            visit_services.action_add(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as e:
            errors_into(form, e)
        else:
            messages.success(request, "Đã thêm việc cần thực hiện.")
            return redirect(_with_anchor(reverse("oversight:visit", args=[visit.pk]), "viec-can-lam"))
    return render(request, VISIT, _visit_context(request, visit, action_form=form))


@login_required
@require_POST
def action_complete(request: HttpRequest, visit_id: int, action_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id)
    action = access_action(request.user, visit, action_id, complete=True)
    back = _next_or(request, _with_anchor(reverse("oversight:visit", args=[visit.pk]), "viec-can-lam"))
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chưa ghi được kết quả: " + " ".join(form_messages(form)))
        return redirect(back)
    try:
        visit_services.action_complete(
            actor=request.user, action=action, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"]
        )
    except ValidationError as e:
        messages.error(request, "Chưa ghi được kết quả: " + error_text(e))
    else:
        messages.success(request, "Đã ghi việc này là hoàn thành.")
    return redirect(back)


@login_required
@require_POST
def action_delete(request: HttpRequest, visit_id: int, action_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id, manage=True)
    action = access_action(request.user, visit, action_id, manage=True)
    visit_services.action_delete(actor=request.user, action=action)
    messages.success(request, "Đã xóa việc cần thực hiện.")
    return redirect(_with_anchor(reverse("oversight:visit", args=[visit.pk]), "viec-can-lam"))


# --- officers in charge -----------------------------------------------------------------------------------------------


def _officer_values(form: OfficerForm) -> dict:
    return {name: form.cleaned_data[name] for name in ("school_level", "full_name", "title", "phone", "email", "user")}


def _officers_done(request, unit, message: str) -> HttpResponse:
    if _is_htmx(request):
        context = _officers_context(request, unit)
        context["officers_message"] = message
        return render(request, f"{OVERVIEW}#officers", context)
    messages.success(request, message)
    return redirect(_with_anchor(reverse("oversight:unit", args=[unit.pk]), "can-bo"))


def _officer_refused(request, unit, form, officer=None) -> HttpResponse:
    if _is_htmx(request):
        context = _officers_context(request, unit, add_form=None if officer else form)
        if officer is not None:
            context.update(editing=officer, edit_form=form)
        return render(request, f"{OVERVIEW}#officers", context)
    return render(request, OFFICER_FORM, {"unit": unit, "form": form, "officer": officer})


@login_required
def officer_add(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_oversight_unit(request.user, unit_id)
    if request.method != "POST":
        return render(request, OFFICER_FORM, {"unit": unit, "form": OfficerForm(unit=unit), "officer": None})
    form = OfficerForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            officer = officer_services.officer_add(actor=request.user, unit=unit, **_officer_values(form))
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _officers_done(request, unit, f"Đã thêm cán bộ phụ trách {officer.full_name}.")
    return _officer_refused(request, unit, form)


@login_required
def officer_edit(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = access_officer(request.user, officer_id)
    unit = officer.unit
    if request.method != "POST":
        form = OfficerForm(initial=OfficerForm.initial_for(officer), unit=unit)
        return render(request, OFFICER_FORM, {"unit": unit, "form": form, "officer": officer})
    form = OfficerForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            officer_services.officer_update(actor=request.user, officer=officer, **_officer_values(form))
        except ValidationError as e:
            errors_into(form, e)
        else:
            return _officers_done(request, unit, "Đã lưu thông tin cán bộ phụ trách.")
    return _officer_refused(request, unit, form, officer)


@login_required
@require_POST
def officer_delete(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = access_officer(request.user, officer_id)
    unit = officer.unit
    officer_services.officer_delete(actor=request.user, officer=officer)
    return _officers_done(request, unit, f"Đã xóa cán bộ phụ trách {officer.full_name}.")


# --- trainings --------------------------------------------------------------------------------------------------------


def _training_values(form: TrainingForm) -> dict:
    return {name: form.cleaned_data[name] for name in TrainingForm.base_fields}


@login_required
def training_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_oversight_unit(request.user, unit_id)
    if request.method == "POST":
        form = TrainingForm(request.POST)
        if form.is_valid():
            try:
                training = training_services.training_create(actor=request.user, unit=unit, **_training_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã ghi đợt tập huấn. Hãy thêm danh sách người tham dự.")
                return redirect("oversight:training", training_id=training.pk)
    else:
        form = TrainingForm(initial={"organiser": unit.education_office or unit.name})
    return render(request, TRAINING_FORM, {"unit": unit, "form": form, "training": None})


@login_required
def training_edit(request: HttpRequest, training_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    if request.method == "POST":
        form = TrainingForm(request.POST)
        if form.is_valid():
            try:
                training_services.training_update(actor=request.user, training=training, **_training_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu đợt tập huấn.")
                return redirect("oversight:training", training_id=training.pk)
    else:
        form = TrainingForm(initial=TrainingForm.initial_for(training))
    return render(request, TRAINING_FORM, {"unit": training.unit, "form": form, "training": training})


@login_required
@require_POST
def training_delete(request: HttpRequest, training_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    unit_id = training.unit_id
    training_services.training_delete(actor=request.user, training=training)
    messages.success(request, "Đã xóa đợt tập huấn.")
    return redirect(_with_anchor(reverse("oversight:unit", args=[unit_id]), "tap-huan"))


def _training_context(training, *, participants_form=None) -> dict:
    participants = sel.training_participants(training)
    return {
        "training": training,
        "unit": training.unit,
        "participants": participants,
        "attended_count": sum(1 for p in participants if p.attended),
        "participants_form": participants_form or ParticipantsForm(),
    }


@login_required
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    return render(request, TRAINING, _training_context(training))


def _to_participants(training) -> HttpResponse:
    return redirect(_with_anchor(reverse("oversight:training", args=[training.pk]), "nguoi-tham-du"))


@login_required
@require_POST
def participants_add(request: HttpRequest, training_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    form = ParticipantsForm(request.POST)
    if form.is_valid():
        try:
            added = participant_services.participants_add(
                actor=request.user,
                training=training,
                text=form.cleaned_data["text"],
                attended=form.cleaned_data["attended"],
            )
        except ValidationError as e:
            errors_into(form, e)
        else:
            messages.success(request, f"Đã thêm {len(added)} người vào danh sách.")
            return _to_participants(training)
    return render(request, TRAINING, _training_context(training, participants_form=form))


@login_required
@require_POST
def participant_attended(request: HttpRequest, training_id: int, participant_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    participant = access_participant(training, participant_id)
    attended = request.POST.get("attended") == "1"
    participant_services.participant_set_attended(actor=request.user, participant=participant, attended=attended)
    messages.success(request, f"Đã ghi {participant.full_name} {'có tham dự' if attended else 'không tham dự'}.")
    return _to_participants(training)


@login_required
@require_POST
def participant_delete(request: HttpRequest, training_id: int, participant_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    participant = access_participant(training, participant_id)
    participant_services.participant_delete(actor=request.user, participant=participant)
    messages.success(request, f"Đã xóa {participant.full_name} khỏi danh sách.")
    return _to_participants(training)


@login_required
def training_export(request: HttpRequest, training_id: int) -> HttpResponse:
    training = access_training(request.user, training_id)
    response = HttpResponse(participants_xlsx(participant_list(training)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="danh-sach-tap-huan-{training.pk}.xlsx"'
    return response


# --- the school's view ------------------------------------------------------------------------------------------------


@login_required
def school(request: HttpRequest, school_id: int) -> HttpResponse:
    """Visits of the school, its open follow-up actions, its officers in charge and the trainings its staff attended:
    for its own people and the officers above it."""
    school = access_school(request.user, school_id)
    scope = user_scope(request.user)
    data = sel.school_oversight(school)
    # The officer's own unit nearest above the school organises new visits from this page (an admin: the school's).
    covering = [p for p in sel.ancestor_paths(school.unit.path) if p in scope.unit_paths]
    if scope.is_admin:
        covering = [school.unit.path]
    create_unit = (
        max(AdministrativeUnit.objects.filter(path__in=covering), key=lambda u: len(u.path)) if covering else None
    )
    for visit in data.visits:
        visit.can_manage = scope.covers_path(visit.unit.path)
    for training in data.trainings:
        training.can_open = can_manage_unit(request.user, training.unit)
    return render(
        request,
        SCHOOL,
        {
            "school": school,
            "data": data,
            "officers_in_charge": data.officers,
            "is_school_member": bool(scope.roles_at_school(school.pk)),
            "create_unit": create_unit,
            "today": timezone.localdate(),
        },
    )
