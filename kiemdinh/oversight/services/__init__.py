"""Writes of visits, officers in charge and trainings. Keyword-only, one transaction, one audit event each.

Every check raises a ValidationError keyed by the field it concerns, with a Vietnamese message, before anything is
written, so refused input changes nothing.

- visits.py: consultation and inspection visits and their follow-up actions;
- officers.py: the officers in charge of each school level of a unit;
- trainings.py: training events;
- participants.py: a training's participants, pasted as a list (read under the tabular caps, outside the transaction);
- common.py: the length limits and text helpers the others share.
"""
