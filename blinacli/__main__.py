"""``python -m blinacli``."""

from blinacli.cli.app import entry

entry()
