"""Reads of framework data that span relations: summaries, the criteria tree of a version, diacritic-free search.

Each function runs a fixed number of queries whatever the size of the data; the tests pin them.

- marks.py: how sure a wording is and where it comes from (``Mark``), for every text shown;
- summaries.py: the counts of each version (``version_summaries``), for the list page and the ``frameworks`` command;
- tree.py: standards → criteria → indicators and the Mức 4 items of one version (``version_tree``);
- amendments.py: a criterion's changes by amending circulars (``amendments_in_force``, read by other apps);
- revisions.py: a version's revisions of its data, ready for the page;
- search.py: criteria, indicators and Mức 4 items containing a text, ignoring diacritics (``search``).
"""
