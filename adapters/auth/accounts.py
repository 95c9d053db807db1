"""Local accounts and grants, kept in the store's own tables.

An account's name is the id the record uses for that person (``worker_id``, ``iro_id``,
a conference ``chair``), so "allocated to them" is a fold of the record. Passwords are
argon2id hashes and never logged; an account made for the CLI only may have none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, update

from adapters.access_policy import load_policy
from adapters.auth.passwords import hash_password, password_matches
from adapters.auth.tables import accounts, exists, grants, install
from adapters.db import sql_engine
from domain.access import Grant, GrantKind, Principal
from domain.events.base import PERSON_ID_PATTERN
from policies.access import AccessPolicy

NAME = re.compile(PERSON_ID_PATTERN)


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    team: str | None
    disabled: bool
    has_password: bool
    created_at: str
    created_by: str

    def principal(self) -> Principal:
        return Principal(user_id=self.name, role=self.role, team=self.team, source="local")

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "disabled": self.disabled,
            "password": self.has_password,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


class AccountError(ValueError):
    """A bad account or grant request: the message names the field and the rule."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class Accounts:
    """The accounts and grants of one store."""

    def __init__(self, url: str, policy: AccessPolicy | None = None) -> None:
        self.url = url
        self.engine: Engine = sql_engine(url)
        self.policy = policy or load_policy()

    # -- accounts ---------------------------------------------------------------------------

    def count(self) -> int:
        if not exists(self.url):
            return 0
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())

    def add(
        self,
        name: str,
        role: str,
        *,
        team: str | None,
        password: str | None,
        created_by: str,
        now: datetime | None = None,
    ) -> Account:
        if not NAME.match(name):
            raise AccountError(
                f"name {name!r}: letters, digits and . _ : - only, starting with a letter or "
                "digit, at most 64 (it is the id the record uses for this person)"
            )
        if role not in self.policy.account_roles:
            raise AccountError(
                f"--role {role!r}: choose one of {', '.join(self.policy.account_roles)}"
            )
        if role == "team_manager" and not team:
            raise AccountError("--team: a team manager's rights come from their team; give it")
        if team is not None and not (0 < len(team) <= 100):
            raise AccountError("--team: 1 to 100 characters")
        if self.get(name) is not None:
            raise AccountError(f"account {name!r} already exists")
        hashed = hash_password(password) if password is not None else None
        install(self.url)
        with self.engine.begin() as conn:
            conn.execute(
                accounts.insert().values(
                    name=name,
                    role=role,
                    team=team,
                    password_hash=hashed,
                    disabled=False,
                    created_at=_iso(now or datetime.now(UTC)),
                    created_by=created_by,
                )
            )
        found = self.get(name)
        assert found is not None
        return found

    def get(self, name: str) -> Account | None:
        if not exists(self.url):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        if row is None:
            return None
        return Account(
            name=row.name,
            role=row.role,
            team=row.team,
            disabled=bool(row.disabled),
            has_password=row.password_hash is not None,
            created_at=row.created_at,
            created_by=row.created_by,
        )

    def everyone(self) -> list[Account]:
        if not exists(self.url):
            return []
        with self.engine.connect() as conn:
            names = conn.execute(select(accounts.c.name).order_by(accounts.c.name)).scalars()
            found = [self.get(n) for n in list(names)]
        return [a for a in found if a is not None]

    def set_disabled(self, name: str, disabled: bool = True) -> Account:
        if self.get(name) is None:
            raise AccountError(f"no account {name!r}")
        with self.engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.name == name).values(disabled=disabled))
        found = self.get(name)
        assert found is not None
        return found

    def set_password(self, name: str, password: str) -> None:
        if self.get(name) is None:
            raise AccountError(f"no account {name!r}")
        hashed = hash_password(password)
        with self.engine.begin() as conn:
            conn.execute(
                update(accounts).where(accounts.c.name == name).values(password_hash=hashed)
            )

    def check_password(self, name: str, password: str) -> Account | None:
        """The account if the name and password match and it is enabled (else None)."""
        row = None
        if exists(self.url):
            with self.engine.connect() as conn:
                row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        stored = row.password_hash if row is not None else None
        if not password_matches(stored, password) or row is None or row.disabled:
            return None
        return self.get(name)

    # -- grants -----------------------------------------------------------------------------

    def grant(
        self,
        user_id: str,
        child_id: str,
        kind: GrantKind,
        *,
        reason: str,
        granted_by: str,
        days: float | None = None,
        hours: float | None = None,
        now: datetime | None = None,
    ) -> Grant:
        moment = now or datetime.now(UTC)
        if not reason.strip():
            raise AccountError("--reason: say why the grant is given")
        account = self.get(user_id)
        if account is None and kind is not GrantKind.BREAK_GLASS:
            raise AccountError(f"no account {user_id!r}")
        if kind is GrantKind.REVIEW and days is None and hours is None:
            raise AccountError("--days: a safeguarding review grant is time-boxed; give --days")
        length = timedelta(days=days or 0, hours=hours or 0)
        ends = moment + length if (days is not None or hours is not None) else None
        if ends is not None and ends <= moment:
            raise AccountError("--days: the grant must last some time")
        made = Grant(
            user_id=user_id,
            child_id=child_id,
            kind=kind,
            starts_at=moment,
            ends_at=ends,
            reason=reason.strip(),
            granted_by=granted_by,
        )
        install(self.url)
        with self.engine.begin() as conn:
            conn.execute(
                grants.insert().values(
                    user_id=user_id,
                    child_id=child_id,
                    kind=kind.value,
                    starts_at=_iso(moment),
                    ends_at=None if ends is None else _iso(ends),
                    reason=made.reason,
                    granted_by=granted_by,
                )
            )
        return made

    def revoke(self, user_id: str, child_id: str, *, now: datetime | None = None) -> int:
        """Revoke every open grant of ``user_id`` on ``child_id``; how many were revoked."""
        moment = _iso(now or datetime.now(UTC))
        if not exists(self.url):
            return 0
        with self.engine.begin() as conn:
            done = conn.execute(
                update(grants)
                .where(
                    grants.c.user_id == user_id,
                    grants.c.child_id == child_id,
                    grants.c.revoked_at.is_(None),
                )
                .values(revoked_at=moment)
            )
        return int(done.rowcount or 0)

    def grants_for(self, user_id: str, child_id: str | None = None) -> list[Grant]:
        query = select(grants).where(grants.c.user_id == user_id)
        if child_id is not None:
            query = query.where(grants.c.child_id == child_id)
        if not exists(self.url):
            return []
        with self.engine.connect() as conn:
            rows = list(conn.execute(query.order_by(grants.c.id)))
        return [
            Grant(
                user_id=r.user_id,
                child_id=r.child_id,
                kind=GrantKind(r.kind),
                starts_at=datetime.fromisoformat(r.starts_at),
                ends_at=_when(r.ends_at),
                reason=r.reason,
                granted_by=r.granted_by,
                revoked_at=_when(r.revoked_at),
            )
            for r in rows
        ]

    def all_grants(self) -> list[Grant]:
        if not exists(self.url):
            return []
        with self.engine.connect() as conn:
            users = list(conn.execute(select(grants.c.user_id).distinct()).scalars())
        return [g for user in sorted(users) for g in self.grants_for(user)]
