"""The summaries the command line keeps in the evidence index beside each study.

A summary is a ready-made part of what a command shows (see
:class:`blinacli.load.cache.Summary`): with these kept, ``list`` reads no study, and
the filters read none unless ``--search`` is given. Every load of the command line asks
for the same summaries, so one index serves every command.
"""

from blinacli.views.filters import FACTS
from blinacli.views.listing import ROW

SUMMARIES = (ROW, FACTS)
