from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kiemdinh.frameworks.models import FrameworkVersion


def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"versions": FrameworkVersion.objects.all()})


def framework_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = get_object_or_404(FrameworkVersion, code=code)
    return render(request, "frameworks/detail.html", {"version": version})
