from django import template

from kiemdinh.emulation.models import points_text

register = template.Library()


@register.filter
def diem(value) -> str:
    """A score as printed: "8,5", "10", "-2"."""
    return points_text(value)
