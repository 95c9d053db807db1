"""`caseledger record` and `children` with the NHS number (Children Act 2004 s16LC).

Every NHS number here is synthetic, from the NHS's reserved 999 test range.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.main import app
from tests.factories import example_data

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def _batch(nhs_number: str) -> str:
    return json.dumps(
        [
            example_data("child_registered", "C-NHS-1", "2026-05-04", nhs_number=None),
            example_data(
                "consistent_identifier_recorded", "C-NHS-1", "2026-05-05", nhs_number=nhs_number
            ),
        ]
    )


def test_a_bad_nhs_number_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nhs.db'}"
    code, out, err = run("record", "-", "--db", url, input=_batch("9990000027"))
    assert code == 1
    assert "event 1 (consistent_identifier_recorded) field 'nhs_number'" in err
    assert "expected 6 as the last digit, not 7" in err and "modulus-11" in err
    code, out, _ = run("children", "--db", url, "--json")
    assert code == 0 and json.loads(out) == []  # the registration before it is not written
    code, _, err = run("history", "C-NHS-1", "--db", url, "--json")
    assert (code, err.strip()) == (1, f"error: no record for child 'C-NHS-1' in {url}")


def test_a_valid_nhs_number_is_shown_by_children(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nhs.db'}"
    code, out, err = run("record", "-", "--db", url, input=_batch("999 000 0026"))
    assert code == 0, err
    code, out, _ = run("children", "--db", url, "--json")
    assert [(r["child_id"], r["nhs_number"]) for r in json.loads(out)] == [
        ("C-NHS-1", "9990000026")
    ]
    code, out, _ = run("children", "--db", url)
    assert "999 000 0026" in out
