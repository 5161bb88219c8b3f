"""What changed between two versions of one study, figure by figure.

The walk goes through both versions side by side along the model's own types. Items
of a list are matched by their identity (:data:`blinacli.views.diff_words.KEYS`),
never by their place, so a block moved or a list reordered is no change; two items
with one identity (two quotes of one source) are matched by their contents, the
identical ones first. The order of a list counts only where it says something: a
comparison's groups (its direction), the authors of a citation, and an allocation
ratio's parts, which are compared arm by arm.

Each change is a :class:`Raw`: its section (a figure or fact changed, an item added or
removed, a quote or the sources credited with a figure), where it is as a path of
identities (``outcomes[os-3-years].comparison.estimate``) and in words, and its old and
new values, as data and as views write them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

import msgspec

from blinacli.model import AllocationRatio, Design, FollowUp, Quote, Study
from blinacli.views.covered import credit_for, has_cite
from blinacli.views.diff_words import (
    ATOMIC,
    NOT_GIVEN,
    Key,
    field_words,
    item_label,
    key_of,
    key_text,
    ordered_field,
    same,
    summary,
    value_text,
)

Section = Literal["figures", "items", "quotes"]
Kind = Literal["changed", "added", "removed"]
Where = tuple[str, ...]


class Raw(NamedTuple):
    """One change in one study, before it is put in its section of the view."""

    section: Section
    kind: Kind
    path: str
    """Where it is, by identities: ``outcomes[os-3-years].comparison.estimate``."""
    where: Where
    """Where it is, in words, outermost first."""
    old: Any
    """The old value as the model holds it; None when the old side has none."""
    new: Any
    old_text: str
    new_text: str


def study_changes(old: Study, new: Study) -> list[Raw]:
    """Every change from ``old`` to ``new``, two versions of one study (its id may differ
    when it was renamed): in the order of the study's fields, items as the new version
    lists them, then those removed."""
    walk = _Walk(old, new)
    walk.struct(old, new, "", ())
    if same(old.headline, new.headline):
        walk.headline()
    return walk.out


def sources_text(sources: Sequence[str]) -> str:
    """The sources credited with a figure, as a screen marks them: "[memo] [facts]"."""
    return " ".join(f"[{s}]" for s in sources) if sources else "none: no quote states it"


class _Walk:
    """One walk over two versions of a study, collecting :class:`Raw` changes."""

    def __init__(self, old: Study, new: Study) -> None:
        self.old_study = old
        self.new_study = new
        self.out: list[Raw] = []
        self._distances: dict[tuple[int, int], int] = {}

    def emit(
        self,
        section: Section,
        kind: Kind,
        path: str,
        where: Where,
        old: Any,
        new: Any,
        old_text: str,
        new_text: str,
    ) -> None:
        self.out.append(Raw(section, kind, path, where, old, new, old_text, new_text))

    # --- objects ---------------------------------------------------------------------

    def struct(self, old: Any, new: Any, path: str, where: Where) -> None:
        """Two versions of one object: field by field, then the sources credited."""
        if same(old, new):
            return  # the common case, told at once
        owner = type(new)
        for name in owner.__struct_fields__:
            if owner is Study and name == "id":
                continue  # the study's identity: a rename is reported on its own
            before, after = getattr(old, name), getattr(new, name)
            at = f"{path}.{name}" if path else name
            if name == "cite":
                self.quotes(before, after, at, where)
            elif owner is Design and name == "follow_up":
                self.collection(old.follow_ups(), new.follow_ups(), at, where, name)
            elif ordered_field(owner, name):
                self.leaf(before, after, at, (*where, field_words(name)), name)
            elif isinstance(before, list) or isinstance(after, list):
                self.collection(before or [], after or [], at, where, name)
            else:
                self.value(before, after, at, (*where, field_words(name)), name)
        if has_cite(old) and has_cite(new):
            self.credit(old, new, path, where)

    def value(self, old: Any, new: Any, path: str, where: Where, name: str) -> None:
        """A field's two values: an object walked, added or removed, or a value compared."""
        if old is None and new is None:
            return
        if isinstance(old, AllocationRatio) and isinstance(new, AllocationRatio):
            self.ratio(old, new, path, where)
        elif (
            isinstance(old, msgspec.Struct)
            and type(old) is type(new)
            and not isinstance(old, ATOMIC)
        ):
            self.struct(old, new, path, where)
        elif old is None and isinstance(new, msgspec.Struct) and not isinstance(new, ATOMIC):
            self.emit(
                "items", "added", path, where, None, new, NOT_GIVEN, summary(new, self.new_study)
            )
        elif new is None and isinstance(old, msgspec.Struct) and not isinstance(old, ATOMIC):
            self.emit(
                "items", "removed", path, where, old, None, summary(old, self.old_study), NOT_GIVEN
            )
        else:
            self.leaf(old, new, path, where, name)

    def leaf(self, old: Any, new: Any, path: str, where: Where, name: str) -> None:
        """A value shown as one: a number, a text, a CI, a dose. A CI whose text reads the
        same on both sides but whose numbers differ is told field by field; a value
        written another way that every view shows the same ("<0.001" as "< 0.001") is
        no change."""
        if same(old, new):
            return
        old_text = value_text(old, name, self.old_study)
        new_text = value_text(new, name, self.new_study)
        atomic = isinstance(old, ATOMIC) and isinstance(old, msgspec.Struct)
        if old_text == new_text and not (atomic and type(old) is type(new)):
            return  # another spelling of one value (grade ">=3" as "≥3"): nothing to read
        if old_text == new_text and atomic:
            for part in msgspec.structs.fields(old):
                self.leaf(
                    getattr(old, part.name),
                    getattr(new, part.name),
                    f"{path}.{part.name}",
                    (*where, field_words(part.name)),
                    part.name,
                )
            return
        self.emit("figures", "changed", path, where, old, new, old_text, new_text)

    def ratio(self, old: AllocationRatio, new: AllocationRatio, path: str, where: Where) -> None:
        """An allocation ratio, compared arm by arm: parts listed in the design's order of
        arms read the same as the same parts named by arm."""
        if _ratio_parts(self.old_study, old) != _ratio_parts(self.new_study, new):
            self.emit(
                "figures",
                "changed",
                path,
                where,
                old,
                new,
                value_text(old, "", self.old_study),
                value_text(new, "", self.new_study),
            )
        self.quotes(old.cite, new.cite, f"{path}.cite", where)
        self.credit(old, new, path, where)

    def headline(self) -> None:
        """The outcome ``list`` shows, when the file names none: it follows the first
        primary outcome, so a reordering of outcomes can change it."""
        before, after = self.old_study.headline_outcome(), self.new_study.headline_outcome()
        old_id = before.id if before is not None else None
        new_id = after.id if after is not None else None
        if old_id != new_id:
            self.emit(
                "figures",
                "changed",
                "headline",
                ("headline outcome (shown by list)",),
                old_id,
                new_id,
                before.label if before is not None else NOT_GIVEN,
                after.label if after is not None else NOT_GIVEN,
            )

    # --- lists -----------------------------------------------------------------------

    def collection(
        self, old: list[Any], new: list[Any], path: str, where: Where, name: str
    ) -> None:
        """A list whose order says nothing: items matched by identity, then contents."""
        old_marks, new_marks = _occurrences(old), _occurrences(new)
        for i, j in pair(old, new, self.distance):
            before = old[i] if i is not None else None
            after = new[j] if j is not None else None
            mark = new_marks[j] if j is not None else old_marks[i]  # type: ignore[index]
            at = f"{path}[{mark}]"
            if not isinstance(after if after is not None else before, msgspec.Struct):
                # a text item (a drug, a note): its words are its identity
                self.text_item(before, after, at, (*where, field_words(name)), name)
                continue
            study = self.new_study if after is not None else self.old_study
            label = item_label(after if after is not None else before, study)
            self.value(before, after, at, (*where, label), name)

    def text_item(self, old: Any, new: Any, path: str, where: Where, name: str) -> None:
        if old is None:
            self.emit("items", "added", path, where, None, new, NOT_GIVEN, str(new))
        elif new is None:
            self.emit("items", "removed", path, where, old, None, str(old), NOT_GIVEN)
        else:
            self.leaf(old, new, path, where, name)

    def quotes(self, old: list[Quote], new: list[Quote], path: str, where: Where) -> None:
        """The quotes behind an object: added, removed, or worded differently."""
        old_marks, new_marks = _occurrences(old), _occurrences(new)
        for i, j in pair(old, new, lambda a, b: 0 if a == b else 1):
            before = old[i] if i is not None else None
            after = new[j] if j is not None else None
            quote = after if after is not None else before
            assert quote is not None
            mark = new_marks[j] if j is not None else old_marks[i]  # type: ignore[index]
            at, here = f"{path}[{mark}]", (*where, f"quote [{quote.source}]")
            if before is None:
                self.emit("quotes", "added", at, here, None, after, NOT_GIVEN, quote.quote)
            elif after is None:
                self.emit("quotes", "removed", at, here, before, None, quote.quote, NOT_GIVEN)
            elif before.quote != after.quote:
                self.emit("quotes", "changed", at, here, before, after, before.quote, after.quote)

    def credit(self, old: Any, new: Any, path: str, where: Where) -> None:
        """The sources a screen marks the object's figures with: the quotes that state
        them. A figure changed without its quote loses its mark."""
        if same(_quotes_sorted(old), _quotes_sorted(new)):
            return  # the same figures and quotes: the same marks
        before, after = credit_for(old.cite, old), credit_for(new.cite, new)
        if sorted(before) != sorted(after):  # marks follow the quotes' order: not a change
            at = f"{path}.sources" if path else "sources"
            self.emit(
                "quotes",
                "changed",
                at,
                (*where, "sources credited"),
                before,
                after,
                sources_text(before),
                sources_text(after),
            )

    def distance(self, old: Any, new: Any) -> int:
        """How many changes lie between two items: 0 for the same item, however its own
        lists are ordered."""
        known = self._distances.get((id(old), id(new)))
        if known is not None:
            return known
        if same(old, new):
            found = 0
        elif not isinstance(old, msgspec.Struct) or type(old) is not type(new):
            found = 1
        else:
            probe = _Walk(self.old_study, self.new_study)
            probe.struct(old, new, "", ())
            found = len(probe.out)
        self._distances[(id(old), id(new))] = found
        return found


def pair(
    old: Sequence[Any],
    new: Sequence[Any],
    distance: Callable[[Any, Any], int],
    key: Callable[[Any], Key] = key_of,
) -> list[tuple[int | None, int | None]]:
    """Which item of ``old`` is which of ``new``: (old index, new index) pairs, None for an
    item only one side has. Items are matched by identity; among items sharing one, the
    identical first, then the nearest. In the new side's order, then the removed."""
    by_old: dict[Key, list[int]] = {}
    by_new: dict[Key, list[int]] = {}
    for index, item in enumerate(old):
        by_old.setdefault(key(item), []).append(index)
    for index, item in enumerate(new):
        by_new.setdefault(key(item), []).append(index)
    matched: dict[int, int] = {}  # new index -> old index
    removed: list[int] = []
    for identity, olds in by_old.items():
        news = list(by_new.get(identity, []))
        if len(olds) == 1 and len(news) == 1:
            matched[news[0]] = olds[0]
            continue
        left: list[int] = []
        for i in olds:
            twin = next((j for j in news if distance(old[i], new[j]) == 0), None)
            if twin is None:
                left.append(i)
            else:
                matched[twin] = i
                news.remove(twin)
        while left and news:
            _, i, j = min((distance(old[i], new[j]), i, j) for i in left for j in news)
            matched[j] = i
            left.remove(i)
            news.remove(j)
        removed.extend(left)
    pairs: list[tuple[int | None, int | None]] = [(matched.get(j), j) for j in range(len(new))]
    return pairs + [(i, None) for i in sorted(removed)]


def _occurrences(items: Sequence[Any]) -> list[str]:
    """Each item's identity as a path shows it; an identity shared by several items is
    numbered in list order (``cite[memo#2]``)."""
    keys = [key_of(item) or (str(item),) for item in items]  # a text item: its words
    totals = Counter(keys)
    seen: Counter[Key] = Counter()
    marks = []
    for key in keys:
        seen[key] += 1
        text = key_text(key)
        marks.append(f"{text}#{seen[key]}" if totals[key] > 1 else text)
    return marks


def _quotes_sorted(node: Any) -> Any:
    return msgspec.structs.replace(node, cite=sorted(node.cite, key=lambda q: (q.source, q.quote)))


def _ratio_parts(study: Study, ratio: AllocationRatio) -> list[tuple[str, int]]:
    arms = ratio.arms or [arm.id for arm in study.design.arms]
    if len(arms) != len(ratio.ratio):
        return [(str(index), part) for index, part in enumerate(ratio.ratio)]
    return sorted(zip(arms, ratio.ratio, strict=True))


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def stable_path(study: Study, path: str) -> str:
    """A finding's path (``outcomes[0].results[1].percent``) by identities instead of
    places (``outcomes[os-3-years].results[chemotherapy,rate].percent``), so a finding
    that only moved with its block is the same finding on both sides."""
    node: Any = study
    out = ""
    for match in _STEP.finditer(path):
        name, index = match.groups()
        if name is not None:
            out += f".{name}" if out else name
            parent = node
            known = isinstance(parent, msgspec.Struct) and name in parent.__struct_fields__
            node = getattr(parent, name) if known else None
            if isinstance(parent, Design) and name == "follow_up" and isinstance(node, FollowUp):
                out += f"[{key_text(key_of(node))}]"  # one follow-up reads as a list of one
        elif isinstance(node, list) and int(index) < len(node):
            item = node[int(index)]
            key = key_of(item)
            out += f"[{key_text(key) if key else item}]"
            node = item
        else:
            out += f"[{index}]"
            node = None
    return out
