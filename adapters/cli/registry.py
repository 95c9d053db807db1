"""Which module defines each command, and the first paragraph of its help.

``caseledger --help`` lists every command from this table without importing a single command
module (each pulls in the store, SQLAlchemy, pydantic models, rich...); running a command
imports only the modules that define it. The order is the order of ``--help``.
``tests/unit/test_cli_registry.py`` holds this table to the commands the modules define.
"""

from __future__ import annotations

CHRONOLOGY = ("adapters.cli.chronology",)
DEADLINES = ("adapters.cli.deadlines",)
INTEGRITY = ("adapters.cli.integrity",)
RECORDS = ("adapters.cli.records",)
REPLAY = ("adapters.cli.replay",)
PUBLISH = ("adapters.cli.publish",)
USERS = ("adapters.cli.users",)

COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "chronology": (
        CHRONOLOGY,
        "The chronology of a child (or family), on screen or exported for a court bundle.",
    ),
    "deadlines": (
        DEADLINES,
        "Every deadline for a child at a moment: pending, met, met late, breached, cancelled, "
        "extended.",
    ),
    "overdue": (
        DEADLINES,
        "Overdue and due-this-week work of open cases, by team and worker, oldest first.",
    ),
    "tick": (DEADLINES, "One deterministic pass of the breach handler at --at (default now)."),
    "scheduler": (
        DEADLINES,
        "Run the breach handler on the wall clock with APScheduler until interrupted.",
    ),
    "demo": (
        ("adapters.cli.demo",),
        "Write a synthetic family's multi-year journey to a fresh store and print a child's "
        "history.",
    ),
    "feed": (
        ("adapters.cli.feed",),
        "Every event in global order as JSON lines: position, child, kind, occurred, recorded, "
        "payload.",
    ),
    "genogram": (
        ("adapters.cli.genogram",),
        "The genogram: kinship, parental responsibility and households, and the emotional and\n"
        "harm overlay kept apart; professionals in a separate ecomap list.",
    ),
    "import": (
        ("adapters.cli.importing",),
        "Import entries from another case system, each keeping when it was written down.",
    ),
    "publish": (
        PUBLISH,
        "Relay the notification log to a NATS JetStream stream: one message per event, once each.",
    ),
    "consume": (
        PUBLISH,
        "A consumer example: the reporting tables of `export tables`, built from the stream alone.",
    ),
    "record": (
        RECORDS,
        "Append events from JSON. All or nothing: any invalid event writes none of them.",
    ),
    "history": (
        ("adapters.cli.history",),
        "A child's events in occurred order, with recorded-at beside occurred-at.",
    ),
    "children": (
        ("adapters.cli.caseload",),
        "The children you may see: id, name, NHS number, authority, events, last event date.",
    ),
    "events": (
        RECORDS,
        "The event catalogue, with each kind's JSON schema and the input limits in it.",
    ),
    "verify": (
        INTEGRITY,
        "Check every stream: its hashes and links, its head anchor, the signed checkpoints.",
    ),
    "checkpoint": (
        INTEGRITY,
        "Sign the heads of every stream written since the last checkpoint (run it from cron).",
    ),
    "migrate": (
        RECORDS,
        "Create the store's tables, triggers and anchors (run as the schema's owner role).",
    ),
    "replay": (
        REPLAY,
        "The record as known at each step: chronology, status, deadlines, breaches, decisions.",
    ),
    "review-report": (
        REPLAY,
        "A practice review timeline: both dates of every event, standards met, gaps, decisions.",
    ),
    "serve": (
        ("adapters.cli.serve",),
        "Serve the practitioners' web app (at /) and the JSON API (docs at /docs) over HTTP.",
    ),
    "status": (
        ("adapters.cli.status",),
        "Legal status now and over time: CIN, CP plan, looked after (SSDA903 LS), proceedings,\n"
        "placed for adoption, care leaver; placements; SSDA903 episodes.",
    ),
    "synth": (
        ("adapters.cli.synth",),
        "Write a synthetic authority's history (every name fictional) into the store.",
    ),
    "restrict": (
        USERS,
        'Mark a record restricted: only explicit grants may read it; others get "not found".',
    ),
    "break-glass": (
        USERS,
        "Open a restricted record without a grant, for a few hours: logged and alerted.",
    ),
    "access-log": (
        USERS,
        "Who has looked at this record, and when, how and why (managers, data protection).",
    ),
    "export": (
        ("adapters.cli.export", "adapters.cli.annex_a", "adapters.cli.dfe_api"),
        "Statutory returns (CIN census, SSDA903) and reporting tables.",
    ),
    "packs": (DEADLINES, "Rule packs: list, show, check."),
    "users": (USERS, "Local accounts and grants (administrators)."),
    "sar": (
        ("adapters.cli.sar",),
        "Subject access requests: record one, draft the response, approve it, release it.",
    ),
    "retention": (
        ("adapters.cli.retention",),
        "Records at the end of their retention: what is due, legal holds, destroy one (its "
        "keys) with a certificate.",
    ),
}


def modules_of(name: str) -> tuple[str, ...]:
    return COMMANDS[name][0] if name in COMMANDS else ()


def every_module() -> tuple[str, ...]:
    return tuple(dict.fromkeys(module for modules, _ in COMMANDS.values() for module in modules))
