"""Writes that span the self-assessment and the apps about it: opening a cycle (with carry-over from an earlier one)
and its transitions (submit, return, accept, publish)."""

from kiemdinh.workflow.services.opening import cycle_carry_over, cycle_open
from kiemdinh.workflow.services.transitions import (
    TRANSITION_EVENTS,
    cycle_accept,
    cycle_publish,
    cycle_return,
    cycle_submit,
)

__all__ = [
    "TRANSITION_EVENTS",
    "cycle_accept",
    "cycle_carry_over",
    "cycle_open",
    "cycle_publish",
    "cycle_return",
    "cycle_submit",
]
