"""A Hypothesis property: a base diffed against itself after reordering is no change.

Each example takes some of the bundled and synthetic studies, reorders every list whose
order says nothing (outcomes, results, arms, sources, quotes, adverse events, claims,
notes, drugs...) and every mapping's keys at random, writes the files again in
another YAML style (no anchors, other quoting), and diffs them against the originals.
It runs under the suite's Hypothesis profile (tests/conftest.py).

Left in their order, because it says something: a comparison's groups (its
direction), a citation's authors (who is first), an allocation ratio's parts and
arms, enrollment stages (a percent is of the stage before it), and design arms when
an allocation ratio follows their order. The outcome ``list`` shows, when a file
names none, is the first primary one: a reordering keeps it first.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from blinacli.base.resources import evidence_dir
from blinacli.load import loader, yamlfile
from blinacli.views.diff import Side, diff_view

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(
    [
        *evidence_dir().glob("*.yaml"),
        *(FIXTURES / "synthetic").glob("*.yaml"),
        *(FIXTURES / "model-v2").glob("*.yaml"),
    ]
)
ORDERLESS = {
    "registrations",
    "sources",
    "dosing",
    "outcomes",
    "safety",
    "claims",
    "notes",
    "cite",
    "unconfirmed",
    "drugs",
    "combined_with",
    "confirmed_in",
    "secondary_ids",
    "results",
    "endpoints",
    "subgroups",
    "follow_up",
}
"""The lists whose order says nothing; "arms" is one of them under design alone."""


def _reordered(node: Any, rng: random.Random, key: str | None = None, parent: Any = None) -> Any:
    """``node`` with its mappings' keys and its orderless lists shuffled; a new object
    (anchored nodes that YAML shares are copied apart)."""
    if isinstance(node, dict):
        items = [(k, _reordered(v, rng, k, node)) for k, v in node.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(node, list):
        items = [_reordered(item, rng, None, node) for item in node]
        if key in ORDERLESS or (key == "arms" and _design_arms_orderless(parent)):
            rng.shuffle(items)
        return items
    return node


def _design_arms_orderless(parent: Any) -> bool:
    """Design arms, unless an allocation ratio gives its parts in their order."""
    if not isinstance(parent, dict) or "phase" not in parent:
        return False  # an allocation ratio's arms
    ratio = parent.get("allocation_ratio")
    return ratio is None or bool(ratio.get("arms"))


def _headline_first(study: dict[str, Any], original: dict[str, Any]) -> None:
    """Keep the outcome ``list`` shows first among the primary ones, when the file names
    none: it is chosen by order."""
    if "headline" in original or not original.get("outcomes"):
        return
    primary = [o["id"] for o in original["outcomes"] if o["role"] == "primary"]
    first = primary[0] if primary else original["outcomes"][0]["id"]
    outcomes = study["outcomes"]
    outcomes.sort(key=lambda o: o["id"] != first)


@given(
    chosen=st.lists(st.sampled_from(FILES), min_size=1, max_size=4, unique=True),
    rng=st.randoms(use_true_random=False),
    flow=st.booleans(),
)
def test_reordering_lists_and_keys_is_no_change(
    chosen: list[Path], rng: random.Random, flow: bool, tmp_path_factory: Any
) -> None:
    old = tmp_path_factory.mktemp("old")
    new = tmp_path_factory.mktemp("new")
    for index, file in enumerate(rng.sample(chosen, len(chosen))):
        text = file.read_text(encoding="utf-8")
        (old / file.name).write_text(text, encoding="utf-8")
        original = yamlfile.parse(text)
        study = _reordered(original, rng)
        _headline_first(study, original)
        dumped = yaml.safe_dump(
            study, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=70
        )
        (new / f"{index}-{file.name}").write_text(dumped, encoding="utf-8")
    before, after = loader.load([old]), loader.load([new])
    view = diff_view(Side("old", before.loaded), Side("new", after.loaded))
    assert view.changes() == [], [
        (c.section, c.path, c.old_text, c.new_text) for c in view.changes()
    ]
    assert not view.changed
    assert view.summary.startswith("No change in the evidence")


def test_the_reordering_reorders() -> None:
    """The property is not empty: a reordered study differs from its file in order."""
    text = (FIXTURES / "synthetic" / "syn-three-arm.yaml").read_text(encoding="utf-8")
    original = yamlfile.parse(text)
    orders = {
        tuple(o["id"] for o in _reordered(original, random.Random(seed))["outcomes"])
        for seed in range(20)
    }
    arms = {
        tuple(a["id"] for a in _reordered(original, random.Random(seed))["design"]["arms"])
        for seed in range(20)
    }
    assert len(orders) == 2 and len(arms) > 1
    authors = {
        tuple(_reordered(original, random.Random(seed))["citation"]["authors"])
        for seed in range(20)
    }
    assert authors == {("Synthetic A", "Fixture B")}  # who is first stays first
