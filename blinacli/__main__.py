"""``python -m blinacli``."""

from blinacli.cli import entry

entry()
