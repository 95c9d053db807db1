"""Who stands where to a child, folded from the child's record (a pure fold).

- allocated worker and team: the latest ``allocated_to_worker`` (its ``team`` too) and
  ``allocated_to_team`` as the record now stands (corrections applied, entries in error out);
- chairs: every IRO and conference chair named on the child's looked-after reviews, IRO
  contacts and child protection conferences (a chair keeps the access the review gave);
- legal stage: pre-proceedings or proceedings (issued, interim order) from
  :mod:`projections.legal_status`; a final order ends the proceedings;
- restricted: the latest ``record_restricted`` not followed by ``record_restriction_lifted``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from domain.access import ChildFacts
from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.access import RecordRestricted, RecordRestrictionLifted
from domain.events.looked_after import IroContact, LookedAfterReviewHeld
from domain.events.management import AllocatedToTeam, AllocatedToWorker
from domain.events.safeguarding import (
    InitialChildProtectionConferenceHeld,
    ReviewChildProtectionConferenceHeld,
)
from projections.legal_status import ProceedingsStage, status_at

_STAGES = {
    ProceedingsStage.PRE_PROCEEDINGS: "pre_proceedings",
    ProceedingsStage.ISSUED: "proceedings",
    ProceedingsStage.INTERIM_ORDER: "proceedings",
}


def child_facts(child_id: str, events: Iterable[RecordedEvent], *, at: datetime) -> ChildFacts:
    """The facts the access policy reads about one child, from the child's recorded events."""
    items = [e for e in events if e.child_id == child_id]
    if not items:
        return ChildFacts(child_id=child_id, exists=False)
    worker: str | None = None
    team: str | None = None
    chairs: set[str] = set()
    restricted: str | None = None
    for item in sorted(effective_events(items), key=lambda e: e.position):
        event = item.event
        if isinstance(event, AllocatedToWorker):
            worker = event.worker_id
            team = event.team or team
        elif isinstance(event, AllocatedToTeam):
            team = event.team
        elif isinstance(event, LookedAfterReviewHeld | IroContact) and event.iro_id:
            chairs.add(event.iro_id)
        elif (
            isinstance(
                event, InitialChildProtectionConferenceHeld | ReviewChildProtectionConferenceHeld
            )
            and event.chair
        ):
            chairs.add(event.chair)
        elif isinstance(event, RecordRestricted):
            restricted = event.reason
        elif isinstance(event, RecordRestrictionLifted):
            restricted = None
    stage = status_at(items, at).proceedings_stage
    return ChildFacts(
        child_id=child_id,
        exists=True,
        workers=frozenset({worker} if worker else ()),
        teams=frozenset({team} if team else ()),
        chairs=frozenset(chairs),
        legal_stage=_STAGES.get(stage) if stage else None,
        restricted=restricted is not None,
        restricted_reason=restricted,
    )


def facts_by_child(events: Iterable[RecordedEvent], *, at: datetime) -> dict[str, ChildFacts]:
    """:func:`child_facts` for every child in a log holding many."""
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    for item in events:
        grouped[item.child_id].append(item)
    return {child: child_facts(child, items, at=at) for child, items in grouped.items()}
