"""Benchmarks (`./scripts/manage bench`): a synthetic world at one of four scales (`world`); every key page rendered
from the data against a floor view, query counts at two data sizes, and the report DOCX and evidence catalogue XLSX
against bare python-docx and openpyxl (`pages`); with `--load`, the deadline-day mix with open-loop arrivals through
two gunicorn servers (`load`) and a large upload and dossier download through one worker (`memory`); the targets of
issue 19 and the Markdown table (`report`). Speed is measured here, never in timed tests (DESIGN.md, Testing).
"""
