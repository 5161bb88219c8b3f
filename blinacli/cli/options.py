"""The options and arguments that commands of more than one family take.

The evidence, link-following and cache options, the output format, the heading level of
documents, the user's templates, the
filters shared by list, outcomes, safety, digest and export (their choices, and
``FILTERS``, the names ``common._select`` reads, are in ``choices``), and the shell
completion of study ids and endpoints. An option only one command takes is declared in
that command's signature.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from typer._click.core import Context, Parameter
from typer._click.shell_completion import CompletionItem
from typer._click.types import StringParamType

# the option types, defined without Typer
from blinacli.cli.choices import FILTERS as FILTERS
from blinacli.cli.choices import Design as Design
from blinacli.cli.choices import Format as Format
from blinacli.cli.choices import Status as Status

EvidenceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        "-e",
        metavar="PATH",
        help="Evidence file or directory (repeatable). "
        "Default: $BLINACLI_EVIDENCE (a path list), else the bundled studies.",
        show_default=False,
    ),
]
FollowLinksOption = Annotated[
    bool,
    typer.Option(
        "--follow-links",
        help="Follow symbolic links inside evidence folders (a folder reached again is "
        "searched once). Without it they are passed over; a path named directly is "
        "always read.",
    ),
]
TemplatesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="A directory of your templates, searched before the built-in ones "
        "(repeatable). Default: $BLINACLI_TEMPLATES (a path list).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, markdown when piped.",
        case_sensitive=False,
        show_default=False,
    ),
]

HeadingLevelOption = Annotated[
    int,
    typer.Option(
        "--heading-level",
        help="Level of the top heading in Markdown and HTML (1-6; deeper headings follow "
        "it and stop at 6), so the output fits into a page that has its own title.",
        min=1,
        max=6,
    ),
]
"""--heading-level for every command that writes Markdown or HTML."""

ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it already exists.")]
"""--force for every command that writes -o FILE (the rule is the output writer's)."""

NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse every file afresh, neither reading nor updating the cache of parsed "
        "studies ($XDG_CACHE_HOME/blinacli, else ~/.cache/blinacli; on macOS "
        "~/Library/Caches/blinacli).",
    ),
]


def _complete_study(ctx: Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: the ids of the studies in use (--evidence and --follow-links if
    typed already) whose id or acronym starts with what was typed, in any case (``BL``,
    ``bl`` and ``Bl`` all give ``blast``), each with its acronym and title as help (shown
    by zsh and fish). Silent on any problem: a completion never errs."""
    try:
        from blinacli.load import loader
        from blinacli.views.indexed import SUMMARIES

        evidence = loader.load(
            ctx.params.get("evidence") or None,
            cache=True,
            follow_links=bool(ctx.params.get("follow_links")),
            summaries=SUMMARIES,
        )
    except Exception:
        return []
    word = incomplete.casefold()
    return [  # from the evidence index alone: no study is read whole
        (study.id, f"{study.acronym}: {study.title}")
        for study in evidence.loaded
        if study.id.casefold().startswith(word) or study.acronym.casefold().startswith(word)
    ]


def _complete_endpoint(ctx: Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: endpoint terms and their short aliases that start with what was
    typed, in any case (``OS`` gives ``os``, as ``outcomes OS`` reads it)."""
    from blinacli.model import ENDPOINT_NAMES
    from blinacli.model.vocabulary import ALIASES, ENDPOINTS

    word = incomplete.casefold()
    terms = [(term, ENDPOINT_NAMES.get(term, term)) for term in ENDPOINTS]
    terms += [
        (alias, f"{ENDPOINT_NAMES.get(term, term)} ({term})") for alias, term in ALIASES.items()
    ]
    return [(term, help) for term, help in terms if term.startswith(word)]


class Completing(StringParamType):
    """A text argument or option whose shell completions are exactly what ``complete``
    returns.

    Typer's ``autocompletion=`` keeps only the candidates that start with the typed word
    in its exact case, after blinacli's own matching: ``show BL`` lost ``blast`` and
    ``show E19`` lost ``e1910``. Completions given by the parameter's type reach the
    shell as they are, so the matching is blinacli's alone (ids and acronyms in any
    case). Bash puts the one candidate in place of the word; zsh matches again
    by its own rules (see "Shell completion" in the README)."""

    name = "text"

    def __init__(self, complete: Callable[[Context, str], list[tuple[str, str]]]) -> None:
        self.complete = complete

    def shell_complete(
        self, ctx: Context, param: Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """The candidates for ``incomplete``, with their help, as ``complete`` gives them."""
        return [CompletionItem(value, help=help) for value, help in self.complete(ctx, incomplete)]


STUDY_ID = Completing(_complete_study)
"""The type of a study-id argument: text, completed from the evidence in use."""
ENDPOINT = Completing(_complete_endpoint)
"""The type of an endpoint argument or option: text, completed from the vocabulary."""


# --- Filters shared by list, outcomes, safety, digest and export -----------------

DrugOption = Annotated[
    str | None, typer.Option("--drug", help="A drug studied (part of its name, any case).")
]
PhaseOption = Annotated[
    str | None, typer.Option("--phase", help="Trial phase: 1, 2, 3, 4, 1/2, 2/3.")
]
DesignOption = Annotated[
    Design | None,
    typer.Option("--design", help="Allocation: randomized, single-arm, non-randomized."),
]
MrdOption = Annotated[
    Status | None, typer.Option("--mrd", help="MRD status of the population at entry.")
]
PhOption = Annotated[
    Status | None, typer.Option("--ph", help="Philadelphia (BCR::ABL1) status of the population.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Reports this endpoint (a term or alias, e.g. os).",
        click_type=ENDPOINT,
    ),
]
YearFromOption = Annotated[
    int | None, typer.Option("--year-from", help="Published in this year or later.")
]
YearToOption = Annotated[
    int | None, typer.Option("--year-to", help="Published in this year or earlier.")
]
MinNOption = Annotated[
    int | None,
    typer.Option("--min-n", help="At least N randomized (else treated, else enrolled).", min=0),
]
AgeOption = Annotated[
    int | None,
    typer.Option("--age", help="The stated age range includes this age in years.", min=0),
]
SearchOption = Annotated[
    str | None,
    typer.Option("-q", "--search", help="Text in titles, labels or notes (any case)."),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="'FIELD OP VALUE'",
        help="A condition on a documented field, e.g. 'population.age.max >= 65' "
        "(repeatable; OP is = != < <= > >= or ~ for a pattern). "
        "An unknown field lists the fields.",
    ),
]
