"""The URLconf the `bench` command swaps in while it measures: every real URL plus the floor view. Never the site's
ROOT_URLCONF, so the floor view is not reachable on a running site."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from kiemdinh.units.models import School


def floor(request: HttpRequest) -> HttpResponse:
    """The least a page can cost: the session and user (as every page loads them) and one indexed query."""
    name = School.objects.filter(pk=request.GET.get("id") or 0).values_list("name", flat=True).first()
    return HttpResponse(f"{request.user.is_authenticated} {name}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("config.urls")),
]
