"""The study card: what ``show`` prints by default, one study on one screen.

A clinician asking ``show e1910`` wants the trial at a glance: who wrote it and where,
its design and size, who was enrolled, what each arm received, what it found (each
group's figure, the effect with its CI and p-value) and its key harms. The card holds
exactly that, built from the same pieces as the full record (:mod:`blinacli.views.show`:
the outcome views, the figures' formatting, the source marks), so the two cannot
disagree; ``show --full`` and ``show --section NAME`` give the full record.

What the card leaves out it counts (:attr:`CardView.left_out`), so nothing is dropped
in silence, and a study field the sources do not state reads "not stated" where it
matters (population, status, masking, N).

Which outcomes: every primary and secondary outcome and the study's headline, then the
exploratory ones and those whose role the sources do not state, in file order, while
the outcomes stay within :data:`OUTCOME_LINES` lines. Landmark analyses (responders
against nonresponders) are left to the full record: they do not compare the groups the
study allocated, and a line of the card cannot carry that caveat. What is left out is
counted.

Derived figures are each outcome's :func:`blinacli.views.derived.outcome_figures`, the
same list the full record shows, marked :data:`MARK` by every renderer. Absolute
effects (GRADE, per 1000) belong beside them, as a field of :class:`CardOutcome`
filled from the same outcome.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from blinacli.base.errors import UsageError
from blinacli.model import (
    AdverseEvent,
    Outcome,
    Regimen,
    SafetyStatement,
    Study,
    grade_bounds,
    quotes,
)
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens
from blinacli.views.covered import credit_for
from blinacli.views.derived import DerivedFigure
from blinacli.views.show import GroupResult, Item, outcome_view

SECTIONS = (
    "citation",
    "design",
    "population",
    "dosing",
    "outcomes",
    "safety",
    "claims",
    "notes",
    "sources",
    "quotes",
)
"""The sections of the full record, in the order ``show --full`` prints them; ``claims``
is the key points, conclusions and limitations, ``notes`` the notes on the evidence."""

OUTCOME_LINES = 14
"""How many lines the card's outcomes may take before an outcome that is neither
primary, secondary nor the headline is left out: a heading, the definition, one line
per group's figure, one for the comparison and one per derived figure. With the lines of the rest
of the card, this keeps a card near 40 lines at 80 columns."""

SEVERE_GRADE = 3
"""The lowest grade of the adverse events the card shows: grade 3 or higher."""


def sections(names: Sequence[str] | None) -> list[str] | None:
    """The sections of the full record asked for with ``--section``, in the record's
    order, or None when none were. Raises :class:`UsageError` for an unknown name,
    listing the choices."""
    if not names:
        return None
    wanted = {name.strip().casefold() for name in names}
    unknown = sorted(wanted - set(SECTIONS))
    if unknown:
        raise UsageError(
            f"unknown section{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; sections: {', '.join(SECTIONS)}"
        )
    return [name for name in SECTIONS if name in wanted]


class Fact(msgspec.Struct, frozen=True):
    """One fact on a line of the card, as shown, and the source marks after it.

    Facts on one line that were read in the same sources share one mark, after the
    last of them: ``sources`` is empty when the next fact's sources are the same
    (a fact with no source of its own ends a run, so a mark never covers it)."""

    text: str
    sources: list[str] = msgspec.field(default_factory=list)


class CardLine(msgspec.Struct, frozen=True):
    """A labelled line of the card (Design, N, Population, a dosing arm, Safety): its
    facts, in order. Lines in a row may share a label (one Dosing line per arm); a
    terminal prints it once."""

    label: str
    facts: list[Fact]


class CardFigure(msgspec.Struct, frozen=True):
    """A derived figure on the card: the text shown after its mark, and the figure."""

    shown: str
    """The figure's text, after the group or groups it is about where the outcome has
    other groups too (an interval for one of two arms, a difference between two of
    three): "Cohort A: 66.7% (Wilson 95% CI 48.8–80.8%)"."""
    figure: DerivedFigure
    """The figure itself, as the full record and the JSON carry it."""


class CardOutcome(msgspec.Struct, frozen=True):
    """One outcome on the card: its heading, each group's figure, the effect and the
    figures derived from them."""

    id: str
    title: str
    """The outcome's label, with the endpoint's name when the label lacks it."""
    summary: str
    """Role, timepoint (unless the title says it) and analysis population, e.g.
    "primary; population not stated"."""
    definition: str | None
    """What the endpoint counts, in the source's words (a composite's parts)."""
    results: list[GroupResult]
    """One per group: the group's label, its figure as reported, its sources and its
    note (shown with it, as everywhere); the intervention first, then the comparator."""
    effect: Fact | None
    """The comparison as reported (estimate, CI, p-value, and its direction when the
    source gives it as comparator vs intervention), after the groups compared when the
    outcome has other groups too; None without a comparison."""
    effect_note: str | None
    """The comparison's note, shown with it."""
    derived: list[CardFigure]
    """The figures blinacli derives from this outcome's reported ones, shown marked:
    the full record's own list (:func:`blinacli.views.derived.outcome_figures`)."""


class CardView(msgspec.Struct, frozen=True):
    """Everything the study card shows, line by line."""

    id: str
    acronym: str
    title: str
    citation: str
    """The first author (then "et al"), journal, year, volume, issue and pages."""
    identifiers: list[Fact]
    """DOI, PMID, PMCID, erratum and registry ids, each whole."""
    lines: list[CardLine]
    """Design, N, Population and one Dosing line per arm."""
    outcomes: list[CardOutcome]
    outcomes_left_out: int
    """Outcomes of the study not on the card (see :data:`OUTCOME_LINES`)."""
    safety: list[CardLine]
    """The adverse events of grade 3 or higher (one line), then each safety statement;
    empty when the study records no safety data."""
    sources: list[Item]
    """What the marks name: each source's id (``label``) and kind (``value``), e.g.
    memo: "secondary summary"."""
    left_out: list[Item]
    """What the full record shows and the card does not, counted: one Item per section
    (``label``), e.g. claims: "3 key points and conclusions"."""
    sections: list[str]
    """The names ``--section`` takes."""


def card_view(study: Study) -> CardView:
    """The study card of ``study``."""
    outcomes, outcomes_left_out = _outcomes(study)
    safety, events_left_out = _safety(study)
    return CardView(
        id=study.id,
        acronym=study.acronym,
        title=study.title,
        citation=_short_citation(study),
        identifiers=_runs(_identifiers(study)),
        lines=[
            CardLine("Design", _runs(_design(study))),
            CardLine("N", _runs(_size(study))),
            CardLine("Population", _runs(_population(study))),
            *_dosing(study),
        ],
        outcomes=outcomes,
        outcomes_left_out=outcomes_left_out,
        safety=safety,
        sources=[Item(s.id, fmt.words(s.kind).replace("-", " ")) for s in study.sources],
        left_out=_left_out(study, {o.id for o in outcomes}, outcomes_left_out, events_left_out),
        sections=list(SECTIONS),
    )


def _runs(facts: list[tuple[str, list[str]]]) -> list[Fact]:
    """Facts with their marks, one mark closing each run of facts read in the same
    sources."""
    out = []
    for index, (text, sources) in enumerate(facts):
        following = facts[index + 1][1] if index + 1 < len(facts) else None
        out.append(Fact(text, [] if sources and sources == following else sources))
    return out


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# --- citation, design, population, dosing -----------------------------------------------


def _short_citation(study: Study) -> str:
    """ "Litzow MR, et al. N Engl J Med. 2024;391(4):320–333": the full citation without
    its title (the card's heading names the study) and with its first author only."""
    c = study.citation
    authors = c.authors[0] + (", et al" if c.et_al or len(c.authors) > 1 else "")
    text = f"{authors}. {c.journal}. {c.year}"
    if c.volume:
        text += f";{c.volume}" + (f"({c.issue})" if c.issue else "")
    if c.pages:
        text += f":{c.pages}"
    return text


def _identifiers(study: Study) -> list[tuple[str, list[str]]]:
    c = study.citation
    facts = [
        (f"{label} {value}", credit_for(c.cite, value, text=value))
        for label, value in (("DOI", c.doi), ("PMID", c.pmid), ("PMCID", c.pmcid))
        if value
    ]
    if c.erratum:
        facts.append((f"erratum {c.erratum}", credit_for(c.cite, text=c.erratum)))
    for reg in study.registrations:
        also = f" (also {', '.join(reg.secondary_ids)})" if reg.secondary_ids else ""
        sources = credit_for(reg.cite, reg, text=[reg.id, *reg.secondary_ids])
        facts.append((f"{reg.registry} {reg.id}{also}", sources))
    return facts


def _design(study: Study) -> list[tuple[str, list[str]]]:
    d = study.design
    allocation: str = d.allocation
    allocation_sources = credit_for(d.cite, text=d.allocation)
    if d.allocation_ratio is not None:
        allocation += " " + ":".join(str(part) for part in d.allocation_ratio.ratio)
        allocation_sources = list(
            dict.fromkeys(
                allocation_sources + credit_for(d.allocation_ratio.cite, d.allocation_ratio)
            )
        )
    status = study.status
    return [
        (f"phase {d.phase}", credit_for(d.cite, d.phase)),
        (allocation, allocation_sources),
        (
            (d.masking, credit_for(d.cite, text=d.masking))
            if d.masking
            else ("masking not stated", [])
        ),
        (
            (
                phrases.status_text(status),
                credit_for(status.cite, status, text=status.reason),
            )
            if status
            else ("status not stated", [])
        ),
    ]


def _size(study: Study) -> list[tuple[str, list[str]]]:
    """The study's N: the count at the first of randomized, treated and enrolled that the
    sources give, for the whole study and for each arm; the evaluable and analysed counts;
    the median follow-up."""
    enrollment = study.design.enrollment
    stage = next(
        (s for s in ("randomized", "treated", "enrolled") if any(e.stage == s for e in enrollment)),
        None,
    )
    whole = any(e.stage == stage and e.arm is None for e in enrollment)
    facts: list[tuple[str, list[str]]] = []
    for entry in enrollment:
        if entry.stage == stage or (entry.arm is None and entry.stage in ("evaluable", "analyzed")):
            if entry.arm is None:
                text = f"{entry.n} {fmt.words(entry.stage)}"
            else:  # "Fictumab 60", after the whole study's "90 randomized"
                text = f"{study.group_label(entry.arm)} {entry.n}"
                text += "" if whole else f" {fmt.words(entry.stage)}"
            text += fmt.unconfirmed_mark(entry.unconfirmed)
            facts.append((text, credit_for(entry.cite, entry)))
    if not facts:
        facts.append(("N not reported", []))
    for index, follow_up in enumerate(study.design.follow_ups()):
        text = f"{fmt.number(follow_up.median)} {follow_up.unit}"
        if follow_up.arm:
            text = f"{study.group_label(follow_up.arm)} {text}"
        if index == 0:  # the figures after the first are the same kind
            text = f"median follow-up {text}"
        facts.append((text, credit_for(follow_up.cite, follow_up)))
    return facts


def _population(study: Study) -> list[tuple[str, list[str]]]:
    p = study.population
    facts = [(p.abbreviation or p.disease, credit_for(p.cite, text=[p.disease, p.abbreviation]))]
    if p.age is not None:
        facts.append((fmt.age(p.age), credit_for(p.age.cite, p.age, text=p.age.description)))
    else:
        facts.append(("age not stated", []))
    ph = p.philadelphia
    if ph.status in ("positive", "negative"):
        facts.append((ph.wording or f"Ph-{ph.status}", credit_for(ph.cite, ph, text=ph.wording)))
    elif ph.status == "any":
        facts.append(("Ph-positive or Ph-negative", credit_for(ph.cite, ph, text=ph.wording)))
    else:
        facts.append(("Ph status not reported", []))
    if p.disease_status:
        facts.append((p.disease_status, credit_for(p.cite, text=p.disease_status)))
    else:
        facts.append(("disease status not stated", []))
    if p.mrd is not None:
        m = p.mrd
        text = fmt.mrd(m)
        text += f" by {m.method}" if m.method else ""
        text += f" in {m.tissue}" if m.tissue else ""
        facts.append((text, credit_for(m.cite, m, text=m.wording)))
    else:
        facts.append(("MRD criterion not stated", []))
    return facts


def _dosing(study: Study) -> list[CardLine]:
    """One line per arm: each regimen of the arm, "not recorded" for an arm without."""
    lines: list[CardLine] = []
    for arm in study.design.arms:
        facts = [(_regimen_text(r), _regimen_sources(r)) for r in study.dosing if r.arm == arm.id]
        if not facts and not study.dosing:
            continue
        text = f"{arm.label}: " + ("; ".join(t for t, _ in facts) if facts else "not recorded")
        sources = list(dict.fromkeys(s for _, sources in facts for s in sources))
        lines.append(CardLine("Dosing", [Fact(text, sources)]))
    return lines or [CardLine("Dosing", [Fact("not recorded")])]


def _regimen_text(regimen: Regimen) -> str:
    """ "blinatumomab 28 µg/day (flat dose), continuous IV infusion, 4 cycles"."""
    parts = [
        f"{regimen.drug} {fmt.dose(regimen.dose)}"
        if regimen.dose is not None
        else f"{regimen.drug}, dose not stated"
    ]
    for text in (
        regimens.route_text(regimen),
        regimens.schedule_text(regimen),
    ):
        if text:
            parts.append(text)
    cycles = regimens.cycles_text(regimen)
    if cycles:
        parts.append(f"{cycles} cycle" + ("" if cycles == "1" else "s"))
    if regimen.combined_with:
        parts.append("with " + "; ".join(regimen.combined_with))
    transplant = regimens.transplant_text(regimen)
    if transplant:
        parts.append(f"transplant {transplant}")
    return ", ".join(parts) + fmt.unconfirmed_mark(regimen.unconfirmed)


def _regimen_sources(regimen: Regimen) -> list[str]:
    """The sources of a regimen's items, as the full record marks each of them."""
    cite = regimen.cite
    sources = credit_for(cite, text=regimen.drug)
    for part in (regimen.dose, regimen.schedule, regimen.cycles):
        if part is not None:
            sources += credit_for(cite, part)
    if regimen.route:
        sources += credit_for(cite, text=regimens.route_text(regimen))
    if regimen.combined_with:
        sources += credit_for(cite, text=regimen.combined_with)
    if regimen.transplant is not None:
        t = regimen.transplant
        sources += credit_for(cite, t, text=t.timing)
    return list(dict.fromkeys(sources))


# --- outcomes ---------------------------------------------------------------------------

_ROLES = {"landmark": "landmark analysis", "not-stated": "role not stated"}


def _outcomes(study: Study) -> tuple[list[CardOutcome], int]:
    """The outcomes on the card, in file order, and how many are left out."""
    headline = study.headline_outcome()
    key = {o.id for o in study.outcomes if o.role in ("primary", "secondary") or o is headline}
    cards = {o.id: _outcome(study, o) for o in study.outcomes}
    used = sum(_lines(cards[o]) for o in key)
    shown = set(key)
    for outcome in study.outcomes:
        if outcome.id in shown or outcome.role == "landmark":
            continue
        cost = _lines(cards[outcome.id])
        if used + cost > OUTCOME_LINES:
            break
        shown.add(outcome.id)
        used += cost
    kept = [cards[o.id] for o in study.outcomes if o.id in shown]
    return kept, len(study.outcomes) - len(kept)


def _lines(outcome: CardOutcome) -> int:
    """The lines an outcome takes on the card, before any wraps."""
    return (
        1
        + (outcome.definition is not None)
        + len(outcome.results)
        + (outcome.effect is not None)
        + len(outcome.derived)
    )


def _outcome(study: Study, outcome: Outcome) -> CardOutcome:
    view = outcome_view(study, outcome)
    compared = set(outcome.comparison.groups) if outcome.comparison else set()
    groups = {r.group for r in outcome.results} | compared
    effect = None
    if view.comparison is not None:
        text = view.comparison
        if groups != compared or not outcome.results:
            text = f"{view.comparison_groups}: {text}"
        effect = Fact(text, view.comparison_sources)
    summary = [_ROLES.get(outcome.role, outcome.role)]
    if outcome.timepoint is None:
        summary.append("timepoint not stated")
    elif outcome.timepoint.label.casefold() not in view.title.casefold():
        summary.append(view.timepoint)
    population = view.population
    summary.append(
        "population not stated" if population == "not stated" else f"population: {population}"
    )
    return CardOutcome(
        id=outcome.id,
        title=view.title,
        summary="; ".join(summary),
        definition=outcome.definition,
        results=view.results,
        effect=effect,
        effect_note=outcome.comparison.note if outcome.comparison else None,
        derived=[_figure(figure, groups) for figure in view.derived],
    )


def _figure(figure: DerivedFigure, groups: set[str]) -> CardFigure:
    """A derived figure, naming its groups unless they are all the outcome's groups."""
    named = set(figure.groups) != groups
    return CardFigure(f"{figure.about}: {figure.text}" if named else figure.text, figure)


# --- safety and what is left out ----------------------------------------------------------


def _severe(event: AdverseEvent) -> bool:
    bounds = grade_bounds(event.grade)
    return bounds is not None and bounds[0] >= SEVERE_GRADE


def _count(event: AdverseEvent) -> str:
    """ "12 (10%)", "22/100 (22%)", "35% of 60": as reported, with its denominator."""
    percent = f"{fmt.percent(event.percent)}" if event.percent is not None else None
    if event.n is None:
        assert percent is not None  # the model requires a count or a percent
        return f"{percent} of {event.total}" if event.total is not None else percent
    text = f"{event.n}/{event.total}" if event.total is not None else str(event.n)
    return f"{text} ({percent})" if percent else text


def _safety(study: Study) -> tuple[list[CardLine], int]:
    """The events of grade 3 or higher on one line, each statement on its own, and how
    many events are left out (lower grades and any grade)."""
    arms = len(study.design.arms) > 1
    events = [s for s in study.safety if isinstance(s, AdverseEvent)]
    severe = [e for e in events if _severe(e)]
    facts = []
    previous: tuple[str, str] | None = None
    for event in severe:
        name = event.category + (f": {event.term}" if event.term else "")
        grade = fmt.grade_phrase(event.grade)
        arm = ""
        if arms:
            arm = f"{study.group_label(event.arm)} " if event.arm else "all arms "
        if previous is not None and previous == (name, grade):
            shown = arm
        elif previous is not None and previous[0] == name:
            shown = f"{grade}: {arm}"
        else:
            shown = f"{name}, {grade}: {arm}"
        previous = (name, grade)
        text = shown + _count(event) + fmt.unconfirmed_mark(event.unconfirmed)
        facts.append((text, credit_for(event.cite, event)))
    lines = [CardLine("Safety", _runs(facts))] if facts else []
    for statement in study.safety:
        if isinstance(statement, SafetyStatement):
            arm = f" ({study.group_label(statement.arm)})" if arms and statement.arm else ""
            text = f"{statement.category}{arm}: {statement.text}"
            sources = credit_for(statement.cite, text=statement.text)
            lines.append(CardLine("Safety", [Fact(text, sources)]))
    return lines, len(events) - len(severe)


def _notes_left_out(outcome: Outcome) -> int:
    """The notes the full record shows with an outcome that its card does not: the
    outcome's own notes and the reasons for its details in doubt (the card shows the
    definition and each figure's note, and marks a detail in doubt)."""
    details = [outcome, *outcome.results, *([outcome.comparison] if outcome.comparison else [])]
    return len(outcome.notes) + sum(len(d.unconfirmed) for d in details)


def _left_out(study: Study, outcomes: set[str], more: int, events: int) -> list[Item]:
    """What the full record shows beyond the card, counted, one Item per section:
    ``outcomes`` are the ids of those on the card, ``more`` the number left out."""
    claims = [c for c in study.claims if c.kind != "limitation"]
    limitations = len(study.claims) - len(claims)
    notes = sum(_notes_left_out(o) for o in study.outcomes if o.id in outcomes)
    quoted = len({(q.source, q.quote) for _, q in quotes(study)})
    counts = {
        "outcomes": [
            _plural(more, "more outcome"),
            _plural(notes, "note"),
        ],
        "safety": [_plural(events, "more event") + " (below grade 3 or of any grade)"],
        "claims": [
            _plural(len(claims), "key point or conclusion", "key points and conclusions"),
            _plural(limitations, "limitation"),
        ],
        "notes": [_plural(len(study.notes), "note on the evidence", "notes on the evidence")],
        "quotes": [_plural(quoted, "quote")],
    }
    return [
        Item(section, ", ".join(t for t in texts if not t.startswith("0 ")))
        for section, texts in counts.items()
        if any(not t.startswith("0 ") for t in texts)
    ]
