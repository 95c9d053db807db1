"""Issue 14 worked histories through the product's own path: `caseledger import`, then
`caseledger deadlines CHILD --at T --pack P --json` (the fields a reviewer relies on)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from adapters.cli.main import app
from tests.factories import example_data

runner = CliRunner()


class History:
    """One child's entries as `caseledger import` reads them (one JSON object a line)."""

    def __init__(self, child_id: str, dob: str, registered: str, authority: str) -> None:
        self.child_id = child_id
        self.lines: list[dict[str, Any]] = []
        self.add("child_registered", registered, date_of_birth=dob)
        self.add("authority_recorded", registered, authority=authority)

    def add(self, kind: str, occurred: str, **fields: Any) -> int:
        day = occurred[:10]
        self.lines.append(
            {
                "recorded_at": f"{day}T18:{len(self.lines) % 60:02d}:00+00:00",
                "event": example_data(kind, self.child_id, occurred, **fields),
            }
        )
        return len(self.lines) - 1

    def deadlines(self, tmp_path: Path, at: str, pack: str, rule_id: str) -> list[dict[str, Any]]:
        source = tmp_path / f"{self.child_id}.jsonl"
        source.write_text("".join(json.dumps(line) + "\n" for line in self.lines))
        url = f"sqlite:///{tmp_path / 'store.db'}"
        imported = runner.invoke(app, ["import", str(source), "--db", url, "--json"])
        assert imported.exit_code == 0, imported.output
        shown = runner.invoke(
            app, ["deadlines", self.child_id, "--at", at, "--pack", pack, "--json", "--db", url]
        )
        assert shown.exit_code == 0, shown.output
        found: list[dict[str, Any]] = json.loads(shown.stdout)
        return [d for d in found if d["rule_id"] == rule_id]


def test_case_closed_shows_the_running_visit_deadline_as_cancelled(tmp_path: Path) -> None:
    # 004_b07548fa3c53f1e2.txt §5: CIN visits "at least every 6 weeks"; the case closes first.
    child = History("C-SEM-1", "2014-02-03", "2020-01-06", "knowsley")
    child.add("child_in_need_plan_agreed", "2026-01-05")
    child.add("case_closed", "2026-01-28", reason="RC7")
    (d,) = child.deadlines(tmp_path, "2026-06-01", "knowsley", "cin_visits")
    assert d["status"] == "cancelled"
    assert d["due"] == "2026-02-16T23:59:59.999999+00:00"
    assert d["citation"].startswith("004_b07548fa3c53f1e2.txt §5")
    assert d["cancelled_by_event_id"]


def test_icpc_report_24_hours_before_a_10am_conference(tmp_path: Path) -> None:
    # 004_b07548fa3c53f1e2.txt §3: "not less than 24 hours in advance of the conference".
    child = History("C-SEM-2", "2014-02-03", "2020-01-06", "knowsley")
    child.add(
        "meeting_scheduled",
        "2026-04-01T09:00",
        meeting_type="initial_conference",
        scheduled_for="2026-04-16T10:00",
    )
    child.add(
        "report_shared",
        "2026-04-15T14:00",
        meeting_type="initial_conference",
        meeting_date="2026-04-16",
        shared_with=["parents"],
    )
    (d,) = child.deadlines(tmp_path, "2026-04-20", "knowsley", "icpc_report_shared")
    assert d["due"] == "2026-04-15T10:00:00+01:00"
    assert d["status"] == "met_late"


def test_care_leaver_visits_are_pending_from_the_18th_birthday(tmp_path: Path) -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "For young people age 18-25, visiting will take place
    # every 8 weeks": counted from the 18th birthday (10 October 2026), not from the adviser's
    # allocation at 17½.
    child = History("C-SEM-3", "2008-10-10", "2020-03-02", "york")
    child.add("personal_adviser_allocated", "2026-04-10", adviser_id="pa-3")
    (d,) = child.deadlines(tmp_path, "2026-06-01", "york", "care_leaver_visits")
    assert (d["counted_from"], d["due"], d["status"]) == (
        "2026-10-10",
        "2026-12-05T23:59:59.999999+00:00",
        "pending",
    )
