"""Commencement dates of new law, read from the environment and handed to the pure packs.

A rule that waits for a provision (``commencement: cwsa_2026_s1`` in a pack file) is off until
that provision's commencement date is configured. Sections of the Children's Wellbeing and
Schools Act 2026 commence by regulations, on dates not known when the pack was written, so
the date is configuration, not pack data::

    CASELEDGER_COMMENCEMENTS="cwsa_2026_s1=2026-11-02"          # one provision
    CASELEDGER_COMMENCEMENTS="cwsa_2026_s1=2026-11-02,other_key=2027-04-01"

Unset or empty: every such rule is off, and ``caseledger deadlines`` and ``packs show`` say
so. A malformed value or a key no rule waits for is refused with the variable and the rule.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from policies.rules import PackError, PackSet, Rule, awaiting_commencement

COMMENCEMENTS_VARIABLE = "CASELEDGER_COMMENCEMENTS"
FORMAT = "comma-separated provision=YYYY-MM-DD pairs, e.g. cwsa_2026_s1=2026-11-02"


def parse_commencements(text: str) -> dict[str, date]:
    """``key=date`` pairs separated by commas; PackError naming the variable and the rule."""
    dates: dict[str, date] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise PackError(COMMENCEMENTS_VARIABLE, None, None, f"{part!r}: expected {FORMAT}")
        try:
            dates[key] = date.fromisoformat(value)
        except ValueError:
            raise PackError(
                COMMENCEMENTS_VARIABLE, None, key, f"{value!r} is not a date: expected {FORMAT}"
            ) from None
    return dates


def commencement_dates(environ: Mapping[str, str] | None = None) -> dict[str, date]:
    """The configured commencement dates (none when the variable is unset)."""
    source = os.environ if environ is None else environ
    return parse_commencements(source.get(COMMENCEMENTS_VARIABLE, ""))


def not_in_force_notice(key: str, commenced_on: date | None, on: date) -> str:
    """Why a rule waiting for ``key`` does not judge a trigger on ``on``."""
    if commenced_on is None:
        return (
            f"not in force: commencement date of {key} not set "
            f"(set {COMMENCEMENTS_VARIABLE}={key}=YYYY-MM-DD once the regulations are made)"
        )
    return f"not in force on {on.isoformat()}: {key} commences {commenced_on.isoformat()}"


def rule_force_text(rule: Rule, on: date) -> str:
    """``in force from D`` or the not-in-force notice, for a rule awaiting commencement."""
    if rule.commencement is None or rule.in_force_on(on):
        start = f" from {rule.commenced_on.isoformat()}" if rule.commenced_on else ""
        return f"in force{start}"
    return not_in_force_notice(rule.commencement, rule.commenced_on, on)


def commencement_notices(packs: PackSet, on: date) -> list[str]:
    """One line per rule (latest version of each pack) not in force on ``on``."""
    latest = [packs.latest(pack_id) for pack_id in packs.ids()]
    return [
        f"{pack.pack}:{rule.id} {rule_force_text(rule, on)}"
        for pack, rule in awaiting_commencement(latest, on)
        if rule.commencement is not None
    ]


def precedes_clock(rule: Rule, clock: str) -> str:
    """How a rule's clock reads: a precedes rule is met by what came before its trigger."""
    return "before the trigger" if rule.measures.value == "precedes" else clock
