"""Fixtures of the improvement tests: frameworks and personas loaded once per module, rolled back at its end.

The browser test overrides `world` with the project's function-scoped one, which its live server needs."""

import dataclasses

import pytest
from django.db import transaction

from kiemdinh.improvement import services as s
from kiemdinh.selfassessment.services import cycle_open


@pytest.fixture(scope="module")
def _base(django_db_setup, django_db_blocker):
    """Frameworks and personas, once for the module; rolled back at its end."""
    from kiemdinh.core.testing import build_world
    from kiemdinh.frameworks.services import framework_version_load
    from kiemdinh.frameworks.spec import data_files, read_data_file

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            for path in data_files():
                framework_version_load(data=read_data_file(path))
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_base, db):
    """Fresh instances of the personas for each test (nothing cached on them leaks between tests)."""
    return dataclasses.replace(
        _base,
        **{
            f.name: type(obj).objects.get(pk=obj.pk)
            for f in dataclasses.fields(_base)
            if (obj := getattr(_base, f.name))
        },
    )


@pytest.fixture
def cycle(world):
    """School A, 2025-2026, TT17/2018 (has Mức 4 items)."""
    return cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")


@pytest.fixture
def cycle57(world):
    """School A, 2026-2027, TT57/2026 (phổ thông)."""
    return cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")


@pytest.fixture
def plan(world, cycle):
    return s.plan_create(actor=world.principal_a, cycle=cycle)


@pytest.fixture
def plan57(world, cycle57):
    return s.plan_create(actor=world.principal_a, cycle=cycle57)
