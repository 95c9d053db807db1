"""Identifiers with check characters: the DfE unique pupil number (UPN)."""

from __future__ import annotations

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The DfE's 23 check letters (no I, O or S), indexed by the weighted sum modulo 23."""


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (LA code, school, year, serial).

    DfE "Unique pupil numbers (UPNs): guidance for schools": multiply the 12 characters by
    weights 2 to 13, add them up, and take the letter at (sum mod 23).
    """
    if len(body) != 12 or not body.isdigit():
        raise ValueError("a UPN body is 12 digits")
    total = sum(int(d) * w for d, w in zip(body, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def is_valid_upn(upn: str) -> bool:
    """True when a permanent UPN's first letter matches its check letter."""
    return len(upn) == 13 and upn[1:].isdigit() and upn[0] == upn_check_letter(upn[1:])
