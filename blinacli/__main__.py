"""``python -m blinacli``."""

from blinacli.cli import main

main()
