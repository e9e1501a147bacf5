"""Screens of emulation scoring (chấm điểm thi đua): a unit's schemes, a scheme and its rules, the score table with
adjustments, a school's breakdown and a principal's view of their own school. The score sheet's exports (XLSX, DOCX)
are the documents app's.

Each view: access → form → service → response. POSTs redirect (post/redirect/get); a refused change re-renders the
form with the service's Vietnamese errors and saves nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.forms import error_text, errors_into
from kiemdinh.emulation import selectors as sel
from kiemdinh.emulation import services as svc
from kiemdinh.emulation.access import (
    access_rule,
    access_scheme,
    access_scheme_school,
    access_scheme_unit,
    access_school_scores,
)
from kiemdinh.emulation.forms import RULE_FORMS, RULE_HELP, AdjustmentForm, ReasonForm, SchemeForm
from kiemdinh.emulation.models import EmulationScheme, RuleKind
from kiemdinh.units.access import units_visible
from kiemdinh.units.models import SchoolType


def _school_type(request) -> str:
    value = request.GET.get("loai", "")
    return value if value in SchoolType.values else ""


def _to_scheme(scheme, anchor: str = "", school_type: str = ""):
    url = reverse("emulation:scheme", args=[scheme.pk])
    if school_type:
        url += f"?loai={school_type}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _to_edit(scheme, anchor: str = "tieu-chi"):
    return redirect(reverse("emulation:scheme_edit", args=[scheme.pk]) + f"#{anchor}")


# --- entry and a unit's schemes -------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The units whose schemes the user manages; straight to the only one."""
    scope = user_scope(request.user)
    units = units_visible(request.user)
    units = units.filter(parent__isnull=True) if scope.is_admin else units.filter(path__in=scope.unit_paths)
    units = list(units.order_by("path"))
    if not units:
        raise Http404("Chỉ cán bộ quản lý của đơn vị được chấm điểm thi đua.")
    if len(units) == 1:
        return redirect("emulation:unit_schemes", unit_id=units[0].pk)
    return render(request, "emulation/index.html", {"units": units})


@login_required
def unit_schemes(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_scheme_unit(request.user, unit_id)
    below = (
        EmulationScheme.objects.filter(unit__path__startswith=unit.path)
        .exclude(unit=unit)
        .select_related("unit")
        .order_by("-school_year", "unit__path", "title")
    )
    context = {"unit": unit, "schemes": sel.schemes_of_unit(unit), "below": below}
    return render(request, "emulation/unit_schemes.html", context)


def _scheme_values(form: SchemeForm) -> dict:
    return {name: form.cleaned_data[name] for name in SchemeForm.base_fields}


@login_required
def scheme_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_scheme_unit(request.user, unit_id)
    if request.method == "POST":
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                scheme = svc.scheme_create(actor=request.user, unit=unit, **_scheme_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã tạo bảng điểm. Hãy thêm các tiêu chí chấm điểm.")
                return _to_edit(scheme)
    else:
        form = SchemeForm(initial={"title": f"Chấm điểm thi đua công tác kiểm định chất lượng giáo dục — {unit.name}"})
    return render(request, "emulation/scheme_form.html", {"unit": unit, "form": form, "scheme": None})


# --- a scheme and its rules -----------------------------------------------------------------------------------------


@login_required
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = access_scheme(request.user, scheme_id)
    if request.method == "POST":
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                svc.scheme_update(actor=request.user, scheme=scheme, **_scheme_values(form))
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu thông tin bảng điểm.")
                return _to_edit(scheme, "thong-tin")
    else:
        form = SchemeForm(initial=SchemeForm.initial_for(scheme))
    rules = list(scheme.rules.all())
    context = {
        "unit": scheme.unit,
        "scheme": scheme,
        "form": form,
        "rules": rules,
        "kinds": [(kind, RULE_HELP[kind]) for kind in RuleKind],
    }
    return render(request, "emulation/scheme_form.html", context)


@login_required
@require_POST
def scheme_close(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = access_scheme(request.user, scheme_id)
    try:
        svc.scheme_close(actor=request.user, scheme=scheme)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã chốt bảng điểm: tiêu chí và điều chỉnh không sửa được nữa.")
    return _to_scheme(scheme)


@login_required
@require_POST
def scheme_reopen(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = access_scheme(request.user, scheme_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        svc.scheme_reopen(actor=request.user, scheme=scheme, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã mở lại bảng điểm.")
    return _to_scheme(scheme)


def _rule_page(request, scheme, form, kind, rule=None) -> HttpResponse:
    context = {"unit": scheme.unit, "scheme": scheme, "form": form, "kind": RuleKind(kind), "rule": rule}
    context["help"] = RULE_HELP[kind]
    return render(request, "emulation/rule_form.html", context)


@login_required
def rule_add(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """?loai=<kind> shows that kind's form; without it, the list of kinds to choose from."""
    scheme = access_scheme(request.user, scheme_id)
    kind = request.POST.get("kind") or request.GET.get("loai", "")
    if kind not in RULE_FORMS:
        context = {"unit": scheme.unit, "scheme": scheme, "kinds": [(k, RULE_HELP[k]) for k in RuleKind]}
        return render(request, "emulation/rule_kinds.html", context)
    form_class = RULE_FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                svc.rule_create(
                    actor=request.user,
                    scheme=scheme,
                    kind=kind,
                    label=form.cleaned_data["label"],
                    points=form.cleaned_data["points"],
                    parameters=form.parameters(),
                )
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã thêm tiêu chí chấm điểm.")
                return _to_edit(scheme)
    else:
        form = form_class(initial={"label": RuleKind(kind).label})
    form.fields.pop("position")
    return _rule_page(request, scheme, form, kind)


@login_required
def rule_edit(request: HttpRequest, scheme_id: int, rule_id: int) -> HttpResponse:
    scheme, rule = access_rule(request.user, scheme_id, rule_id)
    form_class = RULE_FORMS[rule.kind]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                svc.rule_update(
                    actor=request.user,
                    rule=rule,
                    label=form.cleaned_data["label"],
                    points=form.cleaned_data["points"],
                    parameters=form.parameters(),
                    position=form.cleaned_data.get("position"),
                )
            except ValidationError as e:
                errors_into(form, e)
            else:
                messages.success(request, "Đã lưu tiêu chí chấm điểm.")
                return _to_edit(scheme)
    else:
        form = form_class(initial=form_class.initial_for(rule))
    return _rule_page(request, scheme, form, rule.kind, rule)


@login_required
@require_POST
def rule_delete(request: HttpRequest, scheme_id: int, rule_id: int) -> HttpResponse:
    scheme, rule = access_rule(request.user, scheme_id, rule_id)
    try:
        svc.rule_delete(actor=request.user, rule=rule)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, "Đã xóa tiêu chí chấm điểm.")
    return _to_edit(scheme)


# --- the score table ------------------------------------------------------------------------------------------------


@login_required
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = access_scheme(request.user, scheme_id)
    school_type = _school_type(request)
    table = sel.score_table(scheme, school_type)
    context = {
        "unit": scheme.unit,
        "scheme": scheme,
        "table": table,
        "school_type": school_type,
        "school_types": SchoolType.choices,
    }
    return render(request, "emulation/scheme_detail.html", context)


def _school_page(request, scheme, school, form, status: int = 200) -> HttpResponse:
    table = sel.score_table(scheme)
    row = next((r for r in table.rows if r.school.pk == school.pk), None)
    context = {
        "unit": scheme.unit,
        "scheme": scheme,
        "school": school,
        "row": row,
        "of": len(table.rows),
        "form": form,
        "history": sel.adjustment_history(scheme, school),
    }
    return render(request, "emulation/school_detail.html", context, status=status)


@login_required
def school_detail(request: HttpRequest, scheme_id: int, school_id: int) -> HttpResponse:
    """One school's scores: each rule's computation, the adjustment and its history, the adjust form."""
    scheme = access_scheme(request.user, scheme_id)
    school = access_scheme_school(request.user, scheme, school_id)
    adjustment = scheme.adjustments.filter(school=school).first()
    initial = {"points": str(adjustment.points).replace(".", ","), "reason": adjustment.reason} if adjustment else {}
    return _school_page(request, scheme, school, AdjustmentForm(initial=initial))


@login_required
@require_POST
def score_adjust(request: HttpRequest, scheme_id: int, school_id: int) -> HttpResponse:
    scheme = access_scheme(request.user, scheme_id)
    school = access_scheme_school(request.user, scheme, school_id)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            svc.score_adjust(
                actor=request.user,
                scheme=scheme,
                school=school,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            errors_into(form, e)
        else:
            messages.success(request, f"Đã điều chỉnh điểm của {school.name}.")
            return _to_scheme(scheme, f"truong-{school.pk}", _school_type(request))
    return _school_page(request, scheme, school, form)


# --- a principal's view ---------------------------------------------------------------------------------------------


@login_required
def school_scores(request: HttpRequest, school_id: int) -> HttpResponse:
    """Read-only: every scheme that includes the school, with the school's breakdown and rank."""
    school = access_school_scores(request.user, school_id)
    return render(
        request, "emulation/school_scores.html", {"school": school, "standings": sel.school_standings(school)}
    )
