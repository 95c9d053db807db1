"""Work and management: allocation, decisions, supervision, notes, closure, the authority."""

from __future__ import annotations

from pydantic import Field

from domain.codes import ClosureReason
from domain.events.base import CaseEvent, Category


class AllocatedToWorker(CaseEvent):
    category = Category.MANAGEMENT

    data_protection = {
        "worker_id": "professional:identifier",
        "team": "-",
    }

    worker_id: str = Field(min_length=1, max_length=64)
    team: str | None = Field(default=None, max_length=100)


class AllocatedToTeam(CaseEvent):
    category = Category.MANAGEMENT

    data_protection = {
        "team": "-",
    }

    team: str = Field(min_length=1, max_length=100)


class ManagementDecisionRecorded(CaseEvent):
    """A manager's decision about the case, with the rationale."""

    category = Category.MANAGEMENT
    significant_by_default = True

    data_protection = {
        "decision": "child:free_text",
        "rationale": "child:free_text",
        "manager_id": "professional:identifier",
    }

    decision: str = Field(min_length=1, max_length=4000)
    rationale: str = Field(min_length=1, max_length=4000)
    manager_id: str = Field(min_length=1, max_length=64)


class SupervisionHeld(CaseEvent):
    category = Category.MANAGEMENT

    data_protection = {
        "supervisor_id": "professional:identifier",
        "worker_id": "professional:identifier",
        "actions": "child:free_text",
    }

    supervisor_id: str = Field(min_length=1, max_length=64)
    worker_id: str = Field(min_length=1, max_length=64)
    actions: str | None = Field(default=None, max_length=4000)


class CaseNoteRecorded(CaseEvent):
    category = Category.MANAGEMENT

    data_protection = {
        "note": "child:free_text",
    }

    note: str = Field(min_length=1, max_length=8000)


class CaseClosed(CaseEvent):
    category = Category.MANAGEMENT
    significant_by_default = True

    data_protection = {
        "reason": "-",
    }

    reason: ClosureReason


class AuthorityRecorded(CaseEvent):
    """Which local authority holds the child's case; its rule pack applies from then on."""

    category = Category.MANAGEMENT

    data_protection = {
        "authority": "-",
        "la_code": "-",
    }

    authority: str = Field(pattern=r"^[a-z][a-z_]{1,40}$", description="Rule pack id, e.g. 'york'.")
    la_code: str | None = Field(default=None, pattern=r"^[0-9]{3}$", description="DfE LA code.")
