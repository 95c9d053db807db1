"""Least privilege on PostgreSQL: an owner role for the schema, an application role to use it.

``caseledger migrate --db postgresql://OWNER@... --app-role APP`` creates (as the owner)
the events table, its append-only triggers, the head anchors and the checkpoints, then
grants the application role only what it needs:

- the events table: SELECT and INSERT (no UPDATE, DELETE or TRUNCATE; not being its owner,
  it cannot ``ALTER TABLE ... DISABLE TRIGGER`` or drop the table or a trigger);
- the heads: SELECT only (the trigger that keeps them runs as the owner);
- the checkpoints: SELECT and INSERT (the application signs them);
- the accounts and grants: SELECT, INSERT and UPDATE (disable an account, revoke a grant);
- the access log: SELECT and INSERT only (append-only, as the events);
- the relay's published position: SELECT, INSERT and UPDATE;
- the sign-in failures (the shared throttle): SELECT, INSERT, UPDATE and DELETE;
- the disposal log: SELECT and INSERT only (its triggers refuse UPDATE, DELETE and TRUNCATE,
  and the application cannot drop them); the subject keys of an encrypted store: SELECT,
  INSERT and UPDATE (a destruction blanks a key);
- the schema: USAGE, and CREATE for the read models (rebuildable tables it owns itself).

The application then runs with ``--db postgresql://APP@...``. Appends serialise on a
transaction-scoped advisory lock instead of a table lock (``adapters.pg_recorder``): an
EXCLUSIVE table lock needs UPDATE rights, which the application role no longer has.
"""

from __future__ import annotations

import re

from sqlalchemy import inspect, text

from adapters import disposal_log
from adapters.anchors import CHECKPOINTS, HEADS
from adapters.auth import shared_throttle
from adapters.auth.tables import access_log, access_log_head, accounts, grants, install
from adapters.db import sql_engine
from adapters.shredding import subject_keys as keys
from adapters.store import EventStore

ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_application_role(store: EventStore, role: str) -> list[str]:
    """Grant ``role`` what the application needs on this store (run as the owner)."""
    if store.db.is_sqlite:
        raise ValueError("roles are a PostgreSQL matter: a SQLite store is guarded by file mode")
    if not ROLE_PATTERN.match(role):
        raise ValueError(f"--app-role {role!r}: lower-case letters, digits and _ only")
    install(store.url)
    shared_throttle.install(store.url)
    engine = sql_engine(store.url)
    disposal_log.ensure(engine)  # as the owner: the application cannot drop its triggers
    # (the subject keys' table marks a store as encrypted: granted on only when it is there)
    encrypted = inspect(engine).has_table(keys.subject_keys.name)
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
        # accounts and grants change (disable, revoke); the access log is read and appended only
        f"REVOKE ALL ON {schema}.{accounts.name} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {schema}.{accounts.name} TO {role}",
        f"REVOKE ALL ON {schema}.{grants.name} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {schema}.{grants.name} TO {role}",
        f"GRANT USAGE, SELECT ON SEQUENCE {schema}.{grants.name}_id_seq TO {role}",
        f"REVOKE ALL ON {schema}.{access_log.name} FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.{access_log.name} TO {role}",
        f"REVOKE ALL ON {schema}.{access_log_head.name} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {schema}.{access_log_head.name} TO {role}",
        # failed sign-ins are counted, and a success clears its account's count
        f"REVOKE ALL ON {schema}.{shared_throttle.sign_in_failures.name} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.{shared_throttle.sign_in_failures.name} "
        f"TO {role}",
        # the relay's published position (`caseledger publish`), created by migrate
        f"GRANT SELECT, INSERT, UPDATE ON {schema}.publish_positions TO {role}",
        # certificates are appended only; a destruction blanks a subject's key
        f"REVOKE ALL ON {schema}.{disposal_log.disposals.name} FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.{disposal_log.disposals.name} TO {role}",
    ]
    if encrypted:
        statements += [
            f"REVOKE ALL ON {schema}.{keys.subject_keys.name} FROM {role}",
            f"GRANT SELECT, INSERT, UPDATE ON {schema}.{keys.subject_keys.name} TO {role}",
        ]
    with sql_engine(store.url).begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements
