"""Loading a regulation for a request. Regulations are public law: anyone may read every version, so the only
check is that it exists (404 otherwise)."""

from django.shortcuts import get_object_or_404

from kiemdinh.frameworks.models import FrameworkVersion


def access_version(code: str) -> FrameworkVersion:
    return get_object_or_404(FrameworkVersion, code=code)
