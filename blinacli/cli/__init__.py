"""The command line: thin Typer commands over the library, and the one place where
exit codes are set.

``launch`` is where a run starts: it answers ``--version`` and the read commands
(their options in ``quick``, what they do in ``reading``) without Typer, and hands
anything else to ``app``, which puts the app together and lists every command with
the module that defines it (start there to add one); ``core`` holds the global
options and the error handling, over ``edge``, which holds them without Typer;
``options``, ``choices`` and ``common`` the options and helpers that commands share;
``checking``, ``browsing``, ``documents``, ``authoring`` and ``exporting`` the
commands, one module per family.

May import: everything. Nothing imports it but ``blinacli.__main__`` and the console
script.
"""
