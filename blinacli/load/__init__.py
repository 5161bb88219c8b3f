"""Reading evidence: find files, parse YAML, validate into the model, cache, progress.

May import: :mod:`blinacli.model` and :mod:`blinacli.base`. Never a view, a renderer,
interchange code or the command line.
"""
