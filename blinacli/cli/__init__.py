"""The command line: thin Typer commands over the library, and the one place where
exit codes are set.

May import: everything. Nothing imports it but ``blinacli.__main__`` and the console
script.
"""
