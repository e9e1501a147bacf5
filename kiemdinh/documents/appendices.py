"""Appendices of the report as separate documents (being built)."""
