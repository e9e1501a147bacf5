"""A school's recognition decisions: the register officers keep (paper decisions entered, corrected, revoked, each
decision's page with its history), the decisions issued from an external evaluation team's result and the school's
history. A decision's Word document is downloaded from the documents app.

Who may enter, issue, correct and revoke which decision is the rule table's (recognition.authority): the pages show a
form only to its body's officers (or those it delegated to), and tell the other officers above the school which body
it is; the services refuse everyone else (403 with that message)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Body
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.recognition import authority
from kiemdinh.recognition.access import access_decision, access_delegation
from kiemdinh.recognition.authority import Action
from kiemdinh.recognition.forms import (
    CorrectionForm,
    DecisionForm,
    DelegationEndForm,
    DelegationForm,
    RevokeForm,
)
from kiemdinh.recognition.models import DecisionKind, Delegation
from kiemdinh.recognition.selectors import decision_versions
from kiemdinh.recognition.services import (
    DelegationInput,
    decision_correct,
    decision_record,
    decision_revoke,
    delegation_end,
    delegation_grant,
)
from kiemdinh.units.access import access_school, oversees_school
from kiemdinh.units.models import AdministrativeUnit


def _entering(user, school) -> list[authority.Verdict]:
    """Whether the user may enter each kind of decision, under each regime (the regime follows the signing date,
    which the form gives): one verdict per (regime, kind) that exists."""
    may = authority.Authority(user)
    units = authority.units_of(school)
    return [
        may.check(action=Action.DECISION_ENTER, school=school, regime=regime, kind=kind, units=units)
        for regime in authority.Regime.values
        for kind in DecisionKind.values
        if authority.rule_for(regime, Action.DECISION_ENTER, kind).levels
    ]


@login_required
def school_decisions(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    above = oversees_school(request.user, school)
    entering = _entering(request.user, school) if above else []
    kinds = [k for k in DecisionKind.values if any(v.allowed and v.kind == k for v in entering)]
    form = DecisionForm(request.POST or None, kinds=kinds) if kinds else None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if form is None or (kind in DecisionKind.values and kind not in kinds):
            refusals = [v.message for v in entering if not v.allowed and (v.kind == kind or form is None)]
            raise PermissionDenied(" ".join(dict.fromkeys(refusals)) or "Chỉ cơ quan ban hành ghi được quyết định.")
        if form.is_valid():
            try:
                decision = decision_record(actor=request.user, school=school, data=form.to_input())
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(
                    request, f"Đã ghi quyết định {decision.label}, hiệu lực đến {decision.valid_until:%d/%m/%Y}."
                )
                return redirect("recognition:school", school_id=school.pk)
    decisions = list(school.decisions.order_by("-decided_on", "-id"))
    return render(
        request,
        "recognition/school_decisions.html",
        {
            "school": school,
            "decisions": decisions,
            "above": above,
            "form": form,
            "entering": entering,
            "elsewhere": [v for v in entering if not v.allowed],
            "today": timezone.localdate(),
        },
    )


def _decision_page(request, decision, *, correct_form=None, revoke_form=None, status=200):
    above = oversees_school(request.user, decision.school)
    units = authority.units_of(decision.school) if above else None
    correct = authority.for_decision(request.user, Action.DECISION_CORRECT, decision, units=units) if above else None
    revoke = authority.for_decision(request.user, Action.DECISION_REVOKE, decision, units=units) if above else None
    open_ = not decision.revoked_on
    return render(
        request,
        "recognition/decision.html",
        {
            "decision": decision,
            "school": decision.school,
            "versions": decision_versions(decision),
            "above": above,
            "correct": correct,
            "revoke": revoke,
            "correct_form": (correct_form or CorrectionForm(initial=CorrectionForm.initial_from(decision)))
            if correct and correct.allowed and open_
            else None,
            "revoke_form": (revoke_form or RevokeForm()) if revoke and revoke.allowed and open_ else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One decision: its text, its history (entered, corrected, revoked: who, when, why) and, for its issuing body,
    the forms to correct or revoke it."""
    return _decision_page(request, access_decision(request.user, decision_id))


@login_required
@require_POST
def decision_correct_view(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = access_decision(request.user, decision_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            decision_correct(
                actor=request.user, decision=decision, data=form.to_input(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã đính chính quyết định {decision.label}.")
            return redirect("recognition:decision", decision_id=decision.pk)
    else:
        verdict = authority.for_decision(request.user, Action.DECISION_CORRECT, decision)
        if not verdict.allowed:
            raise PermissionDenied(verdict.message)
    return _decision_page(request, decision, correct_form=form, status=400)


@login_required
@require_POST
def decision_revoke_view(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = access_decision(request.user, decision_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            decision_revoke(
                actor=request.user,
                decision=decision,
                revoked_on=form.cleaned_data["revoked_on"],
                reason=form.cleaned_data["revoked_reason"],
            )
        except ValidationError as exc:
            errors_into(form, exc)
        else:
            messages.success(request, f"Đã ghi thu hồi quyết định {decision.label}.")
            return redirect("recognition:decision", decision_id=decision.pk)
    else:
        verdict = authority.for_decision(request.user, Action.DECISION_REVOKE, decision)
        if not verdict.allowed:
            raise PermissionDenied(verdict.message)
    return _decision_page(request, decision, revoke_form=form, status=400)


@login_required
@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The rule table itself (recognition.authority.RULES): who accepts registrations, forms teams, publishes results,
    issues, enters, corrects and revokes each kind of decision, by regime, with the regulation each follows."""
    rows = [
        {
            "regime": authority.Regime(regime).label,
            "what": authority.what(action, kind),
            "bodies": [authority.Level(level).label for level in rule.levels],
            "rule": rule,
        }
        for (regime, action, kind), rule in authority.RULES.items()
    ]
    return render(request, "recognition/rules.html", {"rows": rows})


# --- Delegations -----------------------------------------------------------------------------------------------------


def _offices(user) -> list[tuple[str, str, object, str]]:
    """The user's bodies: (form value "<unit id>:<body>", label, unit, body)."""

    scope = user_scope(user)
    units = AdministrativeUnit.objects.in_bulk([o.unit_id for o in scope.offices])
    return [
        (f"{o.unit_id}:{o.body}", authority.body_name(units[o.unit_id], o.body), units[o.unit_id], o.body)
        for o in scope.offices
        if o.unit_id in units
    ]


def _other_body(body: str) -> str:

    return Body.EDUCATION if body == Body.COMMITTEE else Body.COMMITTEE


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    """The written delegations between the bodies of the user's units (who acts for whom, by which document), and the
    form for an officer to record one of their own body's (to the other body of the same unit)."""
    scope = user_scope(request.user)
    offices = _offices(request.user)
    form = (
        DelegationForm(request.POST or None, offices=[(v, label) for v, label, _, _ in offices], actions=Action.choices)
        if offices
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Chỉ cán bộ của cơ quan ủy quyền ghi được văn bản ủy quyền.")
        if form.is_valid():
            data = form.cleaned_data
            _, _, unit, body = next(o for o in offices if o[0] == data["body"])
            try:
                delegation_grant(
                    actor=request.user,
                    data=DelegationInput(
                        unit=unit,
                        body=body,
                        delegate_unit=unit,
                        delegate_body=_other_body(body),
                        actions=tuple(data["actions"]),
                        kind=data["kind"],
                        document_number=data["document_number"],
                        document_on=data["document_on"],
                        signer_name=data["signer_name"],
                        valid_from=data["valid_from"],
                        valid_until=data["valid_until"],
                    ),
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, "Đã ghi văn bản ủy quyền.")
                return redirect("recognition:delegations")
    rows = Delegation.objects.select_related("unit", "delegate_unit").order_by("-valid_from", "-id")
    if not scope.is_admin:  # the delegations of the user's units (and those below them)
        mine = Q(pk__in=[])
        for path in scope.unit_paths:
            mine |= Q(unit__path__startswith=path) | Q(delegate_unit__path__startswith=path)
        rows = rows.filter(mine)
    today = timezone.localdate()
    labels = dict(Action.choices)
    listed = [
        {
            "delegation": d,
            "from": authority.body_name(d.unit, d.body),
            "to": authority.body_name(d.delegate_unit, d.delegate_body),
            "actions": [labels.get(a, a) for a in d.action_list],
            "in_force": d.in_force(today),
            "can_end": not d.ended_on and scope.works_for(d.unit_id, d.body),
        }
        for d in rows
    ]
    return render(
        request,
        "recognition/delegations.html",
        {
            "rows": listed,
            "form": form,
            "end_form": DelegationEndForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def delegation_end_view(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = access_delegation(request.user, delegation_id)
    form = DelegationEndForm(request.POST)
    if not form.is_valid():
        if not user_scope(request.user).works_for(delegation.unit_id, delegation.body):
            raise PermissionDenied(
                f"Chỉ cán bộ của {authority.body_name(delegation.unit, delegation.body)} chấm dứt được ủy quyền này."
            )
        messages.error(request, " ".join(form_messages(form)))
        return redirect("recognition:delegations")
    try:
        delegation_end(
            actor=request.user,
            delegation=delegation,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["ended_reason"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Đã ghi chấm dứt ủy quyền.")
    return redirect("recognition:delegations")
