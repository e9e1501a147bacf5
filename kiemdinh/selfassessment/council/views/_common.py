"""What the council's, the plan's and the worksheet's screens share: whether a request comes from htmx, rendering
the full page or only a named partial of it, and the message after a carry-over."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from kiemdinh.selfassessment.council import services


def is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def render_page(request: HttpRequest, template: str, fragment: str | None, context: dict) -> HttpResponse:
    """The full page, or for htmx only the named partial of it."""
    name = f"{template}#{fragment}" if fragment and is_htmx(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def copy_message(report: services.CopyReport, what: str) -> str:
    message = f"Đã sao chép {what}."
    if report.skipped:
        message += " Không sao chép được: " + "; ".join(report.skipped) + "."
    return message
