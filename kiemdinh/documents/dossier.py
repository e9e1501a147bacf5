"""The offline dossier package (being built)."""
