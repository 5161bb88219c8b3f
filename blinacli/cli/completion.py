"""``--install-completion SHELL`` and ``--show-completion SHELL``: completion for a shell
the user names, not only the one blinacli is run from.

Typer's two options are flags that act for the shell they are run from; a shell name
after them was silently passed over, so ``blinacli --install-completion zsh`` typed in
bash installed bash completion. Here a shell named right after either option (or as
``--install-completion=zsh``) is the one installed or shown, and a word there that is
no shell blinacli completes is a usage error that lists the shells. Without a name the
options stay Typer's (the current shell).
"""

import sys

from typer._completion_shared import get_completion_script, install

OPTIONS = ("--install-completion", "--show-completion")
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
"""The shells blinacli's completion can be installed for."""
PROGRAM = "blinacli"
COMPLETE_VAR = "_BLINACLI_COMPLETE"
"""The environment variable the shell scripts set to ask blinacli for completions."""


def requested(argv: list[str]) -> tuple[str, str] | None:
    """The option and the shell named in ``argv`` (the words after ``blinacli``), when
    the global options ask to install or show completion for a named shell; else None.

    Only the global options, before the command name, are looked at, as Typer reads
    these two options only there."""
    for index, word in enumerate(argv):
        if not word.startswith("-"):
            return None  # the command name (or a stray word): the global options end here
        option, equals, value = word.partition("=")
        if option not in OPTIONS:
            continue
        if equals:
            return option, value
        following = argv[index + 1] if index + 1 < len(argv) else None
        if following is None or following.startswith("-"):
            return None  # the flag alone: Typer's, for the current shell
        return option, following
    return None


def run(option: str, shell: str) -> int:
    """Install or show the completion script of ``shell``; the exit status (2 when
    ``shell`` is not one blinacli completes)."""
    if shell not in SHELLS:
        sys.stderr.write(
            f"error: {option}: {shell!r} is not a shell blinacli completes; "
            f"name one of {', '.join(SHELLS)}, or give none for the shell this is run from\n"
        )
        return 2
    if option == "--show-completion":
        script = get_completion_script(prog_name=PROGRAM, complete_var=COMPLETE_VAR, shell=shell)
        sys.stdout.write(f"{script}\n")
        return 0
    installed, path = install(shell=shell, prog_name=PROGRAM, complete_var=COMPLETE_VAR)
    sys.stdout.write(f"{installed} completion installed in {path}\n")
    sys.stdout.write("Completion will take effect once you restart the terminal\n")
    return 0
