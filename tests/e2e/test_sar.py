"""`caseledger sar`: a subject access response for each person in the demo, read back as text.

For every person the demo store holds (each child, each parent, carer and relative), the
response is rendered to PDF (text extracted with poppler's ``pdftotext``) and to DOCX (text
read back with python-docx), and checked against the raw records, read here independently
of the code under test:

- no other person's name (full, first, or last name unless the subject shares it), date of
  birth (or death) or address appears;
- no professional's id appears (none has consented), unless the configuration says so;
- each of the subject's own entries is there: for a child, every entry of their record; for
  anyone, each entry of another record that names them in a field; their own name and date
  of birth are shown;
- every redaction carries its code, and the reasons are listed at the end.

Then the life of a request: recorded, refused release without approval, approved by the
signed-in reviewer (with a serious-harm exemption), released with the document's hash on
the record, and the deadline in ``deadlines`` and ``overdue``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.demo import add_demo_accounts
from adapters.cli.main import app
from adapters.store import EventStore
from adapters.synthetic.demo_family import JORDAN, MIA, UNBORN, write_demo
from domain.events.base import LONDON

runner = CliRunner()
DPO = ("--as", "dpo-001")
PROFESSIONALS = ("sw-014", "sw-022", "tm-003", "iro-007", "lg-002", "bs-005")
MONTHS = "January February March April May June July August September October November December"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def cli_json(*args: str) -> object:
    """Run a ``--json`` command; its standard output parsed (notices go to standard error)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@dataclass
class Known:
    """What the raw records say identifies one person (read here, not by the code tested)."""

    ids: set[str] = field(default_factory=set)
    first: set[str] = field(default_factory=set)
    last: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)


def one_month_after(day: date) -> date:
    """The same date next month, or that month's last day (ICO guidance), worked by hand."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def people(streams: dict[str, list]) -> dict[str, Known]:
    found: dict[str, Known] = {}
    alias = {
        e.payload()["person_id"]: e.payload()["is_child_record"]
        for events in streams.values()
        for e in events
        if e.kind == "person_added" and e.payload().get("is_child_record")
    }

    def of(pid: str) -> Known:
        known = found.setdefault(alias.get(pid, pid), Known())
        known.ids |= {pid, alias.get(pid, pid)}
        return known

    for child, events in streams.items():
        for e in events:
            p = e.payload()
            if e.kind == "child_registered":
                k = of(child)
                k.first.add(p["first_name"])
                k.last.add(p["last_name"])
                k.dates |= {p[d] for d in ("date_of_birth", "expected_date_of_birth") if p.get(d)}
                k.identifiers |= {p[i] for i in ("upn", "case_number") if p.get(i)}
            elif e.kind == "person_added":
                k = of(p["person_id"])
                k.first.add(p["first_name"])
                if p.get("last_name"):
                    k.last.add(p["last_name"])
                k.dates |= {p[d] for d in ("date_of_birth", "date_of_death") if p.get(d)}
            elif e.kind == "relationship_recorded" and p.get("household_label"):
                of(p["from_person"]).addresses.add(p["household_label"])
                of(p["to_person"]).addresses.add(p["household_label"])
    return found


def written(iso: str) -> set[str]:
    d = date.fromisoformat(iso)
    month = MONTHS.split()[d.month - 1]
    return {iso, f"{d.day} {month} {d.year}", f"{d:%d/%m/%Y}", f"{d.day} {month[:3]} {d.year}"}


def whole_word(text: str, token: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(token)}(?!\w)", text, re.IGNORECASE) is not None


def leaks(text: str, subject: Known, everyone: dict[str, Known]) -> list[str]:
    """Every other person's name, date of birth or address found in ``text``."""
    own_tokens = {t.casefold() for t in subject.first | subject.last}
    own_dates = {t for d in subject.dates for t in written(d)}
    found = []
    for pid, other in everyone.items():
        if other is subject:
            continue
        for first in other.first:
            for last in other.last:
                if whole_word(text, f"{first} {last}"):
                    found.append(f"{pid}: name {first} {last}")
        for token in other.first | other.last:
            if token.casefold() not in own_tokens and whole_word(text, token):
                found.append(f"{pid}: name {token}")
        for d in other.dates:
            for form in written(d) - own_dates:
                if form in text:
                    found.append(f"{pid}: date {form}")
        for label in other.addresses - subject.addresses:
            if whole_word(text, label):
                found.append(f"{pid}: address {label}")
        for ident in other.identifiers:
            if ident in text:
                found.append(f"{pid}: identifier {ident}")
    return found


def pdf_text(path: Path) -> str:
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return " ".join(raw.split())


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(BytesIO(path.read_bytes()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, list]]]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: .ci/run installs it")
    path = tmp_path_factory.mktemp("sar") / "demo.db"
    url = f"sqlite:///{path}"
    write_demo(url)
    add_demo_accounts(url)
    with EventStore(url) as store:
        streams = {c: store.stream(c) for c in store.children()}
    yield url, streams


def _expected(subject: Known, streams: dict[str, list]) -> tuple[int, int]:
    """(entries of the subject's own record, entries of other records naming them in a field)."""
    own = sum(len(events) for child, events in streams.items() if child in subject.ids)
    named = 0
    for child, events in streams.items():
        if child in subject.ids:
            continue
        for e in events:
            values = [v for k, v in e.payload().items() if k != "child_id"]
            flat = json.dumps(values)
            if any(f'"{i}"' in flat for i in subject.ids):
                named += 1
    return own, named


PEOPLE_IN_DEMO = (
    "DEMO-JORDAN",
    "DEMO-MIA",
    "DEMO-TWIN-A",
    "DEMO-TWIN-B",
    "DEMO-UNBORN",
    "p-mother",
    "p-father-jordan",
    "p-father-mia",
    "p-grandfather",
    "p-stepfather",
    "p-adopter-1",
)


def test_the_demo_people_are_every_person_the_records_hold(demo: tuple[str, dict]) -> None:
    _, streams = demo
    assert set(people(streams)) == set(PEOPLE_IN_DEMO)


@pytest.mark.parametrize("person", PEOPLE_IN_DEMO)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_response_shows_the_subjects_entries_and_nobody_elses_data(
    demo: tuple[str, dict], tmp_path: Path, person: str, fmt: str
) -> None:
    url, streams = demo
    everyone = people(streams)
    subject = everyone[person]
    out = tmp_path / f"sar.{fmt}"
    code, output = cli("sar", person, "--out", str(out), "--db", url, *DPO)
    assert code == 0, output
    text = pdf_text(out) if fmt == "pdf" else docx_text(out)

    assert leaks(text, subject, everyone) == []
    for professional in PROFESSIONALS:
        assert professional not in text

    # the subject's own entries are all there
    own, named = _expected(subject, streams)
    entries = int(re.search(r"Entries: (\d+);", text).group(1))  # type: ignore[union-attr]
    assert text.count("(your record)") == own
    assert entries >= own + named
    assert text.count("(another child's record (") == entries - own
    assert f"draft written to {out}: {entries} entries" in output
    if person.startswith("DEMO-"):
        assert own == len(streams[person]) and own > 0
    else:
        assert own == 0 and named > 0
    for name in subject.first | subject.last:
        assert whole_word(text, name), name
    for d in subject.dates:
        assert d in text, d
    for ident in subject.identifiers:  # Jordan's UPN and case number, Mia's case number
        assert ident in text, ident

    # each redaction has its code, and the codes are explained at the end
    counts = dict(re.findall(r"(TP|PNC|SH) (\d+)", output.split("redactions (")[1]))
    for code_name in ("TP", "PNC"):
        assert text.count(f"[Redacted: {code_name}]") == int(counts[code_name]) + 1
    assert int(counts["PNC"]) >= entries  # every entry's author, at least
    tail = text[text.index("Reasons for redactions") :]
    assert "Third party" in tail and "Data Protection Act 2018 Sch. 2 Part 3 para 16" in tail
    assert "Professional who does not consent" in tail
    assert "Serious harm exemption" in tail and "Sch. 3 Part 3 para 7" in tail
    assert "DRAFT" in text


def test_jordans_response_names_him_and_redacts_his_parents(
    demo: tuple[str, dict], tmp_path: Path
) -> None:
    url, _ = demo
    out = tmp_path / "jordan.pdf"
    code, output = cli("sar", JORDAN, "--out", str(out), "--db", url, *DPO)
    assert code == 0, output
    text = pdf_text(out)
    assert "first name Jordan last name Fairholm" in text
    assert "date of birth 2016-04-12" in text and "upn K801200000011" in text
    # his father's entry: the ids and names of others are redacted, the kind stays
    assert "person id [Redacted: TP]" in text and "role father" in text
    assert "alleged perpetrator [Redacted: TP]" in text  # an allegation about him, not Jordan
    assert "to person you" in text
    assert "Dean" not in text and "1989-11-02" not in text and "Kerry" not in text
    # his own free text that names no one else is kept whole
    assert "Record opened following referral from school." in text


def test_a_professional_who_consents_is_named(demo: tuple[str, dict], tmp_path: Path) -> None:
    url, _ = demo
    consents = tmp_path / "consents.yaml"
    consents.write_text("professionals_consented: [sw-014]\n")
    out = tmp_path / "mia.pdf"
    code, output = cli(
        "sar", MIA, "--out", str(out), "--consents", str(consents), "--db", url, *DPO
    )
    assert code == 0, output
    text = pdf_text(out)
    assert "sw-014 (social_worker)" in text
    assert "tm-003" not in text
    consents.write_text("professionals_consented: sw-014\n")
    code, output = cli(
        "sar", MIA, "--out", str(out), "--consents", str(consents), "--db", url, *DPO
    )
    assert code == 1 and "professionals_consented" in output


def test_only_the_subject_access_right_drafts_a_response(
    demo: tuple[str, dict], tmp_path: Path
) -> None:
    url, _ = demo
    out = tmp_path / "x.pdf"
    for account in ("sw-014", "tm-003", "admin"):
        code, output = cli("sar", "p-mother", "--out", str(out), "--db", url, "--as", account)
        assert code == 10, output
        assert not out.exists()
    code, output = cli("sar", "p-nobody", "--out", str(out), "--db", url, *DPO)
    assert code == 3 and "no record names that person" in output
    code, output = cli("sar", "p-mother", "--out", str(tmp_path / "x.txt"), "--db", url, *DPO)
    assert code == 1 and ".pdf or .docx" in output


# -- the life of a request --------------------------------------------------------------------


@pytest.fixture
def store_copy(demo: tuple[str, dict], tmp_path: Path) -> str:
    url, _ = demo
    source = Path(url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.db"
    shutil.copy(source, target)
    for suffix in ("-wal", "-shm"):
        if Path(str(source) + suffix).exists():
            shutil.copy(str(source) + suffix, str(target) + suffix)
    for key in source.parent.glob(source.name + ".*key*"):
        shutil.copy(key, tmp_path / key.name.replace(source.name, target.name))
    return f"sqlite:///{target}"


def _kinds(url: str, child: str, kind: str) -> list[dict]:
    with EventStore(url) as store:
        return [
            {**e.payload(), "event_id": e.event_id} for e in store.stream(child) if e.kind == kind
        ]


def test_release_needs_approval_then_records_the_documents_hash(
    store_copy: str, tmp_path: Path
) -> None:
    url = store_copy
    received_on = datetime.now(LONDON).date() - timedelta(days=3)  # released in time, today
    code, out = cli(
        "sar", "request", "p-mother", "--received", received_on.isoformat(), "--channel", "letter",
        "--db", url, *DPO,
    )  # fmt: skip
    assert code == 0, out
    assert "SAR-1" in out and "on the record of DEMO-JORDAN" in out
    (received,) = _kinds(url, JORDAN, "subject_access_request_received")
    assert received["requester_person_id"] == "p-mother"
    assert received["recorded_by"]["user_id"] == "dpo-001"

    final = tmp_path / "final.pdf"
    code, out = cli("sar", "release", "p-mother", "--request", "SAR-1", "--out", str(final),
                    "--db", url, *DPO)  # fmt: skip
    assert code == 1
    assert "have not been approved" in out and "Nothing was released" in out
    assert not final.exists()
    assert _kinds(url, JORDAN, "subject_access_response_released") == []

    code, out = cli("sar", "approve", "p-mother", "--request", "SAR-1", "--db", url,
                    "--as", "tm-003")  # fmt: skip
    assert code == 10, out
    code, out = cli("sar", "extend", "p-mother", "--request", "SAR-1", "--reason", "  ",
                    "--db", url, *DPO)  # fmt: skip
    assert code == 1 and "field 'reason'" in out
    assert _kinds(url, JORDAN, "subject_access_request_extended") == []
    assert _kinds(url, JORDAN, "subject_access_redactions_approved") == []

    # the reviewer reads a draft (which writes nothing to any record) ...
    with EventStore(url) as store:
        before = {c: len(store.stream(c)) for c in store.children()}
    code, out = cli("sar", "p-mother", "--request", "SAR-1", "--out", str(tmp_path / "d.pdf"),
                    "--db", url, *DPO)  # fmt: skip
    assert code == 0, out
    drafted_at = out.split(" --at ")[1].split("`")[0]
    with EventStore(url) as store:
        assert {c: len(store.stream(c)) for c in store.children()} == before
    # ... and withholds Kerry's entry on Mia's record under the serious harm exemption
    (kerry_on_mia,) = [e for e in _kinds(url, MIA, "person_added") if e["person_id"] == "p-mother"]
    code, out = cli("sar", "approve", "p-mother", "--request", "SAR-1", "--serious-harm",
                    "no-such-entry", "--at", drafted_at, "--db", url, *DPO)  # fmt: skip
    assert code == 1 and "not an entry of this response" in out
    code, out = cli("sar", "approve", "p-mother", "--request", "SAR-1", "--serious-harm",
                    kerry_on_mia["event_id"], "--at", drafted_at, "--db", url, *DPO)  # fmt: skip
    assert code == 0, out
    assert "SH 1" in out
    (approval,) = _kinds(url, JORDAN, "subject_access_redactions_approved")
    assert approval["recorded_by"] == {"user_id": "dpo-001", "role": "data_protection_officer"}
    # the approval pins the draft the reviewer read, not the moment they approved it
    assert datetime.fromisoformat(approval["as_known_at"]) == datetime.fromisoformat(drafted_at)
    assert approval["serious_harm_event_ids"] == [kerry_on_mia["event_id"]]

    code, out = cli("sar", "release", "p-mother", "--request", "SAR-1", "--out", str(final),
                    "--db", url, *DPO)  # fmt: skip
    assert code == 0, out
    (release,) = _kinds(url, JORDAN, "subject_access_response_released")
    assert release["document_sha256"] == hashlib.sha256(final.read_bytes()).hexdigest()
    assert release["approval_event_id"] == approval["event_id"]
    assert release["document_format"] == "pdf"
    text = pdf_text(final)
    assert "DRAFT" not in text and "Redactions approved by the reviewer" in text
    assert text.count("entry [Redacted: SH]") == 1
    assert f"Request: SAR-1, received {received_on}" in text

    code, out = cli("sar", "release", "p-mother", "--request", "SAR-1", "--out", str(final),
                    "--db", url, *DPO)  # fmt: skip
    assert code == 1 and "already released" in out
    code, out = cli("verify", "--db", url, "--as", "admin")  # the request's events are chained
    assert code == 0 and "every link intact" in out, out
    found = cli_json("deadlines", JORDAN, "--json", "--db", url, "--as", "tm-003")
    (sar,) = [d for d in found if d["rule_id"] == "subject_access_response"]  # type: ignore[union-attr]
    assert sar["status"] == "met" and sar["satisfied_by_event_id"] == release["event_id"]
    assert sar["due"].startswith(one_month_after(received_on).isoformat())


def test_the_deadline_in_deadlines_and_overdue(store_copy: str) -> None:
    url = store_copy
    code, out = cli("sar", "request", MIA, "--received", "2026-01-31", "--channel", "email",
                    "--request-id", "SAR-JAN", "--db", url, *DPO)  # fmt: skip
    assert code == 0, out
    code, out = cli("sar", "request", UNBORN, "--received", "2026-03-15", "--channel",
                    "in_person", "--request-id", "SAR-MAR", "--db", url, *DPO)  # fmt: skip
    assert code == 0, out
    code, out = cli("sar", "extend", UNBORN, "--request", "SAR-MAR", "--on", "2026-04-01",
                    "--reason", "Records over several years in five children's files.",
                    "--db", url, *DPO)  # fmt: skip
    assert code == 0, out

    listed = cli_json("sar", "requests", "--json", "--db", url, *DPO)
    assert [(r["request_id"], r["person"], r["state"], r["record"]) for r in listed] == [  # type: ignore[union-attr]
        ("SAR-JAN", MIA, "open", MIA),
        ("SAR-MAR", UNBORN, "extended", UNBORN),
    ]

    code, out = cli("deadlines", MIA, "--at", "2026-02-20", "--db", url, "--as", "tm-003")
    assert code == 0, out
    text = " ".join(out.split())
    assert "pending due Sat 28 Feb 2026 23:59 Subject access request answered within one month" in (
        text
    )
    assert "UK GDPR Art. 12(3)" in text and "Data Protection Act 2018" in text

    found = cli_json(
        "deadlines", UNBORN, "--at", "2026-05-01", "--json", "--db", url, "--as", "tm-003"
    )
    (extended,) = [d for d in found if d["rule_id"] == "subject_access_response"]  # type: ignore[union-attr]
    assert extended["status"] == "extended"
    assert extended["due"].startswith("2026-04-15")
    assert extended["extended_to"].startswith("2026-06-15")

    for account in ("dpo-001", "tm-003"):
        work = cli_json("overdue", "--at", "2026-03-02", "--json", "--db", url, "--as", account)
        items = [i for w in work["workers"].values() for i in w]  # type: ignore[index]
        (late,) = [i for i in items if i["rule_id"] == "subject_access_response"]
        assert late["child_id"] == MIA and late["overdue"] is True
        assert late["due"].startswith("2026-02-28")
        assert "UK GDPR Art. 12(3)" in late["citation"]
    code, out = cli("overdue", "--at", "2026-03-02", "--db", url, "--as", "dpo-001")
    assert "DEMO-MIA" in out and "Subject access request answered" in " ".join(out.split())
    work = cli_json("overdue", "--at", "2026-06-16", "--json", "--db", url, "--as", "dpo-001")
    items = [i for w in work["workers"].values() for i in w]  # type: ignore[index]
    assert {i["child_id"] for i in items if i["rule_id"] == "subject_access_response"} == {
        MIA,
        UNBORN,
    }
