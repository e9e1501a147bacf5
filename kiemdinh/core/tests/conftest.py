"""Fixtures of the core tests: the demo world, built once for the modules that ask for it."""

import pytest
from django.test import override_settings

from kiemdinh.core.demo import build_demo
from kiemdinh.core.testing import load_frameworks, rolled_back


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """build_demo once for the module (it is slow), rolled back at its end; returns its DemoBuild."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with fast, rolled_back(django_db_blocker):
        load_frameworks()
        yield build_demo()


@pytest.fixture
def demo(_demo, db):
    return _demo
