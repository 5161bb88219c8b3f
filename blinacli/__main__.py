"""``python -m blinacli``."""

from blinacli.cli.launch import entry

entry()
