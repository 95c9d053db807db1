"""``/child/{id}/family``: the family and siblings, the genogram inline as SVG, and the people.

The records are read as ``caseledger genogram`` reads them
(:func:`adapters.genogram_view.genogram_records`: the family's records this account may read,
each logged); the model is :func:`projections.genogram.genogram` and the picture the Graphviz
renderer of the CLI's ``--format svg`` (:mod:`adapters.exporters.genogram_graphviz`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from adapters.exporters.genogram_graphviz import render
from adapters.genogram_view import genogram_records
from adapters.web.kit import Web
from adapters.web.work_rows import name_of
from domain.errors import InvalidEvent
from domain.events.base import LONDON
from domain.parsing import parse_moment
from projections.genogram import genogram

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def inline_svg(data: bytes, label: str) -> Markup:
    """Graphviz's SVG document as an element for a page: no XML prologue or doctype, sized by
    the page (the viewBox kept), named for screen readers."""
    text = _PROLOGUE.sub("", data.decode("utf-8"), count=1)
    head, rest = text.split(">", 1)
    head = _SIZE.sub("", head)
    head += f' role="img" aria-label="{escape(label)}" class="genogram" focusable="false"'
    return Markup(head + ">" + rest)  # noqa: S704  (Graphviz escapes every label it draws)


def install(api: FastAPI, web: Web) -> None:
    @api.get("/child/{child_id}/family", include_in_schema=False)
    def family_page(
        request: Request, child_id: str, scope: str = "child", as_known_at: str | None = None
    ) -> Response:
        principal = web.principal_of(request)
        known: datetime | None = None
        known_error = None
        if as_known_at:
            try:
                known = parse_moment(as_known_at, "as_known_at")
            except InvalidEvent as error:
                known_error = str(error)
        chosen: Literal["child", "family"] = "family" if scope == "family" else "child"
        with web.reading(principal, request) as (store, gate):
            read = genogram_records(store, gate, child_id)
            named = {c: name_of(gate.stream(c), c) for c in read.children}
        model = genogram(read.events, index_child=child_id, as_known_at=known, scope=chosen)
        today = (known or web.now()).astimezone(LONDON).date()
        name = named.get(child_id, child_id)
        picture = None
        picture_error = None
        if model.people:
            try:
                picture = inline_svg(render(model, "svg", today=today), f"Genogram of {name}")
            except Exception as error:  # noqa: BLE001  (Graphviz missing or failing)
                picture_error = f"The picture cannot be drawn here ({type(error).__name__})."
        people = {p.person_id: p for p in model.people}
        return web.page(
            request,
            "family.html",
            principal,
            child_id=child_id,
            name=name,
            scope=chosen,
            model=model,
            people=people,
            siblings=[(c, named.get(c, c)) for c in read.children if c != child_id],
            left_out=read.left_out,
            picture=picture,
            picture_error=picture_error,
            as_known_at=as_known_at or "",
            known_error=known_error,
            known=known,
            today=today,
        )
