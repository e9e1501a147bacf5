"""Form helpers shared by the screens: the project's base form (typed text normalised, numbers and dates bounded),
Vietnamese date and text fields, a choice of user accounts, and putting a service's ValidationError on a form."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from kiemdinh.core.bounds import INT32_MAX, YEARS_AHEAD, date_problem
from kiemdinh.core.text import clean, clean_name

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class _DateInRange:
    """A date field's validator: within the project's range (kiemdinh.core.bounds); a field may set `years_ahead` (a
    validity date) or `not_after` (a callable giving the latest date)."""

    def __init__(self, field: forms.Field):
        self.field = field

    def __call__(self, value: date) -> None:
        not_after = getattr(self.field, "not_after", None)
        problem = date_problem(
            value,
            self.field.label or "Ngày",
            not_after=not_after() if not_after else None,
            years_ahead=getattr(self.field, "years_ahead", YEARS_AHEAD),
        )
        if problem:
            raise ValidationError(problem, code="date_range")


def _own_message(field: forms.Field, code: str) -> bool:
    """Was this error message given to the field (rather than inherited from Django's defaults)?"""
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return code in field.error_messages and field.error_messages[code] != defaults.get(code)


def _label(field: forms.Field) -> str:
    return str(field.label or "Giá trị")


def harden_field(field: forms.Field) -> None:
    """Bound a number or date field to what the database and the domain can hold, with Vietnamese messages naming the
    field; the bounds a field declares itself (min_value, max_value, max_digits, not_after) are kept. Idempotent."""
    if getattr(field, "_hardened", False):
        return
    field._hardened = True
    label = _label(field)
    if isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
        if field.max_value is None:
            field.max_value = 10**12 if isinstance(field, forms.DecimalField | forms.FloatField) else INT32_MAX
            field.validators.append(MaxValueValidator(field.max_value))
        if field.min_value is None:
            field.min_value = -field.max_value
            field.validators.append(MinValueValidator(field.min_value))
        messages = {
            "max_value": f"{label}: không được lớn hơn {field.max_value}.",
            "min_value": f"{label}: không được nhỏ hơn {field.min_value}.",
            "max_digits": f"{label}: nhiều nhất %(max)s chữ số.",
            "max_decimal_places": f"{label}: nhiều nhất %(max)s chữ số thập phân.",
            "max_whole_digits": f"{label}: nhiều nhất %(max)s chữ số ở phần nguyên.",
        }
        messages["invalid"] = f"{label}: hãy nhập một số."
        # Messages the field was given keep precedence over these.
        field.error_messages = {
            **field.error_messages,
            **{code: text for code, text in messages.items() if not _own_message(field, code)},
        }
    elif isinstance(field, forms.DateField):
        field.validators.append(_DateInRange(field))


class CleanInputMixin:
    """Every form of the project is built on this (a test enumerates them).

    - Typed text is stored as `kiemdinh.core.text` cleans it: NFC, without bidirectional controls, and a text that shows
      nothing (only zero-width or other invisible characters) counts as empty, so a required field says it is missing.
      One-line fields (a name, a title, a number) also lose every invisible character inside and runs of spaces
      (`clean_name`); multi-line fields keep their lines (`clean`). Fields listed in `name_fields` are cleaned as
      one-line text whatever their widget. Passwords are left exactly as typed.
    - Number and date fields are bounded (see `harden_field`): 2**64, 1e30 or the year 9999 give the field's error, never
      a server error further on.
    """

    name_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden_field(field)

    def full_clean(self):
        for field in self.fields.values():  # fields added after __init__ too
            harden_field(field)
        if self.is_bound:
            self.data = self._cleaned_text_data()
        super().full_clean()

    def _cleaned_text_data(self):
        data = self.data.copy()
        for name, field in self.fields.items():
            if (
                not isinstance(field, forms.CharField)
                or field.disabled
                or isinstance(field.widget, forms.PasswordInput)
            ):
                continue
            key = self.add_prefix(name)
            if key not in data:
                continue
            one_line = name in self.name_fields or not isinstance(field.widget, forms.Textarea)
            tidy = clean_name if one_line else clean
            if hasattr(data, "setlist"):
                data.setlist(key, [tidy(v) if isinstance(v, str) else v for v in data.getlist(key)])
            elif isinstance(data[key], str):
                data[key] = tidy(data[key])
        return data


class Form(CleanInputMixin, forms.Form):
    """The base of the project's forms (see CleanInputMixin)."""


class AccountChoiceField(forms.ModelChoiceField):
    """A choice among user accounts, each shown as “display name (username)”. The caller gives the queryset (for
    example the accounts of one school), so this field needs no user model: only those two attributes."""

    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.username})"


class NewAccountFields(Form):
    """A person picked from the school's accounts (`user`) or given a new account in the same step: these two fields
    and their check. The form keeps its own `user` field."""

    new_username = forms.CharField(
        label="Hoặc tạo tài khoản mới: tên đăng nhập",
        max_length=150,
        required=False,
        help_text="Hiệu trưởng tạo được tài khoản cho người chưa có; người đó đặt mật khẩu qua thư mời hoặc phiếu in.",
    )
    new_email = forms.EmailField(label="Thư điện tử của tài khoản mới", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_username", "new_email"):  # after the form's own fields
            self.fields[name] = self.fields.pop(name)

    def clean(self):
        data = super().clean()
        if data.get("new_username") and data.get("user"):
            self.add_error("new_username", "Chọn một tài khoản có sẵn hoặc tạo tài khoản mới, không cả hai.")
        if data.get("new_email") and not data.get("new_username"):
            self.add_error("new_username", "Hãy nhập tên đăng nhập cho tài khoản mới.")
        return data


def date_field(label: str) -> forms.DateField:
    """An optional date, typed as dd/mm/yyyy or picked in the browser's date input."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"{label}: hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 15/09/2025."},
    )


def textarea(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def errors_into(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one, else on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_messages(form, *, labelled: bool = False) -> list[str]:
    """A bound, invalid form's error messages in field order, for a message or a ValidationError (labelled: each
    prefixed with its field's label)."""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if labelled and name in form.fields else ""
        found += [f"{label}: {e}" if label else e for e in errors]
    return found


def error_text(error: ValidationError) -> str:
    """A ValidationError as one sentence for a message."""
    return " ".join(error.messages)


def apply_form(request, form, write) -> bool:
    """A posted form's one write: `write(cleaned_data)` runs when the form is valid and returns the success message;
    an invalid form or a refused write (ValidationError) becomes the error message and nothing is written. True when
    written."""
    try:
        if not form.is_valid():
            raise ValidationError(form_messages(form, labelled=True))
        message = write(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, message)
    return True
