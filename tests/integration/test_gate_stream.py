"""A gate reads a child's stream once for its check and the page that follows, and reads it
again after it writes to that record itself."""

from __future__ import annotations

from adapters.auth.accounts import Accounts
from adapters.auth.guard import Gate
from adapters.store import EventStore
from domain.access import Action
from tests.access_world import OWN, build


def test_the_gate_reads_a_stream_once_until_it_writes(sqlite_url: str) -> None:
    build(sqlite_url)
    principal = Accounts(sqlite_url).get("tm-1").principal()  # type: ignore[union-attr]
    with EventStore(sqlite_url) as store:
        reads: list[str] = []
        real = store.stream

        def counted(child_id: str):  # type: ignore[no-untyped-def]
            reads.append(child_id)
            return real(child_id)

        store.stream = counted  # type: ignore[method-assign]
        gate = Gate(store, principal, channel="http")
        gate.read(OWN, Action.READ, "test")
        events = gate.stream(OWN)
        events.clear()  # a caller's copy: the gate's is untouched
        assert len(gate.stream(OWN)) == len(real(OWN)) > 0
        assert reads == [OWN]
        gate.restrict(OWN, "Adoption: restricted to named staff.")
        assert gate.stream(OWN)[-1].kind == "record_restricted"
        assert reads == [OWN, OWN]  # the restriction checked on the cached stream, then anew
