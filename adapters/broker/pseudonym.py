"""Pseudonymised ids for what leaves the store: a keyed hash, stable, not reversible outside.

A child's id becomes the first 32 hex digits of HMAC-SHA256 under a key derived (HKDF,
its own label) from the store's key (:mod:`adapters.keys`). The same child has the same
pseudonym in every message and every run, so an analyst can join on it; without the key
nobody can compute it from an id they know (an id is often guessable: ``LA370-000123``).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapters.db import Database
from adapters.keys import load_key, sign

LABEL = b"caseledger pseudonymised ids v1"
LENGTH = 32
"""Hex digits kept: 128 bits, no collision among any authority's children."""


def derive_key(store_key: bytes) -> bytes:
    """The pseudonym key: HKDF-SHA256 of the store key under its own label."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL).derive(store_key)


class Pseudonymiser:
    """Turns ids into pseudonyms under one key (cached: a relay sees each child often)."""

    def __init__(self, key: bytes) -> None:
        self._key = derive_key(key)
        self._cache: dict[str, str] = {}

    @classmethod
    def for_store(cls, db: Database) -> Pseudonymiser:
        key = load_key(db, create=True)
        assert key is not None  # create=True makes one when missing
        return cls(key)

    def __call__(self, value: str) -> str:
        found = self._cache.get(value)
        if found is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            found = self._cache[value] = sign(self._key, value.encode("utf-8"))[:LENGTH]
        return found
