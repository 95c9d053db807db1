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
    # nothing is written, not even the registration before it: no store was created, and a
    # read of the path says so (a read never creates a store)
    assert not (tmp_path / "nhs.db").exists()
    code, _, err = run("history", "C-NHS-1", "--db", url, "--json")
    assert code != 0 and f"no store at {tmp_path / 'nhs.db'}" in err


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


# -- the s31ZA rules: off until the commencement date is configured -------------------------

COMMENCED = {"CASELEDGER_COMMENCEMENTS": "cwsa_2026_s1=2026-09-01"}
UNSET = {"CASELEDGER_COMMENCEMENTS": ""}


def _application_without_offer(url: str) -> None:
    batch = [
        example_data("child_registered", "C-FG-1", "2026-05-04"),
        example_data("application_issued", "C-FG-1", "2026-11-10", order_sought="care_order"),
    ]
    code, _, err = run("record", "-", "--db", url, input=json.dumps(batch))
    assert code == 0, err


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_packs_show_says_whether_the_fgdm_rule_is_in_force() -> None:
    code, out, _ = _invoke(UNSET, "packs", "show", "national", "--json")
    rule = {r["id"]: r for r in json.loads(out)["rules"]}["fgdm_offer_before_application"]
    assert (rule["commencement"], rule["commenced_on"], rule["in_force"]) == (
        "cwsa_2026_s1",
        None,
        False,
    )
    code, out, _ = _invoke(COMMENCED, "packs", "show", "national", "--json")
    rule = {r["id"]: r for r in json.loads(out)["rules"]}["fgdm_offer_before_application"]
    assert (rule["commenced_on"], rule["in_force"]) == ("2026-09-01", True)
    code, out, _ = _invoke(UNSET, "packs", "show", "national")
    rule_column = "".join(
        line.split("│")[1].replace(" ", "") for line in out.splitlines() if line.count("│") > 2
    )  # the first column's text, unwrapped (spaces dropped: the table wraps at any of them)
    assert code == 0
    assert "fgdm_offer_before_application(notinforce:commencementdateofcwsa_2026_s1notset" in (
        rule_column
    )
    assert "proceedings_26_weeks(" not in rule_column  # other rules carry no such note


def test_deadlines_judge_the_fgdm_offer_only_once_commenced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fgdm.db'}"
    _application_without_offer(url)
    args = ("deadlines", "C-FG-1", "--at", "2026-11-20", "--db", url)
    code, out, err = _invoke(UNSET, *args, "--json")
    assert code == 0
    assert "fgdm_offer_before_application" not in {d["rule_id"] for d in json.loads(out)}
    assert (
        "national:fgdm_offer_before_application not in force: commencement date of "
        "cwsa_2026_s1 not set (set CASELEDGER_COMMENCEMENTS=cwsa_2026_s1=YYYY-MM-DD" in err
    )
    code, out, _ = _invoke(UNSET, *args)
    assert "national:fgdm_offer_before_application not in force" in out
    code, out, err = _invoke(COMMENCED, *args, "--json")
    (offer,) = [d for d in json.loads(out) if d["rule_id"] == "fgdm_offer_before_application"]
    assert (offer["status"], offer["due"]) == ("breached", "2026-11-10T00:00:00+00:00")
    assert "s31ZA(1)" in offer["citation"]
    assert "fgdm_offer_before_application" not in err
    code, out, _ = _invoke(
        {"CASELEDGER_COMMENCEMENTS": "cwsa_2026_s1=2027-01-04"}, *args
    )  # commencement after --at
    assert (
        "national:fgdm_offer_before_application not in force on 2026-11-20: cwsa_2026_s1 "
        "commences 2027-01-04" in out
    )
