"""Whose keys a child's disposal destroys: the child's, and each person only in that record.

A person who also appears in another child's record (a parent of siblings) keeps their key:
the sibling's record still needs them. Only ``person_added`` entries hold a person's own
fields (``domain.personal_data``), so they decide who appears in which record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.envelope import RecordedEvent


def people_in(events: Iterable[RecordedEvent]) -> set[str]:
    """The person ids whose own data a child's record holds."""
    return {str(e.payload()["person_id"]) for e in events if e.kind == "person_added"}


@dataclass(frozen=True)
class Disposal:
    """What destroying a child's record destroys, and which people it keeps (and why)."""

    child_id: str
    people_destroyed: tuple[str, ...]
    people_kept: dict[str, tuple[str, ...]]
    """Each person kept, with the other children whose records name them."""

    @property
    def subjects(self) -> list[str]:
        return [f"child:{self.child_id}", *(f"person:{p}" for p in self.people_destroyed)]


def plan_disposal(child_id: str, people_by_child: Mapping[str, set[str]]) -> Disposal:
    """The disposal of ``child_id``'s record given every child's people."""
    own = people_by_child.get(child_id, set())
    kept: dict[str, tuple[str, ...]] = {}
    destroyed: list[str] = []
    for person in sorted(own):
        others = tuple(
            sorted(c for c, people in people_by_child.items() if c != child_id and person in people)
        )
        if others:
            kept[person] = others
        else:
            destroyed.append(person)
    return Disposal(child_id, tuple(destroyed), kept)
