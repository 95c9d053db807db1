"""Seal an event payload's personal fields under their subjects' keys, and open them again.

The fields come from the event class's ``data_protection`` declaration
(:mod:`domain.personal_data`): the child's fields, free text and names of others in passing
go under the child's key; the fields of the person an event is about (``person_id``) under
that person's key; professionals' ids stay in plain text (they are not the family's data and
outlive a family's record). A sealed payload keeps every other field as it was and adds::

    "_sealed": {"child:C1": {"fields": ["first_name", ...], "box": "<base64 nonce+ciphertext>"}}

AES-256-GCM with the kind and subject as associated data, so a box moved to another event
kind or subject does not open. Opening a box whose key was destroyed gives ``ERASED`` for
each of its fields: the reader still knows which fields there were, and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import functools
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.shredding.subject_keys import child_subject, person_subject
from domain.personal_data import Whose, personal_fields

ERASED = "[erased]"
SEALED = "_sealed"
NONCE_BYTES = 12

KeyLookup = Callable[[str], bytes | None]
"""A subject id -> its data key (creating it when writing), or None once destroyed."""


@functools.lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per data key (building one costs more than a small payload's box)."""
    return AESGCM(key)


def subject_of(whose: Whose, child_id: str, payload: dict[str, Any]) -> str | None:
    """Whose key a field goes under; None for professionals (kept in plain text)."""
    if whose is Whose.PROFESSIONAL:
        return None
    if whose is Whose.PERSON and payload.get("person_id"):
        return person_subject(str(payload["person_id"]))
    return child_subject(child_id)


@functools.cache
def _sealed_fields(event_class: type) -> tuple[tuple[str, Whose], ...]:
    """The class's personal fields that go into a box (not the professionals'), in order."""
    return tuple(
        (name, field.whose)
        for name, field in personal_fields(event_class).items()
        if field.whose is not Whose.PROFESSIONAL
    )


def seal(event_class: type[Any], payload: dict[str, Any], key_for: KeyLookup) -> dict[str, Any]:
    """The payload as stored: personal fields moved into per-subject boxes.

    One AES-GCM call per subject of the event (all of that subject's fields in one box).
    """
    child = None
    groups: dict[str, dict[str, Any]] = {}
    for name, whose in _sealed_fields(event_class):  # type: ignore[arg-type]
        if name not in payload:
            continue
        if whose is Whose.PERSON and payload.get("person_id"):
            subject = person_subject(str(payload["person_id"]))
        else:
            if child is None:
                child = child_subject(str(payload["child_id"]))
            subject = child
        group = groups.get(subject)
        if group is None:
            group = groups[subject] = {}
        group[name] = payload[name]
    if not groups:
        return payload
    stored = payload.copy()
    boxes: dict[str, Any] = {}
    for subject in sorted(groups):
        fields = groups[subject]
        for name in fields:
            del stored[name]
        key = key_for(subject)
        if key is None:
            raise ValueError(f"{subject}: no key to seal under")
        nonce = secrets.token_bytes(NONCE_BYTES)
        box = _cipher(key).encrypt(nonce, orjson.dumps(fields), _aad(event_class, subject))
        boxes[subject] = {
            "fields": sorted(fields),
            "box": base64.b64encode(nonce + box).decode("ascii"),
        }
    stored[SEALED] = boxes
    return stored


def open_sealed(
    event_class: type[Any], stored: dict[str, Any], key_for: KeyLookup
) -> tuple[dict[str, Any], set[str]]:
    """The payload with every box opened, and the names of the fields now reading ERASED."""
    boxes = stored.get(SEALED)
    if not boxes:
        return stored, set()
    # run for every event of an encrypted store a read decodes: a C-level copy and
    # binascii's decoder (what b64decode calls after checking its argument's type)
    payload = dict(stored)
    del payload[SEALED]
    erased: set[str] = set()
    kind = event_class.kind
    for subject, sealed in boxes.items():
        key = key_for(subject)
        if key is None:
            for name in sealed["fields"]:
                payload[name] = ERASED
                erased.add(name)
            continue
        raw = binascii.a2b_base64(sealed["box"])
        opened = _cipher(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(kind, subject)
        )
        payload.update(orjson.loads(opened))
    return payload, erased


def subjects_in(stored: dict[str, Any]) -> set[str]:
    """The subjects whose keys a stored payload's boxes need."""
    return set(stored.get(SEALED) or {})


def _aad(event_class: type[Any], subject: str) -> bytes:
    return _associated(event_class.kind, subject)


@functools.lru_cache(maxsize=65536)
def _associated(kind: str, subject: str) -> bytes:
    return f"{kind}|{subject}".encode()
