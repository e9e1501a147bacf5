"""Every form of the project cleans what is typed into it (kiemdinh.core.forms.CleanInputMixin).

The forms are found by walking the code, so a new form is covered at once: it must be built on the mixin and be given
its constructor arguments in ARGUMENTS below. Each is then filled with hostile input — text in decomposed Unicode with
bidirectional overrides and zero-width spaces, text made only of invisible characters, integers beyond 64 bits, 1e30
and the year 9999 — and must answer with the cleaned text or a field error, never an exception.
"""

import importlib
import pkgutil
import unicodedata
from datetime import date
from types import SimpleNamespace

import pytest
from django import forms
from django.forms import BaseForm
from django.http import QueryDict

import kiemdinh
from kiemdinh.core.forms import CleanInputMixin, Form
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement import services as improvement
from kiemdinh.selfassessment.models import Cycle, WorkingGroup
from kiemdinh.units.models import AdministrativeUnit, School
from kiemdinh.workflow.services import cycle_open


def _form_classes() -> list[type[BaseForm]]:
    for module in pkgutil.walk_packages(kiemdinh.__path__, "kiemdinh."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {c for c in below(BaseForm) if c.__module__.startswith("kiemdinh.") and c is not Form}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


FORMS = _form_classes()


@pytest.fixture(scope="module")
def things(module_world, django_db_blocker):
    """What the forms' constructors need: a TT17 cycle of school A with an improvement plan, a working group (inside
    module_world's transaction, rolled back at the module's end)."""
    world = module_world
    with django_db_blocker.unblock():
        cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
        plan = improvement.plan_create(actor=world.principal_a, cycle=cycle)
        group = WorkingGroup.objects.create(cycle=cycle, name="Nhóm 1")
    return SimpleNamespace(world=world, cycle=cycle, plan=plan, group=group)


def _arguments(t) -> dict[str, dict]:
    """Constructor arguments of each form (by module.name), beyond data."""
    criterion = Criterion.objects.filter(version_id=t.cycle.framework_id).first()
    return {
        "kiemdinh.selfassessment.council.forms.GroupDeleteForm": {"group": t.group},
        "kiemdinh.selfassessment.council.forms.CouncilMemberForm": {"cycle": t.cycle},
        "kiemdinh.selfassessment.council.forms.AssignmentsForm": {"rows": [], "group_ids": [], "member_ids": []},
        "kiemdinh.selfassessment.council.forms.CarryOverForm": {"sources": []},
        "kiemdinh.workspace.people_forms.AccountCreateForm": {
            "roles": ["officer", "principal", "member"],
            "units": AdministrativeUnit.objects.all(),
            "schools": School.objects.all(),
        },
        "kiemdinh.workspace.people_forms.RoleChangeForm": {"roles": ["member", "staff"]},
        "kiemdinh.units.change_forms.MoveForm": {"units": AdministrativeUnit.objects.all()},
        "kiemdinh.units.change_forms.DissolveForm": {"units": AdministrativeUnit.objects.all()},
        "kiemdinh.units.change_forms.MergeForm": {"children": AdministrativeUnit.objects.all()},
        "kiemdinh.units.campus_forms.MergeSchoolsForm": {"schools": School.objects.all()},
        "kiemdinh.units.change_forms.SchoolMoveForm": {
            "schools": School.objects.all(),
            "units": AdministrativeUnit.objects.all(),
        },
        "kiemdinh.workflow.forms.CycleOpenForm": {
            "schools": School.objects.all(),
            "cycles": Cycle.objects.all(),
        },
        "kiemdinh.evidence.forms.EvidenceCreateForm": {"cycle": t.cycle},
        "kiemdinh.evidence.forms.CiteForm": {"cycle": t.cycle},
        "kiemdinh.evidence.forms.ReuseForm": {"cycle": t.cycle},
        "kiemdinh.evidence.forms.CarryOverForm": {"sources": Cycle.objects.none()},
        "kiemdinh.improvement.forms.LineForm": {"cycle": t.cycle, "plan": t.plan, "tt57": False},
        "kiemdinh.improvement.forms.IssueForm": {"cycle": t.cycle, "plan": t.plan},
        "kiemdinh.improvement.forms.MonitorForm": {"cycle": t.cycle},
        "kiemdinh.improvement.forms.ReviewForm": {"lines": []},
        "kiemdinh.planning.forms.TargetForm": {"schools": School.objects.all()},
        "kiemdinh.planning.forms.TaskForm": {"schools": School.objects.all()},
        "kiemdinh.evaluation.forms.teams.IssueForm": {},
        "kiemdinh.evaluation.forms.teams.RegistrationForm": {"cycle": t.cycle},
        "kiemdinh.evaluation.forms.teams.MemberAddForm": {"candidates": School.objects.none()},
        "kiemdinh.evaluation.forms.teams.AssignForm": {"framework_id": t.cycle.framework_id},
        "kiemdinh.evaluation.forms.teams.EvaluatorForm": {
            "units": AdministrativeUnit.objects.all(),
            "schools": School.objects.all(),
        },
        "kiemdinh.evaluation.forms.work.ReviewForm": {"criterion": criterion},
        "kiemdinh.evaluation.forms.work.RatingForm": {"row": SimpleNamespace(criterion=criterion, item=None)},
        "kiemdinh.evaluation.forms.work.FeedbackForm": {"framework": t.cycle.framework},
        "kiemdinh.oversight.forms.VisitForm": {"unit": t.world.district},
        "kiemdinh.oversight.forms.OfficerForm": {"unit": t.world.district},
        "kiemdinh.accounts.forms.LoginForm": {},
    }


WITHOUT_ARGUMENTS_OK = object()


def _build(cls, t, data):
    name = f"{cls.__module__}.{cls.__name__}"
    kwargs = _arguments(t).get(name, {})
    return cls(data=data, **kwargs)


# Hostile text: decomposed (NFD) Vietnamese, a right-to-left override, zero-width spaces, a left-to-right isolate.
NAME = "Trường Tiểu học Thanh Chấn"
HOSTILE = "\u202e" + unicodedata.normalize("NFD", "Trường\u200b Tiểu  học") + "\u2066 Thanh Chấn\u2069\u200b"
INVISIBLE = "\u200b\u200c\u2060\ufeff \u00ad\u202e\u3164"


def _text_fields(form):
    return {
        n: f
        for n, f in form.fields.items()
        if isinstance(f, forms.CharField) and not isinstance(f.widget, forms.PasswordInput)
    }


def test_every_form_is_built_on_the_cleaning_mixin():
    assert len(FORMS) > 50
    assert [f"{c.__module__}.{c.__name__}" for c in FORMS if not issubclass(c, CleanInputMixin)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.removeprefix('kiemdinh.')}.{c.__name__}")
def test_text_is_stored_nfc_without_bidi_controls_or_invisible_characters(cls, things):
    probe = _build(cls, things, None)
    fields = _text_fields(probe)
    data = QueryDict(mutable=True)
    for name in fields:
        data[probe.add_prefix(name)] = HOSTILE
    form = _build(cls, things, data)
    form.is_valid()
    for name, field in fields.items():
        if name not in form.cleaned_data:
            # Refused by the field's own rule (a URL, an e-mail, a choice): nothing hostile is kept.
            assert name in form.errors, name
            continue
        value = form.cleaned_data[name]
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value), (name, value)
            assert not any(ch in value for ch in "\u202e\u2066\u2069"), (name, value)
            if not isinstance(field.widget, forms.Textarea) or name in cls.name_fields:
                assert value == NAME, (name, value)
            else:
                assert value == unicodedata.normalize("NFC", "Trường\u200b Tiểu  học Thanh Chấn\u200b"), (name, value)


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.removeprefix('kiemdinh.')}.{c.__name__}")
def test_text_of_invisible_characters_only_counts_as_empty(cls, things):
    probe = _build(cls, things, None)
    fields = _text_fields(probe)
    data = QueryDict(mutable=True)
    for name in fields:
        data[probe.add_prefix(name)] = INVISIBLE
    form = _build(cls, things, data)
    form.is_valid()
    for name, field in fields.items():
        if field.required:
            assert form.errors.get(name) == [field.error_messages["required"]], (name, form.errors.get(name))
        elif name in form.cleaned_data and form.cleaned_data[name] is not None:
            assert form.cleaned_data[name] in ("", field.empty_value), (name, form.cleaned_data[name])


HUGE_NUMBERS = ["18446744073709551616", "-18446744073709551616", "1e30", "9223372036854775808", "9" * 40]
BAD_DATES = ["9999-12-31", "31/12/9999", "0001-01-01", "1900-01-01"]


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.removeprefix('kiemdinh.')}.{c.__name__}")
def test_numbers_beyond_the_database_and_dates_out_of_range_are_field_errors(cls, things):
    probe = _build(cls, things, None)
    numbers = [n for n, f in probe.fields.items() if isinstance(f, forms.IntegerField)]
    dates = [n for n, f in probe.fields.items() if isinstance(f, forms.DateField)]
    if not numbers and not dates:
        pytest.skip("no number or date field")
    for number, day in zip(HUGE_NUMBERS, BAD_DATES * 2, strict=False):
        data = QueryDict(mutable=True)
        for name in numbers:
            data[probe.add_prefix(name)] = number
        for name in dates:
            data[probe.add_prefix(name)] = day
        form = _build(cls, things, data)
        assert not form.is_valid()
        for name in numbers + dates:
            assert name in form.errors, (name, number, day, form.cleaned_data.get(name))
            # In Vietnamese: the field's own message, or one naming its label.
            assert not any(m.startswith(("Ensure", "Enter")) for m in form.errors[name]), form.errors[name]


def test_a_date_in_range_is_accepted_and_a_bound_names_the_years():
    class Probe(Form):
        on = forms.DateField(label="Ngày ký", input_formats=["%Y-%m-%d"])

    assert Probe(data={"on": "2024-01-04"}).is_valid()
    errors = Probe(data={"on": "9999-12-31"}).errors["on"]
    assert errors[0].startswith("Ngày ký: hãy nhập một ngày từ năm 1945 đến năm ")
    assert date.today().year + 100 == int(errors[0].split("đến năm ")[1][:4])
