"""Public pages: regulations are public law, so browsing and searching them needs no account."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from kiemdinh.frameworks.access import access_version
from kiemdinh.frameworks.selectors.search import search
from kiemdinh.frameworks.selectors.summaries import version_summaries
from kiemdinh.frameworks.selectors.tree import version_tree


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _respond(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The full page, or only its search results for htmx (live search while typing)."""
    name = f"{template}#search-results" if _is_htmx(request) else template
    response = render(request, name, context)
    patch_vary_headers(
        response, ["HX-Request", "HX-History-Restore-Request"]
    )  # the same URL answers with a page or a fragment
    return response


def framework_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {"results": search(query)}
    if not _is_htmx(request):
        context["summaries"] = version_summaries()
    return _respond(request, "frameworks/list.html", context)


def framework_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = access_version(code)
    query = request.GET.get("q", "")
    context = {"version": version, "results": search(query, version=version), "open_code": request.GET.get("tc", "")}
    if not _is_htmx(request):
        context["tree"] = version_tree(version)
    return _respond(request, "frameworks/detail.html", context)
