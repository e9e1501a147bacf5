"""What the evidence screens share: whether a request is htmx's (and not a history restore), the context every
page of a cycle's register gets (the cycle, the user's permissions on it, the tab), and a refusal as one line of
text."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from kiemdinh.selfassessment.access import cycle_permissions
from kiemdinh.selfassessment.models import Cycle


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _context(request: HttpRequest, cycle: Cycle, tab: str = "evidence", **extra) -> dict:
    return {"cycle": cycle, "perms": cycle_permissions(request.user, cycle), "tab": tab, **extra}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)
