"""Least privilege on PostgreSQL: an owner role for the schema, an application role to use it.

``caseledger migrate --db postgresql://OWNER@... --app-role APP`` creates (as the owner)
the events table, its append-only triggers, the head anchors and the checkpoints, then
grants the application role only what it needs:

- the events table: SELECT and INSERT (no UPDATE, DELETE or TRUNCATE; not being its owner,
  it cannot ``ALTER TABLE ... DISABLE TRIGGER`` or drop the table or a trigger);
- the heads: SELECT only (the trigger that keeps them runs as the owner);
- the checkpoints: SELECT and INSERT (the application signs them);
- the relay's published position: SELECT, INSERT and UPDATE;
- the schema: USAGE, and CREATE for the read models (rebuildable tables it owns itself).

The application then runs with ``--db postgresql://APP@...``. Appends serialise on a
transaction-scoped advisory lock instead of a table lock (``adapters.pg_recorder``): an
EXCLUSIVE table lock needs UPDATE rights, which the application role no longer has.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from adapters.anchors import CHECKPOINTS, HEADS
from adapters.db import sql_engine
from adapters.store import EventStore

ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_application_role(store: EventStore, role: str) -> list[str]:
    """Grant ``role`` what the application needs on this store (run as the owner)."""
    if store.db.is_sqlite:
        raise ValueError("roles are a PostgreSQL matter: a SQLite store is guarded by file mode")
    if not ROLE_PATTERN.match(role):
        raise ValueError(f"--app-role {role!r}: lower-case letters, digits and _ only")
    schema = f'"{store.db.schema}"' if store.db.schema else "public"
    events = store.qualified_table
    sequence = f"{schema}.{store.events_table}_notification_id_seq"
    statements = [
        f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON {events} FROM {role}",
        f"GRANT SELECT, INSERT ON {events} TO {role}",
        f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {role}",
        f"REVOKE ALL ON {schema}.{HEADS} FROM {role}",
        f"GRANT SELECT ON {schema}.{HEADS} TO {role}",
        f"REVOKE ALL ON {schema}.{CHECKPOINTS} FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.{CHECKPOINTS} TO {role}",
        f"GRANT USAGE, SELECT ON SEQUENCE {schema}.{CHECKPOINTS}_id_seq TO {role}",
        # the relay's published position (`caseledger publish`), created by migrate
        f"GRANT SELECT, INSERT, UPDATE ON {schema}.publish_positions TO {role}",
    ]
    with sql_engine(store.url).begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements
