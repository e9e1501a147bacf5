"""The demo world: the five seed plans (shared/reference/seed-documents) as data, and an idempotent builder.

Every object is found by its natural key (unit code, school code, username, plan unit + number + title) and created
only when missing, through the services; what already exists is left exactly as it is, so a second run creates and
changes nothing. The one exception: a plan entered before plans carried their text (header and list only) gets the
text from data/authority_plans.yaml once. Where a seed leaves something out (a number, a date, a province), the
demo leaves it out too; the recognition decisions the plans imply but do not record are illustrations, marked so, and
so are the external evaluations that carry some of the plans' schools to new decisions (evaluations.py).

The modules, in the order ``build.build_demo`` uses them:
- ``places``: administrative units and schools;
- ``plans``: the four authority plans (headers and lists here, text in data/authority_plans.yaml);
- ``prior_decisions``: the recognitions the plans imply;
- ``people``: every demo account and role, the officers in charge, the login table;
- ``cycles`` and ``thanh_chan``: the self-assessment cycles, Thanh Chấn's complete one from data/thanh_chan_2021.yaml;
- ``evaluations`` (with ``evaluation_seeds`` and ``filled_assessment``): the illustrative external evaluations;
- ``reform``: the 2025 reform applied last (Huế a city, the districts ended, schools moved), with its sources;
- ``mergers``: one illustrative school merger of 2026, after the reform;
- ``tally``: ``DemoBuild``, what a build created, and the demo password.
"""
