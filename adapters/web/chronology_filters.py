"""The chronology page's date filters (``?from=`` and ``?to=``, ISO dates, inclusive), each
refusal named at its field as the CLI's ``--from`` / ``--to`` name theirs."""

from __future__ import annotations

from datetime import date

from fastapi import Request


def chronology_dates(request: Request) -> tuple[dict[str, date], dict[str, str]]:
    found: dict[str, date] = {}
    errors: dict[str, str] = {}
    for name in ("from", "to"):
        value = request.query_params.get(name)
        if not value:
            continue
        try:
            found[name] = date.fromisoformat(value)
        except ValueError:
            errors[name] = f"field '{name}': expected an ISO date, e.g. 2026-04-07"
    if "from" in found and "to" in found and found["from"] > found["to"]:
        errors["to"] = f"field 'to': {found['to']} is before 'from' {found['from']}"
        del found["to"]
    return found, errors
