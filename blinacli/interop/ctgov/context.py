"""What the sections of one record's draft share while it is built: the record, the arms
and reporting groups given ids so far, and the notes on what was left out.
"""

from __future__ import annotations

from typing import Any

from blinacli.interop.ctgov.record import Group, Record
from blinacli.interop.ctgov.values import Placeholder, cite, fit, same, slug_of, text_of


class Context:
    """One record's draft while its sections are built: what they all read and write.

    The design gives the arms their ids first (``arm_ids``); dosing, outcomes and safety
    refer to them. Every section adds its notes on what it left out.
    """

    def __init__(self, record: Record) -> None:
        self.record = record
        self.protocol = record.protocol_section
        self.ident = self.protocol.identification_module
        self.nct = self.ident.nct_id
        self.notes: list[dict[str, str]] = []
        self.arms: list[dict[str, Any]] = []
        self.arm_ids: dict[str, str] = {}  # arm label -> id
        self.subgroups: list[dict[str, Any]] = []
        self.group_ids: dict[str, str] = {}  # reporting-group title (casefolded) -> id
        self.used: set[str] = set()  # the group ids imported results and comparisons name
        self.taken: set[str] = {"all"}
        self.shared: dict[str, Placeholder] = {}

    def new_id(self, text: str, fallback: str) -> str:
        """An id made from ``text``, unused so far in the draft (``-2``, ``-3``... added)."""
        base = slug_of(text, fallback)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate = f"{base}-{number}"
            number += 1
        self.taken.add(candidate)
        return candidate

    def note(self, about: str, text: str) -> None:
        """Add a note to the draft on what the registry reports and the draft leaves out."""
        self.notes.append({"about": about, "text": fit(text, 4000)})

    def group_id(self, group: Group) -> str:
        """The arm whose label is the group's title, else a subgroup made for the group."""
        title = " ".join(group.title.split())
        for label, arm_id in self.arm_ids.items():
            if same(label, title):
                return arm_id
        key = title.casefold()
        if key not in self.group_ids:
            group_id = self.new_id(title, "group")
            self.group_ids[key] = group_id
            subgroup: dict[str, Any] = {"id": group_id, "label": fit(title, 300)}
            description = text_of(group.description)
            if description:
                subgroup["defined_by"] = fit(description, 4000)
            subgroup["cite"] = cite(title)
            self.subgroups.append(subgroup)
        return self.group_ids[key]
