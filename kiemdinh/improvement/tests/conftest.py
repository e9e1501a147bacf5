"""Fixtures of the improvement tests: frameworks and personas loaded once per module, rolled back at its end.

The browser test overrides `world` with the project's function-scoped one, which its live server needs."""

import pytest

from kiemdinh.improvement import services as s
from kiemdinh.selfassessment.services import cycle_open
from kiemdinh.testing.world import build_world, fresh_world, load_frameworks, rolled_back


@pytest.fixture(scope="module")
def _base(django_db_setup, django_db_blocker):
    """Frameworks and personas, once for the module; rolled back at its end."""
    with rolled_back(django_db_blocker):
        load_frameworks()
        yield build_world()


@pytest.fixture
def world(_base, db):
    """Fresh instances of the personas for each test (nothing cached on them leaks between tests)."""
    return fresh_world(_base)


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
