"""Naming a rule's source for people: the authority's document and section, not its seed file.

Pack citations begin with the seed file they quote (``004_b07548fa3c53f1e2.txt §2 ...``), which
keeps them checkable against the seeds and stable for machines. People read the authority and
the document instead ("Knowsley Practice Standards §2"). This is the one place that maps the
files to their documents (from the seeds' README); the CLI, HTTP and JSON output all use it,
as a ``source`` field beside the unchanged ``citation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AUTHORITIES", "DOCUMENTS", "Cited", "authority_name", "cite", "document_of"]

DOCUMENTS: dict[str, str] = {
    "000_397ef79c2e214697.txt": "Shropshire Quality Standards",
    "001_93ba2dc2b9b16c50.txt": "Wiltshire Quality Standards for Managers",
    "002_aa2acc05bf62cfcc.txt": "Brighton & Hove Integrated Children's System procedures",
    "003_8160ba9d01af632f.txt": "City of York Social Work Practice Standards",
    "004_b07548fa3c53f1e2.txt": "Knowsley Practice Standards",
}
"""Seed file -> the authority and document it is (``/work/shared/seeds/README.md``)."""

AUTHORITIES: dict[str, str] = {
    "knowsley": "Knowsley Council",
    "shropshire": "Shropshire Council",
    "sussex": "Brighton & Hove City Council",
    "wiltshire": "Wiltshire Council",
    "york": "City of York Council",
    "national": "England (national guidance)",
}
"""Rule pack id (``authority_recorded.authority``) -> the authority's name, as people say it."""


def authority_name(pack_id: str) -> str:
    """The authority's name for a pack id; an id not listed reads as words ("east_riding")."""
    return AUTHORITIES.get(pack_id) or pack_id.replace("_", " ").title()


_FILE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt)\s*")
_SECTION = re.compile(
    r"^(?P<section>§+\s*(?:Body\s+§\d+|Appendix\s+\d+,\s*[\dA-Za-z.]+"
    r"|Standards?\s+\d+(?:\s+and\s+\d+)?|[\d.]*\d|[A-Z])\b)"
)
_STATUTE_ENDS = (": ", " — ", " - ")


@dataclass(frozen=True)
class Cited:
    """A citation as people read it."""

    source: str
    """The document and section, e.g. ``Shropshire Quality Standards §3.1``."""
    text: str
    """The whole citation, the seed file named by its document."""


def document_of(file_name: str) -> str:
    """The document a seed file is (the file name itself when it is not one of the seeds)."""
    return DOCUMENTS.get(file_name, file_name)


def cite(citation: str) -> Cited:
    """The readable source and text of a pack citation (see the module docstring)."""
    found = _FILE.match(citation)
    if found is None:  # statute and guidance cite themselves: the source is the instrument
        return Cited(source=_instrument(citation), text=citation)
    document = document_of(found.group("file"))
    rest = citation[found.end() :]
    section = _SECTION.match(rest)
    source = f"{document} {section.group('section')}" if section else document
    return Cited(source=source, text=f"{document} {rest}".strip())


def _instrument(citation: str) -> str:
    """A statutory citation up to what it says (the first ':' or dash outside brackets)."""
    depth = 0
    for index, char in enumerate(citation):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and citation.startswith(_STATUTE_ENDS, index):
            return citation[:index].strip() or citation
    return citation
