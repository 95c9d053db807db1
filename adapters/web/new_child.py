"""``/children/new``: before a new child's record is opened, a search for that child.

The worker gives the child's name, date of birth and NHS number (if known); the page lists the
children already on record who may be the same child (:func:`adapters.web.find_child.
duplicates_for`: same NHS number, same name and birth date, a like name on the same birth
date), each with why. Only then does it offer to register a new child under the id the
authority's system gave, which opens the ``child_registered`` form filled in with what was
typed (:mod:`adapters.web.record_pages`). Needs the store-wide ``create_child`` right.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.web.find_child import Duplicate, duplicates_for
from adapters.web.kit import Web
from domain.access import Action, StoreAction
from domain.events.base import CHILD_ID_PATTERN
from projections.child_search import SearchError, parse_date_of_birth, parse_nhs_number

FIELDS = ("given", "family", "dob", "nhs", "child_id")
LABELS = {
    "given": "First name",
    "family": "Last name",
    "dob": "Date of birth",
    "nhs": "NHS number",
    "child_id": "Child id",
}


def install(api: FastAPI, web: Web) -> None:
    @api.get("/children/new", include_in_schema=False)
    def new_child(request: Request) -> Response:
        principal = web.principal_of(request)
        q = request.query_params
        values = {name: (q.get(name) or "").strip() for name in FIELDS}
        checked = q.get("check") == "yes"
        errors: dict[str, str] = {}
        duplicates: list[Duplicate] = []
        register_link = None
        with web.reading(principal, request) as (store, gate):
            if not gate.may_store(StoreAction.CREATE_CHILD):
                return web.page(
                    request,
                    "refused.html",
                    principal,
                    status=403,
                    message="Your role may not open a new child's record.",
                )
            if checked:
                for name in ("given", "family"):
                    if not values[name]:
                        errors[name] = f"{LABELS[name]}: is required to look for the child"
                born = None
                try:
                    born = parse_date_of_birth(values["dob"]) if values["dob"] else None
                except SearchError as error:
                    errors["dob"] = str(error)
                nhs = None
                try:
                    nhs = parse_nhs_number(values["nhs"]) if values["nhs"] else None
                except SearchError as error:
                    errors["nhs"] = str(error)
                child_id = values["child_id"]
                if not child_id:
                    errors["child_id"] = (
                        "Child id: is required (the id your authority's system gives the child)"
                    )
                elif not re.fullmatch(CHILD_ID_PATTERN, child_id):
                    errors["child_id"] = (
                        "Child id: letters, digits, '-' and '_' only, starting with a letter "
                        "or digit, at most 64 characters"
                    )
                elif gate.facts(child_id).exists:
                    seen = gate.decide(child_id, Action.SUMMARY).allowed
                    errors["child_id"] = (
                        f"Child id: {child_id} is already on record: open it rather than "
                        "registering the child again"
                        if seen
                        else "Child id: this id cannot be used for a new record"
                    )
                if not errors.keys() & {"dob", "nhs", "given", "family"}:
                    duplicates = duplicates_for(
                        store, gate, values["given"], values["family"], born, nhs
                    )
                if not errors:
                    prefill = {
                        "first_name": values["given"],
                        "last_name": values["family"],
                        "date_of_birth": born.isoformat() if born else "",
                        "nhs_number": nhs or "",
                    }
                    register_link = f"/child/{child_id}/record/child_registered?" + urlencode(
                        {k: v for k, v in prefill.items() if v}
                    )
        return web.page(
            request,
            "new_child.html",
            principal,
            status=422 if errors else 200,
            values=values,
            errors=errors,
            labels=LABELS,
            checked=checked and not errors.keys() & {"dob", "nhs", "given", "family"},
            duplicates=duplicates,
            register_link=register_link,
        )
