"""SSDA903: tables derived from events, exact DfE columns, and the DfE 903 rules on good and broken histories."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime
from typing import Any

from adapters.exporters.dfe_validators import KNOWN_CRASHING_903_RULES, validate_903
from adapters.exporters.ssda903 import FILE_NAMES, ssda903_files
from domain.child_record import ChildRecord
from domain.envelope import RecordedEvent
from projections.returns_903 import COLUMNS, sw_id
from tests.factories import example

RECORDED = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
UPN = "K816200000011"
_ids = itertools.count(1)


def recorded(child_id: str, steps: list[tuple[str, Any, dict[str, Any]]]) -> list[RecordedEvent]:
    record = ChildRecord(child_id)
    events = [example(kind, child_id, str(day), **fields) for kind, day, fields in steps]
    decision = record.record(events, recorded_at=RECORDED, new_id=lambda: f"e{next(_ids)}")
    return decision.new


def lac_journey(
    child_id: str = "C-LAC-1", participation: str = "PN1", extra=()
) -> list[RecordedEvent]:
    return recorded(
        child_id,
        [
            (
                "child_registered",
                date(2025, 4, 1),
                {"date_of_birth": "2015-03-14", "upn": UPN, "sex": "M"},
            ),
            ("authority_recorded", date(2025, 4, 1), {"authority": "york", "la_code": "816"}),
            ("referral_received", date(2025, 5, 6), {"referral_source": "6", "primary_need": "N1"}),
            ("allocated_to_worker", date(2025, 5, 6), {"worker_id": "sw-014"}),
            (
                "became_looked_after",
                date(2025, 5, 20),
                {"legal_status": "V2", "category_of_need": "N1", "home_postcode": "YO1 7AB"},
            ),
            ("allocated_to_worker", date(2025, 5, 20), {"worker_id": "sw-022"}),
            (
                "placement_started",
                date(2025, 5, 20),
                {
                    "placement_id": "pl-1",
                    "placement_type": "U6",
                    "provider": "PR1",
                    "provider_urn": "SC481223",
                    "postcode": "YO1 7AD",
                },
            ),
            ("looked_after_review_held", date(2025, 6, 16), {"participation": participation}),
            ("placement_ended", date(2025, 9, 1), {"placement_id": "pl-1", "reason": "CARPL"}),
            (
                "placement_started",
                date(2025, 9, 1),
                {
                    "placement_id": "pl-2",
                    "placement_type": "U4",
                    "provider": "PR4",
                    "provider_urn": "SC481224",
                    "postcode": "YO1 7AE",
                },
            ),
            *extra,
        ],
    )


def rows(files: dict[str, bytes], table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[FILE_NAMES[table]].decode())))


def test_tables_have_the_dfe_columns_and_derived_rows() -> None:
    files, counts = ssda903_files(lac_journey(), 2026)
    for table, name in FILE_NAMES.items():
        header = files[name].decode().splitlines()[0]
        assert header.split(",") == COLUMNS[table]
    assert counts["Header"] == 1
    [head] = rows(files, "Header")
    assert head == {
        "CHILD": "C-LAC-1",
        "SEX": "M",
        "DOB": "14/03/2015",
        "ETHNIC": "WBRI",
        "UPN": UPN,
        "MOTHER": "",
        "MC_DOB": "",
    }
    episodes = rows(files, "Episodes")
    assert [
        (e["DECOM"], e["RNE"], e["LS"], e["PLACE"], e["DEC"], e["REC"], e["REASON_PLACE_CHANGE"])
        for e in episodes
    ] == [
        ("20/05/2025", "S", "V2", "U6", "01/09/2025", "X1", "CARPL"),
        ("01/09/2025", "P", "V2", "U4", "", "", ""),
    ]
    assert episodes[0]["HOME_POST"] == "YO1 7AB" and episodes[1]["URN"] == "SC481224"
    assert rows(files, "Reviews") == [
        {"CHILD": "C-LAC-1", "DOB": "14/03/2015", "REVIEW": "16/06/2025", "REVIEW_CODE": "PN1"}
    ]
    # the worker before care began is not reported (SW12STG2); the one allocated with care is
    assert [(s["SW_ID"], s["SW_DECOM"], s["SW_DEC"]) for s in rows(files, "SWEpisodes")] == [
        ("SW022", "20/05/2025", "")
    ]
    assert [p["PREV_PERM"] for p in rows(files, "PrevPerm")] == ["Z1"]
    assert rows(files, "OC2") == []  # not looked after for 12 months by 31 March 2026


def test_good_history_passes_the_dfe_903_rules() -> None:
    files, _ = ssda903_files(lac_journey(), 2026)
    result = validate_903(files, "2026")
    assert set(result.crashed_rules) <= KNOWN_CRASHING_903_RULES
    assert result.child_issues == [], result.summary()


def test_under_four_participation_for_a_ten_year_old_fails_440() -> None:
    files, _ = ssda903_files(lac_journey(participation="PN0"), 2026)
    assert "440" in validate_903(files, "2026").codes()


def test_adopted_without_a_placement_for_adoption_fails() -> None:
    """Ceased E11 (adopted) straight from foster care: never placed for adoption (rule 390)."""
    adopted = lac_journey(
        extra=[
            ("placement_ended", date(2026, 2, 2), {"placement_id": "pl-2", "reason": "CARPL"}),
            ("ceased_to_be_looked_after", date(2026, 2, 2), {"reason": "E11"}),
        ]
    )
    files, counts = ssda903_files(adopted, 2026)
    assert counts["AD1"] == 0
    assert "390" in validate_903(files, "2026").codes()


def test_sw_id() -> None:
    assert sw_id("sw-816-145-cic") == "SW816145CIC"
    assert sw_id("tm.001") == "SWTM001"
