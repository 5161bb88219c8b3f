"""What each command shows, computed once as plain data: one module per command's view,
plus the filters, derived figures, statistics, integrity checks and forest-plot data they
share. A view holds display-ready text and the sources of each figure; every format of a
command renders the same view, so they cannot disagree.

May import: :mod:`blinacli.load`, :mod:`blinacli.model` and :mod:`blinacli.base`. Never
a renderer, interchange code or the command line.
"""
