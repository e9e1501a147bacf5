"""Fixtures of the improvement tests: frameworks and personas loaded once per module, rolled back at its end.

The browser test overrides `world` with the project's function-scoped one, which its live server needs."""

import pytest

from kiemdinh.improvement import services as s
from kiemdinh.testing.world import fresh_world


@pytest.fixture
def world(module_world, db):
    """Fresh instances of the module's personas for each test (nothing cached on them leaks between tests)."""
    return fresh_world(module_world)


@pytest.fixture
def plan(world, cycle):
    return s.plan_create(actor=world.principal_a, cycle=cycle)


@pytest.fixture
def plan57(world, cycle57):
    return s.plan_create(actor=world.principal_a, cycle=cycle57)
