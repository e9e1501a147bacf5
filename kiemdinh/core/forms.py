"""Form helpers shared by the screens: Vietnamese date and text fields, and putting a service's ValidationError on a
form."""

from django import forms
from django.core.exceptions import ValidationError

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


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


def error_text(error: ValidationError) -> str:
    """A ValidationError as one sentence for a message."""
    return " ".join(error.messages)
