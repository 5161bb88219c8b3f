"""What the read commands do: list, show, compare, outcomes and safety, without Typer.

Each function is the body of the command of its name in ``browsing``, which declares
its options and help; the quick path of ``launch`` calls the same function with the
options it parsed itself, so both ways of running a command do the same work. Each
takes its command's parameters by name, exactly as Typer passes them (a repeatable
option given no value is None), and raises the library's errors, which the caller
turns into exit codes.
"""

from pathlib import Path
from typing import Any

from blinacli.base.errors import UsageError
from blinacli.cli.choices import Design, Format, Status
from blinacli.cli.common import _emit, _load, _nothing, _select, _select_loaded


def list_command(
    *,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    output: Format | None,
    heading_level: int,
    templates: list[Path] | None,
    drug: str | None,
    phase: str | None,
    design: Design | None,
    mrd: Status | None,
    ph: Status | None,
    endpoint: str | None,
    year_from: int | None,
    year_to: int | None,
    min_n: int | None,
    age: int | None,
    search: str | None,
    where: list[str] | None,
) -> None:
    """The studies that match the filters, one row each."""
    from blinacli.views import listing as views

    studies = _select_loaded(evidence, locals())
    if not studies:
        _nothing("no study matches the filters")
        return
    _emit(
        views.list_view_of(studies),
        output,
        terminal="render_list",
        template="list",
        templates=templates,
        level=heading_level,
    )


def show_command(
    study_id: str,
    *,
    full: bool,
    section: list[str] | None,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    output: Format | None,
    heading_level: int,
    templates: list[Path] | None,
) -> None:
    """One study: its card, or its full record (``--full``, ``--section``, JSON, CSV)."""
    import msgspec

    from blinacli.cli.choices import Format
    from blinacli.cli.common import _format
    from blinacli.views import card
    from blinacli.views import show as views

    wanted = card.sections(section)
    found = _load(evidence, no_cache, follow_links)
    study = found.find(study_id)

    def data() -> dict[str, Any]:
        return {**msgspec.to_builtins(study), "derived": views.study_view(study).derived_json()}

    if full or wanted or _format(output) in (Format.json, Format.csv):
        _emit(
            views.study_view(study),
            output,
            terminal="render_study",
            template="show",
            templates=templates,
            data=data,
            level=heading_level,
            context={"sections": wanted} if wanted else None,
        )
        return
    _emit(
        card.card_view(study),
        output,
        terminal="card_terminal:render_card",
        template="card",
        templates=templates,
        level=heading_level,
    )


def compare_command(
    study_ids: list[str],
    *,
    section: list[str] | None,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    output: Format | None,
    heading_level: int,
    templates: list[Path] | None,
) -> None:
    """Two or more studies side by side."""
    from blinacli.views.compare import compare_view

    if len(study_ids) < 2:
        raise UsageError("compare needs at least two study ids")
    found = _load(evidence, no_cache, follow_links)
    studies = [found.find(study_id) for study_id in study_ids]
    _emit(
        compare_view(studies, section or None),
        output,
        terminal="render_compare",
        template="compare",
        templates=templates,
        level=heading_level,
    )


def outcomes_command(
    endpoint_name: str | None,
    *,
    vocabulary_list: bool,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    output: Format | None,
    heading_level: int,
    templates: list[Path] | None,
    drug: str | None,
    phase: str | None,
    design: Design | None,
    mrd: Status | None,
    ph: Status | None,
    endpoint: str | None,
    year_from: int | None,
    year_to: int | None,
    min_n: int | None,
    age: int | None,
    search: str | None,
    where: list[str] | None,
) -> None:
    """A Summary-of-Findings table for one endpoint, or the vocabulary (``--list``)."""
    from blinacli.model import vocabulary
    from blinacli.views.outcomes import endpoints_view, outcomes_view

    if endpoint_name is None and not vocabulary_list:
        raise UsageError("give an ENDPOINT (e.g. os) or --list")
    term = vocabulary.resolve(endpoint_name) if endpoint_name is not None else None
    studies = _select(evidence, locals())
    if vocabulary_list:
        _emit(
            endpoints_view(studies),
            output,
            terminal="render_endpoints",
            template="endpoints",
            templates=templates,
            level=heading_level,
        )
        return
    assert term is not None
    view = outcomes_view(studies, term)
    if not view.rows:
        _nothing(f"no selected study reports {term}")
        return
    _emit(
        view,
        output,
        terminal="render_outcomes",
        template="outcomes",
        templates=templates,
        level=heading_level,
    )


def safety_command(
    *,
    category: str | None,
    min_grade: int | None,
    evidence: list[Path] | None,
    follow_links: bool,
    no_cache: bool,
    output: Format | None,
    heading_level: int,
    templates: list[Path] | None,
    drug: str | None,
    phase: str | None,
    design: Design | None,
    mrd: Status | None,
    ph: Status | None,
    endpoint: str | None,
    year_from: int | None,
    year_to: int | None,
    min_n: int | None,
    age: int | None,
    search: str | None,
    where: list[str] | None,
) -> None:
    """Adverse events across the selected studies."""
    from blinacli.views.safety import safety_view

    studies = _select(evidence, locals())
    view = safety_view(studies, category, min_grade)
    if not view.events and not view.statements:
        _nothing("no safety data matches")
        return
    _emit(
        view,
        output,
        terminal="render_safety",
        template="safety",
        templates=templates,
        level=heading_level,
    )
