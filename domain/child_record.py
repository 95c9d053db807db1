"""The child's record: one append-only stream per child, and the rules a new entry must keep.

The aggregate is pure. It is rebuilt from the child's recorded events, decides
whether proposed events may be appended, and seals the ones that may. The
caller (an adapter) supplies the recorded-at time and the new event ids, and
writes the result with optimistic concurrency on the stream version.

Invariants are judged on the *effective* record: corrections substitute the
corrected content and entries recorded in error are left out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError

from domain.codes import LEGAL_STATUS_NEEDS_ORDER, LegalStatus, OrderKind
from domain.envelope import (
    GENESIS_HASH,
    PayloadSealer,
    RecordedEvent,
    may_hold_control_characters,
    refused_text,
    seal,
)
from domain.errors import IdempotencyConflict, InvalidEvent
from domain.events import EVENT_TYPES, CaseEvent
from domain.events.adoption import PlacedForAdoption
from domain.events.child_in_need import ChildInNeedPlanAgreed, ChildInNeedPlanEnded
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.events.looked_after import (
    BecameLookedAfter,
    CeasedToBeLookedAfter,
    LegalStatusChanged,
    MissingEpisodeEnded,
    MissingEpisodeStarted,
    PlacementEnded,
    PlacementStarted,
)
from domain.events.people import (
    ChildBorn,
    ChildRegistered,
    PersonAdded,
    RelationshipEnded,
    RelationshipRecorded,
)
from domain.events.proceedings import OrderMade
from domain.events.safeguarding import (
    AssessmentAuthorised,
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentStarted,
    ChildProtectionCategoryChanged,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    Section47Concluded,
    Section47Started,
)
from domain.writers import CALLER, Writer, key_scope, policy_owned

FUTURE_ALLOWANCE = timedelta(minutes=15)
"""How far past the recording moment an occurred-at may be (clock skew between devices)."""

PROTECTED_FIELDS = frozenset({"child_id", "recorded_by", "entered_by", "idempotency_key"})
"""Fields a correction may not change: they identify the record and who wrote it."""


@dataclass
class CaseState:
    """What the effective record says now: the facts the invariants need."""

    registered: bool = False
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    people: set[str] = field(default_factory=set)
    relationships: dict[str, date | None] = field(default_factory=dict)
    ended_relationships: set[str] = field(default_factory=set)
    cp_plan_since: date | None = None
    cin_plan_since: date | None = None
    looked_after_since: date | None = None
    placement: tuple[str, date] | None = None
    orders: set[OrderKind] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    s47_open: bool = False
    assessment_since: date | None = None
    assessment_completed: bool = False

    def copy(self) -> CaseState:
        """An independent copy: every container field copied (far cheaper than deepcopy).

        The containers are named one by one (a record is forked for every command);
        a test fails if a container field is added here without being copied.
        """
        clone = copy.copy(self)
        clone.people = set(self.people)
        clone.relationships = dict(self.relationships)
        clone.ended_relationships = set(self.ended_relationships)
        clone.orders = set(self.orders)
        clone.missing = set(self.missing)
        return clone


@dataclass
class Decision:
    """What a command did: events newly sealed, and events returned again for repeated keys."""

    new: list[RecordedEvent]
    results: list[RecordedEvent]
    # The record as it stands with ``new`` applied, and the version it was tried on: commit
    # adopts it instead of applying every new event a second time (bulk imports).
    outcome: ChildRecord | None = field(default=None, repr=False, compare=False)
    base: tuple[int, str] | None = field(default=None, repr=False, compare=False)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.new)


class ChildRecord:
    """One child's stream: its history, its hash chain head, and the rules for appending."""

    def __init__(self, child_id: str) -> None:
        self.child_id = child_id
        self.version = 0
        self.last_hash = GENESIS_HASH
        self.last_recorded_at: datetime | None = None
        self.history: list[RecordedEvent] = []
        self.by_id: dict[str, RecordedEvent] = {}
        # idempotency keys by (scope, key): a standards event's key cannot be occupied by a
        # caller's entry (domain.writers)
        self.by_key: dict[tuple[str, str], RecordedEvent] = {}
        self.corrections: dict[str, list[EntryCorrected]] = {}
        self.in_error: set[str] = set()
        self.state = CaseState()

    # -- rebuilding -------------------------------------------------------------------------

    @classmethod
    def rebuild(cls, child_id: str, recorded: Iterable[RecordedEvent]) -> ChildRecord:
        record = cls(child_id)
        for item in recorded:
            record._apply(item, derive=False)
        record._derive()
        return record

    def _apply(self, item: RecordedEvent, *, derive: bool = True) -> None:
        self.history.append(item)
        self.by_id[item.event_id] = item
        self.version = item.position
        self.last_hash = item.hash
        self.last_recorded_at = item.recorded_at
        event = item.event
        if event.idempotency_key:
            self.by_key[(key_scope(event), event.idempotency_key)] = item
        if isinstance(event, EntryCorrected):
            self.corrections.setdefault(event.target_event_id, []).append(event)
            if derive:
                self._derive()
        elif isinstance(event, EntryRecordedInError):
            self.in_error.add(event.target_event_id)
            if derive:
                self._derive()
        elif derive:
            _advance(self.state, event)

    def effective(self, event_id: str) -> CaseEvent | None:
        """The entry as it now stands: corrections applied; None if recorded in error."""
        if event_id in self.in_error:
            return None
        item = self.by_id[event_id]
        return corrected(item.event, self.corrections.get(event_id, []))

    def _derive(self) -> None:
        self.state = CaseState()
        for item in self.history:
            event = self.effective(item.event_id)
            if event is not None and not isinstance(event, EntryCorrected | EntryRecordedInError):
                _advance(self.state, event)

    # -- deciding ---------------------------------------------------------------------------

    def record(
        self,
        events: Sequence[CaseEvent],
        *,
        recorded_at: datetime | Sequence[datetime],
        new_id: Callable[[], str],
        in_place: bool = False,
        writer: Writer = CALLER,
        store_as: PayloadSealer | None = None,
    ) -> Decision:
        """Check and seal ``events`` in order; InvalidEvent (naming its index) if any breaks a rule.

        ``recorded_at`` is either one moment for the whole call (a live write: a clock that
        runs behind the record's last entry is clamped up to it, so the record never goes
        back in time) or one moment per event (an import keeping each entry's own "written
        down" time). Per-event times must be timezone-aware and never earlier than the
        entry written down before them on this record; nothing is clamped, because an
        imported time is evidence. Entries repeated by idempotency key write nothing, so
        their times are not judged (a re-run import passes over what it already wrote).

        The record itself is advanced only by :meth:`commit` once the store has written.
        A repeated idempotency key writes nothing and returns the event first written for it.

        ``in_place`` checks and applies the events on this record itself instead of on a
        copy (copying a long record for every batch of a bulk import cost a sixth of the
        import's time): for a caller that throws the record away if anything fails,
        because an InvalidEvent then leaves it advanced by the events before the refused
        one, and a failed write leaves it advanced by all of them.

        ``store_as`` gives each payload as stored (its personal fields encrypted under their
        subjects' keys, :mod:`adapters.shredding`); the chain hashes what is stored.
        """
        times = self._recorded_times(events, recorded_at)
        per_event_times = not isinstance(recorded_at, datetime)
        base = (self.version, self.last_hash)
        trial = self if in_place else self._fork()
        new: list[RecordedEvent] = []
        results: list[RecordedEvent] = []
        for index, event in enumerate(events):
            if policy_owned(event) and not writer.system:
                raise InvalidEvent(
                    f"{event.kind} is written only by the policy handler (caseledger tick), "
                    "never recorded or imported: leave it out",
                    field="kind",
                    kind=event.kind,
                    index=index,
                )
            key = event.idempotency_key
            if key:
                earlier = trial.by_key.get((key_scope(event), key))
                if earlier is not None:
                    if not writer.system:
                        _check_same_entry(earlier, event, key, index)
                    results.append(earlier)
                    continue
            moment = times[index]
            try:
                trial.check(event, moment)
                if per_event_times:
                    trial._check_written_in_order(event, moment)
            except InvalidEvent as error:
                raise error.at(index) from None
            try:
                sealed = seal(
                    event_id=new_id(),
                    position=trial.version + 1,
                    recorded_at=moment,
                    event=event,
                    prev_hash=trial.last_hash,
                    store_as=store_as,
                )
            except (UnicodeEncodeError, orjson.JSONEncodeError):  # a lone surrogate: not text
                sealed = None
            if sealed is None or _may_hold_refused_text(sealed, encrypted=store_as is not None):
                _check_text(event, index)
            assert sealed is not None
            trial._apply(sealed)
            new.append(sealed)
            results.append(sealed)
        return Decision(new=new, results=results, outcome=trial, base=base)

    def _recorded_times(
        self, events: Sequence[CaseEvent], recorded_at: datetime | Sequence[datetime]
    ) -> Sequence[datetime]:
        """One recorded-at per event: the single moment (clamped) repeated, or the ones given."""
        if isinstance(recorded_at, datetime):
            moment = recorded_at
            if self.last_recorded_at is not None and moment < self.last_recorded_at:
                moment = self.last_recorded_at
            return [moment] * len(events)
        if len(recorded_at) != len(events):
            raise InvalidEvent(
                f"gives {len(recorded_at)} times for {len(events)} events: one per event",
                field="recorded_at",
            )
        for index, (event, moment) in enumerate(zip(events, recorded_at, strict=True)):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise InvalidEvent(
                    f"is {moment.isoformat()}, without a timezone: give an offset "
                    "(e.g. +00:00) so the moment is unambiguous",
                    field="recorded_at",
                    kind=event.kind,
                    index=index,
                )
        return recorded_at

    def _check_written_in_order(self, event: CaseEvent, recorded_at: datetime) -> None:
        last = self.last_recorded_at
        if last is not None and recorded_at < last:
            raise InvalidEvent(
                f"is {recorded_at.isoformat()}, earlier than {last.isoformat()} when the "
                f"entry before it on the record of child {self.child_id!r} was written down: "
                "entries are imported in the order they were written down",
                field="recorded_at",
                kind=event.kind,
            )

    def _fork(self) -> ChildRecord:
        """A copy to try a batch on: containers copied, recorded events shared (they are frozen).

        A test fails if a container attribute is added here without being copied.
        """
        trial = copy.copy(self)  # the scalars: child_id, version, last_hash, last_recorded_at
        trial.history = list(self.history)
        trial.by_id = dict(self.by_id)
        trial.by_key = dict(self.by_key)
        trial.corrections = {k: list(v) for k, v in self.corrections.items()}
        trial.in_error = set(self.in_error)
        trial.state = self.state.copy()
        return trial

    def commit(self, decision: Decision) -> None:
        """Advance the record by a decision's new events (once the store has written them)."""
        if not decision.new:
            return
        if decision.outcome is self:
            decision.outcome = None  # decided in place: already advanced
            return
        if decision.outcome is not None and decision.base == (self.version, self.last_hash):
            # the decision was tried on this very record: take its result as it is
            self.__dict__.update(decision.outcome.__dict__)
            decision.outcome = None
            return
        for item in decision.new:
            self._apply(item)

    def check(self, event: CaseEvent, recorded_at: datetime) -> None:
        """Raise InvalidEvent if appending ``event`` now would break a rule of the record."""
        kind = event.kind
        state = self.state
        if event.child_id != self.child_id:
            raise InvalidEvent(
                f"is {event.child_id!r} but this is the record of {self.child_id!r}",
                field="child_id",
                kind=kind,
            )
        if isinstance(event, ChildRegistered):
            if self.version > 0:
                raise InvalidEvent(
                    "the child is already registered; a record opens only once",
                    field="kind",
                    kind=kind,
                )
        elif self.version == 0:
            raise InvalidEvent(
                f"child {self.child_id!r} is not registered: the first event of a record must be "
                "child_registered",
                field="child_id",
                kind=kind,
            )
        _check_not_future(event, recorded_at)
        self._check_not_before_birth(event)
        if isinstance(event, EntryCorrected | EntryRecordedInError):
            self._check_target(event)
            return
        _check_against_state(state, event)

    def _check_not_before_birth(self, event: CaseEvent) -> None:
        dob = self.state.date_of_birth
        if dob is None or isinstance(event, ChildRegistered | ChildBorn):
            return
        if isinstance(event, PersonAdded | RelationshipRecorded | RelationshipEnded):
            return  # family history can reach back before the child was born
        if event.occurred_date < dob and not self._registered_unborn():
            raise InvalidEvent(
                "is before the child's date of birth (not shown: it is personal data); "
                "pre-birth events are only allowed on a record opened for an unborn child",
                field="occurred_at",
                kind=event.kind,
            )

    def _registered_unborn(self) -> bool:
        first = self.history[0].event if self.history else None
        return isinstance(first, ChildRegistered) and first.expected_date_of_birth is not None

    def _check_target(self, event: EntryCorrected | EntryRecordedInError) -> None:
        target_id = event.target_event_id
        target = self.by_id.get(target_id)
        if target is None:
            raise InvalidEvent(
                f"no event {target_id!r} exists on the record of child {self.child_id!r}",
                field="target_event_id",
                kind=event.kind,
            )
        if target_id in self.in_error:
            raise InvalidEvent(
                f"event {target_id!r} is already recorded in error",
                field="target_event_id",
                kind=event.kind,
            )
        if isinstance(target.event, EntryCorrected | EntryRecordedInError):
            raise InvalidEvent(
                "a correction cannot target another correction; correct the original entry",
                field="target_event_id",
                kind=event.kind,
            )
        if isinstance(event, EntryCorrected):
            current = self.effective(target_id)
            assert current is not None
            _check_changes(current, event)


def _may_hold_refused_text(sealed: RecordedEvent, *, encrypted: bool) -> bool:
    """False if the event's text certainly holds no refused character (no closer look needed).

    The canonical bytes tell, unless encryption hid the personal text in ciphertext: then the
    plain payload's JSON does (the same text, in the same escapes).
    """
    if not encrypted:
        return may_hold_control_characters(sealed.sealed_bytes or b"")
    try:
        plain = orjson.dumps(sealed.payload())
    except orjson.JSONEncodeError:  # a lone surrogate, or a value JSON cannot hold
        return True
    return may_hold_control_characters(plain)


def _check_text(event: CaseEvent, index: int) -> None:
    """Refuse an event whose text holds a control character or a lone surrogate."""
    found = refused_text(event.model_dump(mode="python", exclude_none=True))
    if found is not None:
        raise InvalidEvent(found[1], field=found[0], kind=event.kind, index=index)


def _check_same_entry(earlier: RecordedEvent, event: CaseEvent, key: str, index: int) -> None:
    """A repeated key must bring the entry first written for it, else it is a conflict."""
    if earlier.kind != event.kind:
        differs = f"kind ({earlier.kind}, now {event.kind})"
    elif earlier.event.recorded_by != event.recorded_by:
        differs = "author (recorded_by)"
    elif _content(earlier.payload()) != _content(event.payload()):
        differs = "content"
    else:
        return
    raise IdempotencyConflict(
        key,
        earlier_event_id=earlier.event_id,
        earlier_position=earlier.position,
        child_id=earlier.child_id,
        differs=differs,
        index=index,
    )


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    """What an entry says, without who typed it in (a re-import by another account is the same)."""
    return {k: v for k, v in payload.items() if k != "entered_by"}


def corrected(original: CaseEvent, corrections: Sequence[EntryCorrected]) -> CaseEvent:
    """The original event with each correction's changes applied in order."""
    if not corrections:
        return original
    data = original.model_dump()
    for correction in corrections:
        data.update(correction.changes)
    return type(original).model_validate(data)


def _check_changes(current: CaseEvent, event: EntryCorrected) -> None:
    known = type(current).model_fields
    for name in event.changes:
        if name not in known:
            raise InvalidEvent(
                f"{current.kind} has no field {name!r}", field=f"changes.{name}", kind=event.kind
            )
        if name in PROTECTED_FIELDS:
            raise InvalidEvent(
                "cannot be corrected: it identifies the record or who wrote it",
                field=f"changes.{name}",
                kind=event.kind,
            )
    from domain.parsing import wrong_type

    data: dict[str, Any] = current.model_dump(mode="json")
    data.update(event.changes)
    wrong = wrong_type(dict(event.changes), type(current))
    if wrong is not None:  # strictly, as a new entry: a correction cannot make "yes" true
        raise InvalidEvent(
            f"the corrected {current.kind} would be invalid: {wrong[1]}",
            field=f"changes.{wrong[0]}",
            kind=event.kind,
        )
    try:
        type(current).model_validate_json(orjson.dumps(data))
    except (ValidationError, TypeError) as exc:
        if isinstance(exc, TypeError):
            raise InvalidEvent(
                "holds a value that is not JSON", field="changes", kind=event.kind
            ) from None
        err = exc.errors(include_url=False, include_input=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InvalidEvent(
            f"the corrected {current.kind} would be invalid: {err['msg']}",
            field=f"changes.{loc}" if loc else "changes",
            kind=event.kind,
        ) from None


def _check_not_future(event: CaseEvent, recorded_at: datetime) -> None:
    limit = recorded_at + FUTURE_ALLOWANCE
    if isinstance(event.occurred_at, datetime):
        late = event.occurred_at > limit
    else:
        from domain.events.base import LONDON

        late = event.occurred_at > limit.astimezone(LONDON).date()
    if late:
        raise InvalidEvent(
            f"is {event.occurred_at.isoformat()}, in the future (recorded at "
            f"{recorded_at.isoformat()}; allowance {int(FUTURE_ALLOWANCE.total_seconds() // 60)} "
            "minutes)",
            field="occurred_at",
            kind=event.kind,
        )


def _fail(event: CaseEvent, field_name: str, rule: str) -> InvalidEvent:
    return InvalidEvent(rule, field=field_name, kind=event.kind)


def _not_before(event: CaseEvent, since: date, what: str) -> None:
    if event.occurred_date < since:
        raise _fail(
            event,
            "occurred_at",
            f"is {event.occurred_date.isoformat()}, before the {what} started on "
            f"{since.isoformat()}: it cannot end before it starts",
        )


def _check_legal_status(state: CaseState, event: CaseEvent, status: LegalStatus) -> None:
    needed = LEGAL_STATUS_NEEDS_ORDER.get(status)
    if needed and not state.orders.intersection(needed):
        raise _fail(
            event,
            "legal_status",
            f"{status.value} needs an order in force ({', '.join(o.value for o in needed)}); "
            "record order_made first",
        )


class _PassedBy:
    """The registered event classes that are none of ``handled``.

    Most events are of a kind no invariant reads: a chain of isinstance checks returns at
    once for these instead of failing every check. Any other class (one declared after
    the set is first used, a test's own) still walks the whole chain. The set is made on
    first use, not at import: listing the catalogue imports every event module, which a
    command that never checks a write (``verify``, ``children``) need not pay for.
    """

    def __init__(self, handled: tuple[type[CaseEvent], ...]) -> None:
        self._handled = handled
        self._classes: frozenset[type[CaseEvent]] | None = None

    @property
    def classes(self) -> frozenset[type[CaseEvent]]:
        if self._classes is None:
            self._classes = frozenset(
                cls for cls in EVENT_TYPES.values() if not issubclass(cls, self._handled)
            )
        return self._classes

    def __contains__(self, cls: object) -> bool:
        return cls in self.classes

    def __eq__(self, other: object) -> bool:
        return self.classes == other

    __hash__ = None  # type: ignore[assignment]


def _passed_by(handled: tuple[type[CaseEvent], ...]) -> _PassedBy:
    return _PassedBy(handled)


_CHECKED = (
    ChildBorn,
    PersonAdded,
    RelationshipRecorded,
    RelationshipEnded,
    ChildProtectionPlanStarted,
    ChildProtectionCategoryChanged,
    ChildProtectionPlanEnded,
    ChildInNeedPlanAgreed,
    ChildInNeedPlanEnded,
    Section47Concluded,
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentAuthorised,
    BecameLookedAfter,
    LegalStatusChanged,
    CeasedToBeLookedAfter,
    PlacementStarted,
    PlacementEnded,
    MissingEpisodeStarted,
    MissingEpisodeEnded,
    PlacedForAdoption,
)
"""Every class ``_check_against_state`` tests for (a test holds it to the function's code)."""
_NOT_CHECKED = _passed_by(_CHECKED)


def _check_against_state(state: CaseState, event: CaseEvent) -> None:  # noqa: C901
    """The invariants between an event and what the record already says."""
    if type(event) in _NOT_CHECKED:
        return
    if isinstance(event, ChildBorn):
        if state.date_of_birth is not None:
            raise _fail(event, "kind", "the child's birth is already recorded")
    elif isinstance(event, PersonAdded):
        if event.person_id in state.people:
            raise _fail(event, "person_id", f"{event.person_id!r} is already on the record")
    elif isinstance(event, RelationshipRecorded):
        if event.relationship_id in state.relationships:
            raise _fail(
                event, "relationship_id", f"{event.relationship_id!r} is already on the record"
            )
        for name in ("from_person", "to_person"):
            person = getattr(event, name)
            if person != event.child_id and person not in state.people:
                raise _fail(event, name, f"{person!r} is not a person on this record")
    elif isinstance(event, RelationshipEnded):
        if event.relationship_id not in state.relationships:
            raise _fail(event, "relationship_id", f"no relationship {event.relationship_id!r}")
        if event.relationship_id in state.ended_relationships:
            raise _fail(event, "relationship_id", "that relationship has already ended")
        started = state.relationships[event.relationship_id]
        if started is not None and event.ended_on < started:
            raise _fail(event, "ended_on", f"is before the relationship started on {started}")
    elif isinstance(event, ChildProtectionPlanStarted):
        if state.cp_plan_since is not None:
            raise _fail(
                event,
                "kind",
                f"a child protection plan is already open since {state.cp_plan_since}",
            )
    elif isinstance(event, ChildProtectionCategoryChanged):
        if state.cp_plan_since is None:
            raise _fail(event, "kind", "there is no open child protection plan")
    elif isinstance(event, ChildProtectionPlanEnded):
        if state.cp_plan_since is None:
            raise _fail(event, "kind", "there is no open child protection plan to end")
        _not_before(event, state.cp_plan_since, "child protection plan")
    elif isinstance(event, ChildInNeedPlanAgreed):
        if state.cin_plan_since is not None:
            raise _fail(
                event, "kind", f"a child in need plan is already open since {state.cin_plan_since}"
            )
    elif isinstance(event, ChildInNeedPlanEnded):
        if state.cin_plan_since is None:
            raise _fail(event, "kind", "there is no open child in need plan to end")
        _not_before(event, state.cin_plan_since, "child in need plan")
    elif isinstance(event, Section47Concluded):
        if not state.s47_open:
            raise _fail(event, "kind", "there is no open section 47 enquiry to conclude")
    elif isinstance(event, AssessmentCompleted | AssessmentExtended):
        if state.assessment_since is None:
            raise _fail(event, "kind", "there is no open assessment")
        if isinstance(event, AssessmentExtended) and event.agreed_new_date < state.assessment_since:
            raise _fail(event, "agreed_new_date", "is before the assessment started")
        _not_before(event, state.assessment_since, "assessment")
    elif isinstance(event, AssessmentAuthorised):
        if not state.assessment_completed:
            raise _fail(event, "kind", "there is no completed assessment awaiting authorisation")
    elif isinstance(event, BecameLookedAfter):
        if state.looked_after_since is not None:
            raise _fail(
                event, "kind", f"the child is already looked after since {state.looked_after_since}"
            )
        _check_legal_status(state, event, event.legal_status)
    elif isinstance(event, LegalStatusChanged):
        if state.looked_after_since is None:
            raise _fail(event, "kind", "the child is not looked after")
        _check_legal_status(state, event, event.legal_status)
    elif isinstance(event, CeasedToBeLookedAfter):
        if state.looked_after_since is None:
            raise _fail(event, "kind", "the child is not looked after")
        _not_before(event, state.looked_after_since, "period of care")
        if state.placement is not None:
            raise _fail(
                event, "kind", f"placement {state.placement[0]!r} is still open; end it first"
            )
    elif isinstance(event, PlacementStarted):
        if state.looked_after_since is None:
            raise _fail(event, "kind", "a placement needs the child to be looked after")
        if state.placement is not None:
            raise _fail(
                event,
                "placement_id",
                f"two placements at once: {state.placement[0]!r} (started "
                f"{state.placement[1].isoformat()}) is still open; end it first",
            )
        _not_before(event, state.looked_after_since, "period of care")
    elif isinstance(event, PlacementEnded):
        if state.placement is None or state.placement[0] != event.placement_id:
            raise _fail(event, "placement_id", f"no open placement {event.placement_id!r}")
        _not_before(event, state.placement[1], "placement")
    elif isinstance(event, MissingEpisodeStarted):
        if event.episode_id in state.missing:
            raise _fail(event, "episode_id", "that missing episode is already open")
    elif isinstance(event, MissingEpisodeEnded):
        if event.episode_id not in state.missing:
            raise _fail(event, "episode_id", f"no open missing episode {event.episode_id!r}")
    elif isinstance(event, PlacedForAdoption):
        if state.looked_after_since is None:
            raise _fail(event, "kind", "placing for adoption needs the child to be looked after")


_ADVANCED = (
    ChildRegistered,
    ChildBorn,
    PersonAdded,
    RelationshipRecorded,
    RelationshipEnded,
    ChildProtectionPlanStarted,
    ChildProtectionPlanEnded,
    ChildInNeedPlanAgreed,
    ChildInNeedPlanEnded,
    Section47Started,
    Section47Concluded,
    AssessmentStarted,
    AssessmentCompleted,
    AssessmentAuthorised,
    OrderMade,
    BecameLookedAfter,
    CeasedToBeLookedAfter,
    PlacementStarted,
    PlacementEnded,
    MissingEpisodeStarted,
    MissingEpisodeEnded,
)
"""Every class ``_advance`` tests for (a test holds it to the function's code)."""
_NOT_ADVANCED = _passed_by(_ADVANCED)


def _advance(state: CaseState, event: CaseEvent) -> None:  # noqa: C901
    """Fold one effective event into the state the invariants read."""
    if type(event) in _NOT_ADVANCED:
        return
    day = event.occurred_date
    if isinstance(event, ChildRegistered):
        state.registered = True
        state.date_of_birth = event.date_of_birth
        state.expected_date_of_birth = event.expected_date_of_birth
    elif isinstance(event, ChildBorn):
        state.date_of_birth = event.date_of_birth
    elif isinstance(event, PersonAdded):
        state.people.add(event.person_id)
    elif isinstance(event, RelationshipRecorded):
        state.relationships[event.relationship_id] = event.started_on
    elif isinstance(event, RelationshipEnded):
        state.ended_relationships.add(event.relationship_id)
    elif isinstance(event, ChildProtectionPlanStarted):
        state.cp_plan_since = day
    elif isinstance(event, ChildProtectionPlanEnded):
        state.cp_plan_since = None
    elif isinstance(event, ChildInNeedPlanAgreed):
        state.cin_plan_since = day
    elif isinstance(event, ChildInNeedPlanEnded):
        state.cin_plan_since = None
    elif isinstance(event, Section47Started):
        state.s47_open = True
    elif isinstance(event, Section47Concluded):
        state.s47_open = False
    elif isinstance(event, AssessmentStarted):
        state.assessment_since = day
        state.assessment_completed = False
    elif isinstance(event, AssessmentCompleted):
        state.assessment_completed = True
    elif isinstance(event, AssessmentAuthorised):
        state.assessment_since = None
        state.assessment_completed = False
    elif isinstance(event, OrderMade):
        if event.order is OrderKind.DISCHARGE_OF_CARE_ORDER:
            state.orders.discard(OrderKind.CARE_ORDER)
        else:
            state.orders.add(event.order)
    elif isinstance(event, BecameLookedAfter):
        state.looked_after_since = day
    elif isinstance(event, CeasedToBeLookedAfter):
        state.looked_after_since = None
        state.placement = None
    elif isinstance(event, PlacementStarted):
        state.placement = (event.placement_id, day)
    elif isinstance(event, PlacementEnded):
        state.placement = None
    elif isinstance(event, MissingEpisodeStarted):
        state.missing.add(event.episode_id)
    elif isinstance(event, MissingEpisodeEnded):
        state.missing.discard(event.episode_id)
