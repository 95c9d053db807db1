"""Legal status over time, placements and the SSDA903 episode breakdown (pure fold)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.codes import LegalStatus, OrderKind, ReasonNewEpisode
from projections.legal_status import (
    CareLeaverCategory,
    ProceedingsStage,
    Strand,
    effective_history,
    episodes,
    episodes_by_child,
    legal_status,
    placements,
    status_at,
)
from tests.blended_family import Ledger, adoption_path, london

CHILD = "C-ADOPT"


def _rows(found: list) -> list[tuple]:
    return [(e.DECOM, e.RNE.value, e.LS.value, e.PLACE.value, e.DEC, e.REC) for e in found]


def test_adoption_path_gives_the_expected_903_episodes_value_by_value() -> None:
    found = episodes(adoption_path().stream(CHILD))
    assert _rows(found) == [
        (date(2022, 3, 1), "S", "V2", "U6", date(2022, 4, 8), "X1"),
        (date(2022, 4, 8), "L", "C1", "U6", date(2022, 6, 20), "X1"),
        (date(2022, 6, 20), "P", "C1", "U4", date(2022, 9, 15), "X1"),
        (date(2022, 9, 15), "L", "C2", "U4", date(2023, 1, 10), "X1"),
        (date(2023, 1, 10), "L", "E1", "U4", date(2023, 3, 1), "X1"),
        (date(2023, 3, 1), "P", "E1", "A4", date(2023, 9, 1), "E11"),
    ]
    # Reason for placement change sits on the episode that ends with the move.
    assert [e.REASON_PLACE_CHANGE for e in found] == [None, "CREQO", None, None, "CARPL", None]
    assert {e.CIN for e in found} == {"N1"}
    assert {e.HOME_POST for e in found} == {"ZZ9 9AA"}
    assert [e.PL_POST for e in found] == ["ZZ1 1ZZ"] * 2 + ["ZZ2 2ZZ"] * 3 + ["ZZ3 3ZZ"]
    assert [e.PLACE_PROVIDER for e in found] == ["PR1", "PR1", "PR2", "PR2", "PR2", "PR1"]
    assert [e.URN for e in found] == ["SC000001"] * 2 + ["SC000002"] * 3 + [None]
    assert found[0].as_903_row() == {
        "CHILD": CHILD,
        "DECOM": "01/03/2022",
        "RNE": "S",
        "LS": "V2",
        "CIN": "N1",
        "PLACE": "U6",
        "PLACE_PROVIDER": "PR1",
        "DEC": "08/04/2022",
        "REC": "X1",
        "REASON_PLACE_CHANGE": None,
        "HOME_POST": "ZZ9 9AA",
        "PL_POST": "ZZ1 1ZZ",
        "URN": "SC000001",
    }


def test_adoption_path_status_timeline() -> None:
    view = legal_status(adoption_path().stream(CHILD), at=date(2024, 1, 1))
    got = [(p.strand.value, p.status, p.start, p.end) for p in view.timeline]
    assert got == [
        ("looked_after", "V2", date(2022, 3, 1), date(2022, 4, 8)),
        ("proceedings", "pre_proceedings", date(2022, 3, 10), date(2022, 4, 1)),
        ("proceedings", "issued", date(2022, 4, 1), date(2022, 4, 8)),
        ("looked_after", "C1", date(2022, 4, 8), date(2022, 9, 15)),
        ("proceedings", "interim_order", date(2022, 4, 8), date(2022, 9, 15)),
        ("looked_after", "C2", date(2022, 9, 15), date(2023, 1, 10)),
        ("proceedings", "final_order", date(2022, 9, 15), date(2023, 1, 10)),
        ("looked_after", "E1", date(2023, 1, 10), date(2023, 9, 1)),
        ("proceedings", "final_order", date(2023, 1, 10), date(2023, 9, 1)),
        ("placed_for_adoption", "A4", date(2023, 3, 1), date(2023, 9, 1)),
        ("proceedings", "final_order", date(2023, 9, 1), None),
        ("adopted", "adopted", date(2023, 9, 1), None),
    ]
    now = view.current
    assert now.adopted_on == date(2023, 9, 1)
    assert now.legal_status is None and now.looked_after_since is None and now.placement is None
    assert [o.order for o in now.orders_in_force] == [OrderKind.ADOPTION_ORDER]
    assert view.warnings == []


@pytest.mark.parametrize(
    ("day", "legal", "stage", "placement", "la_since", "orders"),
    [
        ("2022-03-20", "V2", "pre_proceedings", "pl-1", date(2022, 3, 1), []),
        ("2022-05-01", "C1", "interim_order", "pl-1", date(2022, 3, 1), ["interim_care_order"]),
        ("2022-07-01", "C1", "interim_order", "pl-2", date(2022, 3, 1), ["interim_care_order"]),
        ("2022-10-01", "C2", "final_order", "pl-2", date(2022, 3, 1), ["care_order"]),
        (
            "2023-06-01",
            "E1",
            "final_order",
            "pl-3",
            date(2022, 3, 1),
            ["care_order", "placement_order"],
        ),
    ],
)
def test_status_at_points_along_the_path(
    day: str, legal: str, stage: str, placement: str, la_since: date, orders: list[str]
) -> None:
    now = status_at(adoption_path().stream(CHILD), date.fromisoformat(day))
    assert now.legal_status == LegalStatus(legal)
    assert now.proceedings_stage == ProceedingsStage(stage)
    assert now.placement is not None and now.placement.placement_id == placement
    assert now.looked_after_since == la_since
    assert [o.order.value for o in now.orders_in_force] == orders
    assert now.age_years == 1 if day < "2023-02-10" else now.age_years == 2


def test_placed_for_adoption_recorded_before_the_move_takes_the_new_placement_type() -> None:
    ledger, child = Ledger(), "C-PFA"
    _la(ledger, child)
    _place(ledger, child, "2021-01-04", "fc")
    ledger.add("order_made", child, "2021-05-01", order="care_order")
    ledger.add("order_made", child, "2021-06-01", order="placement_order")
    ledger.add("legal_status_changed", child, "2021-06-01", legal_status="E1")
    ledger.add("placed_for_adoption", child, "2021-07-01", placement_id="ad")
    ledger.add("placement_ended", child, "2021-07-01", placement_id="fc", reason="CARPL")
    _place(ledger, child, "2021-07-01", "ad", kind="A4")
    view = legal_status(ledger.stream(child), at=date(2021, 8, 1))
    pfa = [p for p in view.timeline if p.strand is Strand.PLACED_FOR_ADOPTION]
    assert [(p.status, p.start, p.end) for p in pfa] == [("A4", date(2021, 7, 1), None)]
    assert view.current.placed_for_adoption_since == date(2021, 7, 1)
    assert view.warnings == []


def test_placed_for_adoption_shows_in_current_status() -> None:
    now = status_at(adoption_path().stream(CHILD), date(2023, 6, 1))
    assert now.placed_for_adoption_since == date(2023, 3, 1)
    assert now.placement is not None
    assert (now.placement.placement_type.value, now.placement.carer, now.placement.postcode) == (
        "A4",
        "Prospective adopters PA-1",
        "ZZ3 3ZZ",
    )
    assert "placed for adoption since 2023-03-01" in now.summary


def test_status_as_known_at_ignores_the_late_recorded_legal_status() -> None:
    events = adoption_path().stream(CHILD)
    # On 10 April the order was on file but the C1 change was only written on 20 April.
    before = status_at(events, london("2022-04-10"))
    assert before.legal_status is LegalStatus.SECTION_20_SINGLE_PERIOD
    assert [o.order for o in before.orders_in_force] == [OrderKind.INTERIM_CARE_ORDER]
    hindsight = status_at(events, london("2022-04-10"), as_known_at=london("2022-04-21"))
    assert hindsight.legal_status is LegalStatus.INTERIM_CARE_ORDER
    assert hindsight.legal_status_since == date(2022, 4, 8)
    # Episodes as known on 10 April: one open s20 episode, no C1 yet.
    early = episodes(events, as_known_at=london("2022-04-10"))
    assert _rows_open(early) == [(date(2022, 3, 1), "S", "V2", None, None)]


def _rows_open(found: list) -> list[tuple]:
    return [(e.DECOM, e.RNE.value, e.LS.value, e.DEC, e.REC) for e in found]


def test_corrections_apply_only_once_recorded_and_in_error_entries_drop() -> None:
    ledger = adoption_path()
    target = ledger.ids["pl-2"]
    ledger.add(
        "entry_corrected",
        CHILD,
        "2024-02-01",
        target_event_id=target,
        changes={"postcode": "ZZ7 7ZZ"},
        reason="Postcode mistyped.",
    )
    ledger.add(
        "entry_recorded_in_error",
        CHILD,
        "2024-02-02",
        target_event_id=ledger.ids["c1-late"],
        reason="Wrong legal status entered.",
    )
    events = ledger.stream(CHILD)
    now_eps = episodes(events)
    assert [e.PL_POST for e in now_eps] == ["ZZ1 1ZZ"] + ["ZZ7 7ZZ"] * 3 + ["ZZ3 3ZZ"]
    # The C1 entry is gone: V2 runs on to the care order (an L episode on 15 Sept).
    assert [(e.DECOM, e.RNE.value, e.LS.value) for e in now_eps][:3] == [
        (date(2022, 3, 1), "S", "V2"),
        (date(2022, 6, 20), "P", "V2"),
        (date(2022, 9, 15), "L", "C2"),
    ]
    then = episodes(events, as_known_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert [e.PL_POST for e in then][2:5] == ["ZZ2 2ZZ"] * 3
    assert then[1].LS is LegalStatus.INTERIM_CARE_ORDER
    kinds = [e.event.kind for e in effective_history(events)]
    assert "entry_corrected" not in kinds and "entry_recorded_in_error" not in kinds


def _la(ledger: Ledger, child: str) -> None:
    ledger.add(
        "child_registered",
        child,
        "2020-01-01",
        first_name="Ola",
        last_name="Example",
        sex="M",
        date_of_birth="2008-06-01",
        upn=None,
        nhs_number=None,
    )
    ledger.add(
        "became_looked_after",
        child,
        "2021-01-04",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N4",
    )


def _place(ledger: Ledger, child: str, day: str, pid: str, kind: str = "U6", **kw: object) -> None:
    ledger.add(
        "placement_started",
        child,
        day,
        placement_id=pid,
        placement_type=kind,
        provider="PR1",
        postcode="ZZ5 5ZZ",
        **kw,
    )


def test_rne_same_day_status_and_placement_is_b_and_same_carer_gives_t_and_u() -> None:
    ledger, child = Ledger(), "C-RNE"
    _la(ledger, child)
    _place(ledger, child, "2021-01-04", "a")
    ledger.add("order_made", child, "2021-02-01", order="interim_care_order")
    ledger.add("legal_status_changed", child, "2021-02-01", legal_status="C1")
    ledger.add("placement_ended", child, "2021-02-01", placement_id="a", reason="LAREQ")
    _place(ledger, child, "2021-02-01", "b")
    ledger.add("placement_ended", child, "2021-03-01", placement_id="b", reason="CARPL")
    _place(ledger, child, "2021-03-01", "c", kind="U4", same_carer_as_previous=True)
    ledger.add("order_made", child, "2021-04-01", order="care_order")
    ledger.add("legal_status_changed", child, "2021-04-01", legal_status="C2")
    ledger.add("placement_ended", child, "2021-04-01", placement_id="c", reason="CARPL")
    _place(ledger, child, "2021-04-01", "d", kind="U1", same_carer_as_previous=True)
    found = episodes(ledger.stream(child))
    assert [e.RNE for e in found] == [
        ReasonNewEpisode.STARTED_TO_BE_LOOKED_AFTER,
        ReasonNewEpisode.CHANGE_OF_PLACEMENT_AND_LEGAL_STATUS,
        ReasonNewEpisode.CHANGE_OF_PLACEMENT_SAME_CARER,
        ReasonNewEpisode.CHANGE_OF_PLACEMENT_SAME_CARER_STATUS,
    ]
    assert [e.REASON_PLACE_CHANGE for e in found] == ["LAREQ", "CARPL", "CARPL", None]
    assert found[-1].DEC is None and found[-1].REC is None


def test_care_starting_before_the_first_placement_keeps_its_start_date() -> None:
    ledger, child = Ledger(), "C-LATEPL"
    _la(ledger, child)
    _place(ledger, child, "2021-01-06", "a")
    found = episodes(ledger.stream(child))
    assert _rows(found) == [(date(2021, 1, 4), "S", "V2", "U6", None, None)]


def test_placement_gap_is_warned_and_temporary_placements_carry_no_reason() -> None:
    ledger, child = Ledger(), "C-GAP"
    _la(ledger, child)
    _place(ledger, child, "2021-01-04", "a")
    ledger.add("placement_ended", child, "2021-02-01", placement_id="a", reason="ALLEG")
    _place(ledger, child, "2021-02-03", "b", kind="T0")
    view = legal_status(ledger.stream(child), at=date(2021, 3, 1))
    assert [(e.DECOM, e.RNE.value, e.REASON_PLACE_CHANGE) for e in view.episodes] == [
        (date(2021, 1, 4), "S", None),
        (date(2021, 2, 3), "P", None),
    ]
    assert view.warnings == [
        "no placement recorded from 2021-02-01 to 2021-02-03: the episode before runs to "
        "the new placement's start"
    ]
    assert [(p.placement_id, p.start, p.end, p.reason_ended) for p in view.placements] == [
        ("a", date(2021, 1, 4), date(2021, 2, 1), "ALLEG"),
        ("b", date(2021, 2, 3), None, None),
    ]


def test_care_leaver_categories_follow_age_and_care_history() -> None:
    ledger, child = Ledger(), "C-LEAVER"
    _la(ledger, child)  # born 2008-06-01, looked after from 2021-01-04 (aged 12)
    _place(ledger, child, "2021-01-04", "a")
    ledger.add("placement_ended", child, "2025-01-10", placement_id="a", reason="APPRR")
    ledger.add("ceased_to_be_looked_after", child, "2025-01-10", reason="E5")
    events = ledger.stream(child)
    assert status_at(events, date(2024, 5, 31)).care_leaver is None  # aged 15
    assert status_at(events, date(2024, 6, 1)).care_leaver is CareLeaverCategory.ELIGIBLE
    assert status_at(events, date(2025, 1, 10)).care_leaver is CareLeaverCategory.RELEVANT
    later = legal_status(events, at=date(2026, 6, 2))
    assert later.current.care_leaver is CareLeaverCategory.FORMER_RELEVANT
    assert [
        (p.status, p.start, p.end) for p in later.timeline if p.strand is Strand.CARE_LEAVER
    ] == [
        ("eligible", date(2024, 6, 1), date(2025, 1, 10)),
        ("relevant", date(2025, 1, 10), date(2026, 6, 1)),
        ("former_relevant", date(2026, 6, 1), None),
    ]


def test_short_stay_after_16_does_not_make_an_eligible_child() -> None:
    ledger, child = Ledger(), "C-SHORT"
    ledger.add(
        "child_registered",
        child,
        "2024-01-01",
        first_name="Ty",
        last_name="Example",
        sex="M",
        date_of_birth="2008-01-01",
        upn=None,
        nhs_number=None,
    )
    ledger.add(
        "became_looked_after",
        child,
        "2024-03-01",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N4",
    )
    ledger.add("ceased_to_be_looked_after", child, "2024-04-01", reason="E4A")
    assert status_at(ledger.stream(child), date(2024, 4, 2)).care_leaver is None


def test_cp_plan_category_and_child_in_need_strands() -> None:
    ledger, child = Ledger(), "C-CP"
    _la_free = ledger.add
    _la_free(
        "child_registered",
        child,
        "2024-01-01",
        first_name="Bo",
        last_name="Example",
        sex="F",
        date_of_birth="2019-01-01",
        upn=None,
        nhs_number=None,
    )
    ledger.add("child_in_need_plan_agreed", child, "2024-02-01")
    ledger.add("child_in_need_plan_ended", child, "2024-03-01", reason="Stepped up.")
    ledger.add("child_protection_plan_started", child, "2024-03-01", category_of_abuse="NEG")
    ledger.add("child_protection_category_changed", child, "2024-05-01", category_of_abuse="MUL")
    events = ledger.stream(child)
    now = status_at(events, date(2024, 6, 1))
    assert (now.cp_plan_since, now.cp_category.value, now.cp_category_since) == (
        date(2024, 3, 1),
        "MUL",
        date(2024, 5, 1),
    )
    assert now.child_in_need_plan_since is None
    assert status_at(events, date(2024, 2, 15)).child_in_need_plan_since == date(2024, 2, 1)
    assert "child protection plan: multiple categories since 2024-05-01" in now.summary


def test_episodes_by_child_and_one_child_rule() -> None:
    ledger = adoption_path("C-ONE")
    other = adoption_path("C-TWO")
    mixed = [*ledger.stream("C-ONE"), *other.stream("C-TWO")]
    grouped = episodes_by_child(mixed)
    assert sorted(grouped) == ["C-ONE", "C-TWO"]
    assert len(grouped["C-TWO"]) == 6
    with pytest.raises(ValueError, match="one child's events"):
        episodes(mixed)
    assert len(placements(ledger.stream("C-ONE"))) == 3
