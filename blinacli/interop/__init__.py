"""Interchange with other tools: the registry import (ClinicalTrials.gov), the FHIR
export, citations for reference managers and the starter evidence file.

May import: :mod:`blinacli.views` and everything below it. Never a renderer or the
command line: it returns text, and the command line writes it.
"""
