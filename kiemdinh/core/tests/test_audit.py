"""The audit trail takes only members of its one event enum (docs/decisions/0004-audit-trail.md)."""

import ast
from pathlib import Path

import pytest

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.models import AuditEvent

CODE = Path(__file__).resolve().parents[2]  # the kiemdinh package
# The apps' own helpers that pass an event on to audit.record, taking it as their second positional argument.
WRAPPERS = {"_record", "_audit"}


def _code_trees():
    for path in sorted(CODE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path.relative_to(CODE.parent), ast.parse(path.read_text(encoding="utf-8"))


def _event_arguments(tree):
    """Every expression given as an event type: the event_type keyword of any call, and the second positional
    argument of the apps' wrappers."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        yield from (kw.value for kw in node.keywords if kw.arg == "event_type")
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in WRAPPERS and len(node.args) >= 2:
            yield node.args[1]


def test_every_event_the_code_records_is_written_as_a_member():
    strings, unknown = [], []
    for path, tree in _code_trees():
        for argument in _event_arguments(tree):
            strings += [
                f"{path}:{n.lineno}"
                for n in ast.walk(argument)
                if isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
            ]
        unknown += [
            f"{path}:{node.lineno} Event.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Event"
            and node.attr not in Event.__members__
        ]
    assert strings == [], "event types written as strings"
    assert unknown == [], "not members of audit.Event"


@pytest.mark.parametrize("event_type", ["no.such_event", "cycle.opened", ""])
def test_recording_a_string_is_refused_even_a_known_value(event_type):
    with pytest.raises(TypeError, match=r"audit\.Event"):
        audit.record(actor=None, event_type=event_type)


@pytest.mark.django_db
def test_a_member_is_stored_as_its_unchanged_value():
    event = audit.record(actor=None, event_type=Event.CYCLE_OPENED, data={"school_year": "2024-2025"})
    row = AuditEvent.objects.get(pk=event.pk)
    assert row.event_type == "cycle.opened" and Event(row.event_type) is Event.CYCLE_OPENED
    assert Event(row.event_type).label == "Mở đợt tự đánh giá"


def test_values_are_unique_and_named_after_their_value():
    assert len(set(Event.values)) == len(Event.__members__)
    assert all(e.name == e.value.upper().replace(".", "_") for e in Event)
